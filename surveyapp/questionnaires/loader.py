"""Loading questionnaire files and scoring.yaml: from files (every error, line-numbered) or stored content.

Loaded definitions are frozen and shared: the same content always yields the same object, from a file or from
the database, cached by its version hash.
"""

from __future__ import annotations

import os
import threading
from collections import OrderedDict
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from types import MappingProxyType
from typing import Any, TypeVar

from surveyapp.questionnaires import burden
from surveyapp.questionnaires.checks import CheckedFile, FileChecker
from surveyapp.questionnaires.errors import Diagnostic, QuestionnaireError, sorted_messages
from surveyapp.questionnaires.schema import Questionnaire, ScoringModel, Versioned, content_hash
from surveyapp.questionnaires.scoring_checks import check_mirrors, check_perspective_coverage, check_scoring
from surveyapp.questionnaires.source import LineMap, read_file

SCORING_FILE = "scoring.yaml"
SUFFIX = ".yaml"
#: The subfolder of a catalogue that keeps earlier versions of its files, one folder per time they were fielded.
EARLIER = "earlier"
_CACHE_SIZE = 512

V = TypeVar("V", bound=Versioned)


class _VersionCache:
    """Definitions by content hash, so that every user of one version shares one frozen object."""

    def __init__(self) -> None:
        self._entries: OrderedDict[tuple[type, str], Versioned] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, kind: type[V], key: str) -> V | None:
        with self._lock:
            found = self._entries.get((kind, key))
            if found is not None:
                self._entries.move_to_end((kind, key))
            return found  # type: ignore[return-value]

    def share(self, definition: V, *aliases: str) -> V:
        """The cached object equal to `definition` (stored first if new), also reachable under `aliases`."""
        kind = type(definition)
        with self._lock:
            shared = self._entries.get((kind, definition.version), definition)
            for key in (definition.version, *aliases):
                self._entries[(kind, key)] = shared
                self._entries.move_to_end((kind, key))
            while len(self._entries) > _CACHE_SIZE:
                self._entries.popitem(last=False)
            return shared  # type: ignore[return-value]


_cache = _VersionCache()


def _from_content(kind: type[V], content: Mapping[str, Any]) -> V:
    key = content_hash(content)
    found = _cache.get(kind, key)
    if found is not None:
        return found
    return _cache.share(kind.model_validate(dict(content)), key)


def cached_definition(kind: type[V], version: str) -> V | None:
    """The shared definition of that version if one was loaded already (by this process), else None."""
    return _cache.get(kind, version)


def questionnaire_from_content(content: Mapping[str, Any]) -> Questionnaire:
    """The frozen questionnaire for stored content (`Questionnaire.content()`), cached by version.

    Stored content was checked when its version was first used; it is validated against the schema again but
    not against today's scoring.yaml, so an old version keeps loading after the fit model changes.
    """
    return _from_content(Questionnaire, content)


def scoring_from_content(content: Mapping[str, Any]) -> ScoringModel:
    """The frozen scoring model for stored content (`ScoringModel.content()`), cached by version."""
    return _from_content(ScoringModel, content)


def display_path(path: Path) -> str:
    """A path as messages show it: relative to the working directory when it is inside it."""
    try:
        relative = path.resolve().relative_to(Path.cwd().resolve())
    except ValueError:
        return str(path)
    return str(relative) if str(relative) != "." else str(path)


def _read_scoring(path: Path) -> tuple[ScoringModel | None, LineMap, list[Diagnostic]]:
    label = display_path(path)
    source = read_file(path, label)
    if source.data is None:
        return None, source.lines, source.diagnostics
    model, diagnostics = check_scoring(source.data, source.lines, label)
    diagnostics = source.diagnostics + diagnostics
    if any(not diagnostic.warning for diagnostic in diagnostics):
        model = None
    return (_cache.share(model) if model is not None else None), source.lines, diagnostics


def _read_questionnaire(path: Path, scoring: ScoringModel) -> CheckedFile:
    label = display_path(path)
    source = read_file(path, label)
    if source.data is None:
        return CheckedFile(label, None, source.lines, source.diagnostics)
    checked = FileChecker(
        data=source.data,
        lines=source.lines,
        label=label,
        scoring=scoring,
        stem=path.name.removesuffix(SUFFIX),
    ).run()
    checked.diagnostics[:0] = source.diagnostics
    if checked.questionnaire is not None and not checked.errors:
        checked.questionnaire = _cache.share(checked.questionnaire)
    else:
        checked.questionnaire = None
    return checked


def load_scoring(path: Path | str) -> ScoringModel:
    """Load and check scoring.yaml; raises QuestionnaireError with every error."""
    model, _, diagnostics = _read_scoring(Path(path))
    if model is None:
        raise QuestionnaireError(sorted_messages(d for d in diagnostics if not d.warning))
    return model


def load_questionnaire(path: Path | str, scoring: ScoringModel) -> Questionnaire:
    """Load and check one questionnaire file against a scoring model; raises QuestionnaireError (every error).

    Cross-file rules (`mirror_of`) need the other file: use `load_directory` or `check_paths` for those.
    """
    checked = _read_questionnaire(Path(path), scoring)
    if checked.questionnaire is None:
        raise QuestionnaireError(sorted_messages(checked.errors))
    return checked.questionnaire


@dataclass(frozen=True)
class Catalogue:
    """Every questionnaire of a folder plus its scoring.yaml, checked together."""

    directory: Path
    scoring: ScoringModel
    questionnaires: Mapping[str, Questionnaire]
    warnings: tuple[str, ...] = ()

    def __iter__(self) -> Iterator[Questionnaire]:
        return iter(self.questionnaires.values())

    def __len__(self) -> int:
        return len(self.questionnaires)

    def get(self, slug: str) -> Questionnaire:
        """The questionnaire with this slug; raises KeyError."""
        return self.questionnaires[slug]

    def as_fielded(self, name: str) -> Catalogue:
        """This catalogue as it was fielded at an earlier time: the files kept in its folder `earlier/<name>`
        (read against this catalogue's scoring.yaml) in place of today's; itself when there is no such folder.
        For the demo's finished wave and for tests that need the questions of then (questionnaires/earlier)."""
        folder = self.directory / EARLIER / name
        if not folder.is_dir():
            return self
        then = {path.name.removesuffix(SUFFIX): path for path in sorted(folder.glob(f"*{SUFFIX}"))}
        questionnaires = {
            slug: load_questionnaire(then[slug], self.scoring) if slug in then else questionnaire
            for slug, questionnaire in self.questionnaires.items()
        }
        return replace(self, questionnaires=MappingProxyType(questionnaires))


@dataclass
class CheckResult:
    """The outcome of `check_paths`: messages as `path:line: message`, and one summary line per valid file."""

    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    summaries: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """True when there is no error."""
        return not self.errors


@dataclass
class _Group:
    """The files of one folder that are checked together, against that folder's scoring.yaml."""

    directory: Path
    files: list[Path] = field(default_factory=list)
    complete: bool = False
    scoring_requested: bool = False


@dataclass
class _GroupOutcome:
    scoring: ScoringModel | None
    scoring_label: str
    files: list[CheckedFile]
    diagnostics: list[Diagnostic]


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def _questionnaire_files(directory: Path) -> tuple[list[Path], list[Diagnostic]]:
    files = sorted(
        path for path in directory.glob(f"*{SUFFIX}") if path.name != SCORING_FILE and path.is_file()
    )
    ignored = [
        Diagnostic(display_path(path), 1, f"ignored: questionnaire files end in '{SUFFIX}'", warning=True)
        for path in sorted(directory.glob("*.yml"))
    ]
    return files, ignored


def _check_group(group: _Group) -> _GroupOutcome:
    scoring_path = group.directory / SCORING_FILE
    scoring_label = display_path(scoring_path)
    if not scoring_path.is_file():
        missing = Diagnostic(
            scoring_label, 1, "no such file: every questionnaire folder needs a scoring.yaml"
        )
        return _GroupOutcome(None, scoring_label, [], [missing])
    scoring, scoring_lines, diagnostics = _read_scoring(scoring_path)
    if scoring is None:
        # Without a valid fit model the dimensions cannot be checked; report scoring.yaml first.
        return _GroupOutcome(None, scoring_label, [], diagnostics)
    files = [_read_questionnaire(path, scoring) for path in group.files]
    diagnostics.extend(d for file in files for d in file.diagnostics)
    slugs = {path.name.removesuffix(SUFFIX) for path in group.files}
    cross = check_mirrors(files, complete=group.complete, slugs=slugs)
    # Coverage needs every file: with a broken one its dimensions would look unused.
    if group.complete and all(file.questionnaire is not None for file in files):
        cross += check_perspective_coverage(files, scoring, label=scoring_label, lines=scoring_lines)
    diagnostics.extend(cross)
    failed = {d.label for d in cross if not d.warning}
    for file in files:
        if file.label in failed:
            file.questionnaire = None
    return _GroupOutcome(scoring, scoring_label, files, diagnostics)


def _groups(paths: Iterable[Path], diagnostics: list[Diagnostic]) -> list[_Group]:
    groups: dict[Path, _Group] = {}

    def group_of(directory: Path) -> _Group:
        return groups.setdefault(directory.resolve(), _Group(directory))

    for path in paths:
        if path.is_dir():
            group = group_of(path)
            files, ignored = _questionnaire_files(path)
            diagnostics.extend(ignored)
            known = {file.resolve() for file in group.files}
            group.files.extend(file for file in files if file.resolve() not in known)
            group.complete = group.scoring_requested = True
        elif path.is_file():
            group = group_of(path.parent)
            if path.name == SCORING_FILE:
                group.scoring_requested = True
            elif path.resolve() not in {file.resolve() for file in group.files}:
                group.files.append(path)
        else:
            diagnostics.append(Diagnostic(display_path(path), 1, "no such file or folder"))
    return list(groups.values())


def check_paths(paths: Sequence[Path | str]) -> CheckResult:
    """Check files and folders (a folder: all its questionnaires and scoring.yaml, with cross-file rules)."""
    diagnostics: list[Diagnostic] = []
    result = CheckResult()
    for group in _groups([Path(path) for path in paths], diagnostics):
        outcome = _check_group(group)
        diagnostics.extend(outcome.diagnostics)
        if outcome.scoring is not None and group.scoring_requested:
            result.summaries.append(
                f"OK {outcome.scoring_label}: scoring v{outcome.scoring.version[:12]}, "
                f"{_plural(len(outcome.scoring.dimensions), 'dimension')}"
            )
        for file in outcome.files:
            questionnaire = file.questionnaire
            if questionnaire is None:
                continue
            result.summaries.append(
                f"OK {file.label}: {questionnaire.slug} v{questionnaire.version[:12]}, "
                f"{_plural(len(questionnaire.sections), 'section')}, "
                f"{_plural(len(questionnaire.questions), 'question')}, "
                f"{_plural(len(questionnaire.scored_items), 'scored item')}, {burden.summary(questionnaire)}"
            )
    result.errors = sorted_messages(d for d in diagnostics if not d.warning)
    result.warnings = sorted_messages(d for d in diagnostics if d.warning)
    return result


def load_directory(path: Path | str) -> Catalogue:
    """Load a questionnaire folder with all cross-file checks; raises QuestionnaireError listing every error.

    Meant for start-up: the app refuses to start with an invalid shipped questionnaire.
    """
    directory = Path(path)
    diagnostics: list[Diagnostic] = []
    if not directory.is_dir():
        raise QuestionnaireError([f"{display_path(directory)}: no such folder"])
    group = _groups([directory], diagnostics)[0]
    outcome = _check_group(group)
    diagnostics.extend(outcome.diagnostics)
    errors = sorted_messages(d for d in diagnostics if not d.warning)
    if errors or outcome.scoring is None:
        raise QuestionnaireError(errors)
    questionnaires = {
        file.questionnaire.slug: file.questionnaire
        for file in outcome.files
        if file.questionnaire is not None
    }
    return Catalogue(
        directory=directory,
        scoring=outcome.scoring,
        questionnaires=MappingProxyType(questionnaires),
        warnings=tuple(sorted_messages(d for d in diagnostics if d.warning)),
    )


def default_directory() -> Path:
    """The questionnaire folder: the app's QUESTIONNAIRE_DIR inside an app context, else the project's own."""
    from flask import current_app, has_app_context

    if has_app_context() and current_app.config.get("QUESTIONNAIRE_DIR"):
        return Path(current_app.config["QUESTIONNAIRE_DIR"])
    configured = os.environ.get("SURVEYAPP_QUESTIONNAIRE_DIR")
    if configured:
        return Path(configured)
    return Path(__file__).resolve().parents[2] / "questionnaires"
