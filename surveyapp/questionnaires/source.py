"""Reading a YAML file into plain data while remembering the line of every node.

PyYAML composes the file into nodes (which carry their position) and this module converts the nodes itself,
so that it can record `path -> line`, report duplicate mapping keys (PyYAML silently keeps the last one) and
read scalars the way YAML 1.2 does: only `true`/`false` are booleans (`no`, `on`, `y` stay text, so an option
key `no` works) and dates stay text.
"""

from __future__ import annotations

from collections.abc import Hashable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from yaml.constructor import SafeConstructor
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from surveyapp.questionnaires.errors import Diagnostic

MAX_FILE_BYTES = 1_000_000
# The format nests about eight levels; anything far deeper is a mistake or an attack on the converter.
MAX_NESTING = 40
# Aliases can expand a small file into a huge structure ("billion laughs"); the format needs no such size.
MAX_NODES = 200_000

Path_ = tuple[Hashable, ...]

_BOOL_TAG = "tag:yaml.org,2002:bool"
_TIMESTAMP_TAG = "tag:yaml.org,2002:timestamp"
_MERGE_TAG = "tag:yaml.org,2002:merge"


@dataclass
class LineMap:
    """Where each part of a file is: the line of a mapping key, or of a node without a key."""

    node_lines: dict[Path_, int] = field(default_factory=dict)
    key_lines: dict[Path_, int] = field(default_factory=dict)

    def line(self, path: Path_) -> int:
        """The line of the longest prefix of `path` that exists in the file (1 for the file as a whole)."""
        for end in range(len(path), -1, -1):
            prefix = path[:end]
            if prefix in self.key_lines:
                return self.key_lines[prefix]
            if prefix in self.node_lines:
                return self.node_lines[prefix]
        return 1


@dataclass
class Source:
    """A read file: its data, its line map and the problems found while reading."""

    label: str
    data: Any
    lines: LineMap
    diagnostics: list[Diagnostic]


class _Converter:
    def __init__(self, label: str) -> None:
        self.label = label
        self.lines = LineMap()
        self.diagnostics: list[Diagnostic] = []
        self.constructor = SafeConstructor()
        self.nodes = 0
        self.active: set[int] = set()

    def error(self, line: int, message: str) -> None:
        self.diagnostics.append(Diagnostic(self.label, line, message))

    def convert(self, node: Node, path: Path_) -> Any:
        self.nodes += 1
        if self.nodes > MAX_NODES:
            raise _TooLarge(node.start_mark.line + 1)
        self.lines.node_lines.setdefault(path, node.start_mark.line + 1)
        if len(path) > MAX_NESTING:
            raise _TooDeep(node.start_mark.line + 1)
        if id(node) in self.active:
            raise _Recursive(node.start_mark.line + 1)
        if isinstance(node, ScalarNode):
            return self.scalar(node)
        self.active.add(id(node))
        try:
            if isinstance(node, SequenceNode):
                return [self.convert(child, (*path, index)) for index, child in enumerate(node.value)]
            assert isinstance(node, MappingNode)
            return self.mapping(node, path)
        finally:
            self.active.discard(id(node))

    def mapping(self, node: MappingNode, path: Path_) -> dict[Any, Any]:
        result: dict[Any, Any] = {}
        first_lines: dict[Any, int] = {}
        for key_node, value_node in node.value:
            line = key_node.start_mark.line + 1
            if key_node.tag == _MERGE_TAG:
                self.error(line, "merge keys ('<<') are not supported; write the fields out")
                continue
            if not isinstance(key_node, ScalarNode):
                self.error(line, "a mapping key must be a plain word or number")
                continue
            key = self.scalar(key_node)
            if not isinstance(key, Hashable):
                self.error(line, "a mapping key must be a plain word or number")
                continue
            if key in result:
                self.error(line, f"duplicate key '{key}' (first on line {first_lines[key]})")
                continue
            first_lines[key] = line
            self.lines.key_lines[(*path, key)] = line
            result[key] = self.convert(value_node, (*path, key))
        return result

    def scalar(self, node: ScalarNode) -> Any:
        if node.tag == _TIMESTAMP_TAG:
            return node.value
        if node.tag == _BOOL_TAG and node.value.lower() not in ("true", "false"):
            return node.value
        return self.constructor.construct_object(node)


class _TooLarge(Exception):
    def __init__(self, line: int) -> None:
        self.line = line


class _TooDeep(_TooLarge):
    pass


class _Recursive(_TooLarge):
    pass


def _syntax_message(error: yaml.YAMLError) -> tuple[int, str]:
    if not isinstance(error, yaml.MarkedYAMLError):
        return 1, f"invalid YAML: {error}"
    mark = error.problem_mark or error.context_mark
    line = mark.line + 1 if mark is not None else 1
    problem = (error.problem or "").strip() or "cannot be read"
    context = (error.context or "").strip()
    context_line = error.context_mark.line + 1 if error.context_mark is not None else line
    if not context:
        message = problem
    elif context.startswith("while"):
        # "while scanning a quoted scalar": where the trouble started is what the author needs.
        where = f" that starts on line {context_line}" if context_line != line else ""
        message = f"{problem} ({context}{where})"
    else:
        # "expected a single document in the stream" + "but found another document"
        where = f" (see line {context_line})" if context_line != line else ""
        message = f"{context} {problem}{where}"
    if "flow" in context:
        message += "; put texts that contain : ? , # [ ] { } in quotes"
    return line, f"invalid YAML: {message}"


def read_text(text: str, label: str) -> Source:
    """Read YAML text; problems become diagnostics instead of exceptions."""
    converter = _Converter(label)
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as error:
        line, message = _syntax_message(error)
        return Source(label, None, converter.lines, [Diagnostic(label, line, message)])
    except RecursionError:
        return Source(label, None, converter.lines, [Diagnostic(label, 1, "the file is nested too deeply")])
    if node is None:
        return Source(label, None, converter.lines, [Diagnostic(label, 1, "the file is empty")])
    try:
        data = converter.convert(node, ())
    except yaml.YAMLError as error:
        line, message = _syntax_message(error)
        converter.error(line, message)
        data = None
    except _Recursive as error:
        converter.error(error.line, "an alias refers to the structure that contains it")
        data = None
    except _TooDeep as error:
        converter.error(error.line, f"the file is nested more than {MAX_NESTING} levels deep")
        data = None
    except _TooLarge as error:
        converter.error(error.line, f"the file expands to more than {MAX_NODES} values (check its aliases)")
        data = None
    return Source(label, data, converter.lines, converter.diagnostics)


def read_file(path: Path, label: str) -> Source:
    """Read a YAML file (UTF-8, optionally with a byte order mark)."""
    try:
        raw = path.read_bytes()
    except OSError as error:
        return Source(
            label, None, LineMap(), [Diagnostic(label, 1, f"cannot read the file: {error.strerror}")]
        )
    if len(raw) > MAX_FILE_BYTES:
        return Source(label, None, LineMap(), [Diagnostic(label, 1, "the file is larger than 1 MB")])
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = raw[: error.start].count(b"\n") + 1
        return Source(label, None, LineMap(), [Diagnostic(label, line, "the file is not valid UTF-8")])
    return read_text(text, label)
