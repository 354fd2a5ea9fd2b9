"""Checks of a whole questionnaire file: schema, then every rule that needs line numbers or the whole file.

Each section and question is also validated on its own, so that one broken question does not hide the
problems of the others: a researcher gets every error of the file in one run.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterator
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel, ValidationError

from surveyapp.enums import Perspective, QuestionType
from surveyapp.questionnaires.burden import check_burden
from surveyapp.questionnaires.condition_checks import condition_problems
from surveyapp.questionnaires.errors import Diagnostic, describe_location, validation_diagnostics
from surveyapp.questionnaires.placeholders import ALLOWED_PLACEHOLDERS, TemplateError, placeholder_names
from surveyapp.questionnaires.question_checks import QuestionChecker
from surveyapp.questionnaires.schema import ADVICE_TAG, ROLE_TAG, Question, Questionnaire, ScoringModel, Text
from surveyapp.questionnaires.source import LineMap

Path_ = tuple[Hashable, ...]

_ALLOWED = ", ".join(f"{{{name}}}" for name in sorted(ALLOWED_PLACEHOLDERS))
_TOP_TEXTS = ("title", "intro", "outro", "privacy")


@dataclass
class CheckedFile:
    """A questionnaire file after checking: the model (only without errors) and where each question is."""

    label: str
    questionnaire: Questionnaire | None
    lines: LineMap
    diagnostics: list[Diagnostic]
    question_paths: dict[str, Path_] = field(default_factory=dict)

    @property
    def errors(self) -> list[Diagnostic]:
        """The errors (not the warnings)."""
        return [diagnostic for diagnostic in self.diagnostics if not diagnostic.warning]


def walk_texts(model: BaseModel, path: Path_) -> Iterator[tuple[Path_, Text]]:
    """Every Text inside a model, with its path."""
    for name in type(model).model_fields:
        yield from _texts_in(getattr(model, name), (*path, name))


def _texts_in(value: Any, path: Path_) -> Iterator[tuple[Path_, Text]]:
    if isinstance(value, Text):
        yield path, value
    elif isinstance(value, BaseModel):
        yield from walk_texts(value, path)
    elif isinstance(value, tuple):
        for index, entry in enumerate(value):
            yield from _texts_in(entry, (*path, index))
    elif hasattr(value, "items"):
        for key, entry in value.items():
            yield from _texts_in(entry, (*path, key))


def text_problems(text: Text, *, allowed: frozenset[str]) -> Iterator[tuple[str, str]]:
    """(language, problem) for braces that are not valid placeholders."""
    for lang in ("nl", "en"):
        try:
            names = placeholder_names(text.get(lang))
        except TemplateError as error:
            yield lang, str(error)
            continue
        for name in names:
            if name not in allowed:
                hint = f"allowed: {_ALLOWED}" if allowed else "no placeholders are allowed here"
                yield lang, f"uses unknown placeholder '{{{name}}}' ({hint})"


class FileChecker:
    """Checks one questionnaire file's data against the format and scoring.yaml."""

    def __init__(
        self, *, data: Any, lines: LineMap, label: str, scoring: ScoringModel, stem: str | None
    ) -> None:
        self.data = data
        self.lines = lines
        self.label = label
        self.scoring = scoring
        self.stem = stem
        self.diagnostics: list[Diagnostic] = []
        self.question_paths: dict[str, Path_] = {}
        # The question tagged `role` so far, with its line: a file has at most one.
        self.role_seen: tuple[str, int] | None = None
        self.advice_seen: tuple[str, int] | None = None

    def error(self, path: Path_, message: str) -> None:
        """Report an error at the line of `path`."""
        self.diagnostics.append(Diagnostic(self.label, self.lines.line(path), message))

    def warn(self, path: Path_, message: str) -> None:
        """Report a warning at the line of `path`."""
        self.diagnostics.append(Diagnostic(self.label, self.lines.line(path), message, warning=True))

    def run(self) -> CheckedFile:
        """Check everything; the questionnaire is returned only when there is no error."""
        if not isinstance(self.data, dict):
            self.error((), "the file must be a mapping of fields (slug: ..., title: ..., sections: ...)")
            return CheckedFile(self.label, None, self.lines, self.diagnostics)
        questionnaire: Questionnaire | None = None
        try:
            questionnaire = Questionnaire.model_validate(self.data)
        except ValidationError as error:
            self.diagnostics.extend(
                validation_diagnostics(
                    error, model=Questionnaire, data=self.data, lines=self.lines, label=self.label
                )
            )
        self.check_top()
        self.check_sections()
        has_errors = any(not diagnostic.warning for diagnostic in self.diagnostics)
        if questionnaire is not None and not has_errors:
            check_burden(questionnaire, self.warn)
        return CheckedFile(
            self.label,
            None if has_errors else questionnaire,
            self.lines,
            self.diagnostics,
            self.question_paths,
        )

    def raw(self, key: str) -> Any:
        """A top-level value as written."""
        return self.data.get(key)

    def check_texts(self, model: BaseModel, path: Path_) -> None:
        """Placeholders and braces in every text of a validated part."""
        for text_path, text in walk_texts(model, path):
            owner, fields = describe_location(text_path, self.data)
            for lang, problem in text_problems(text, allowed=ALLOWED_PLACEHOLDERS):
                message = f"'{'.'.join([*fields, lang])}' {problem}"
                self.error((*text_path, lang), f"{owner}: {message}" if owner else message)

    def check_raw_text(self, value: Any, path: Path_) -> None:
        """Placeholders in a text that has not been validated as part of a larger model."""
        try:
            text = Text.model_validate(value)
        except ValidationError:
            return  # reported by the schema validation
        owner, fields = describe_location(path, self.data)
        for lang, problem in text_problems(text, allowed=ALLOWED_PLACEHOLDERS):
            message = f"'{'.'.join([*fields, lang])}' {problem}"
            self.error((*path, lang), f"{owner}: {message}" if owner else message)

    def check_top(self) -> None:
        """The slug matches the file name; top-level texts; the mirror is another questionnaire."""
        slug = self.raw("slug")
        if self.stem is not None and isinstance(slug, str) and slug != self.stem:
            self.error(("slug",), f"slug '{slug}' does not match the file name '{self.stem}.yaml'")
        mirror = self.raw("mirror")
        if isinstance(slug, str) and mirror == slug:
            self.error(("mirror",), f"mirror '{mirror}' is this questionnaire itself")
        for name in _TOP_TEXTS:
            if self.raw(name) is not None:
                self.check_raw_text(self.raw(name), (name,))

    def perspective(self) -> Perspective | None:
        """The questionnaire's perspective as written, if valid."""
        try:
            return Perspective(self.raw("perspective"))
        except ValueError:
            return None

    def check_sections(self) -> None:
        """Walk sections and questions in order: duplicates, show_if references, per-question rules."""
        sections = self.raw("sections")
        if not isinstance(sections, list):
            return
        all_keys = {
            question.get("key")
            for section in sections
            if isinstance(section, dict) and isinstance(section.get("questions"), list)
            for question in section["questions"]
            if isinstance(question, dict) and isinstance(question.get("key"), str)
        }
        checker = QuestionChecker(
            scoring=self.scoring,
            perspective=self.perspective(),
            has_mirror=self.raw("mirror") is not None,
            error=self.error,
            warn=self.warn,
            line_of=self.lines.line,
        )
        defined: dict[str, Question | None] = {}
        section_lines: dict[str, int] = {}
        nps: tuple[str, int] | None = None
        for section_index, section in enumerate(sections):
            path: Path_ = ("sections", section_index)
            if not isinstance(section, dict):
                continue
            key = section.get("key")
            if isinstance(key, str):
                if key in section_lines:
                    self.error(
                        (*path, "key"), f"duplicate section key '{key}' (first on line {section_lines[key]})"
                    )
                else:
                    section_lines[key] = self.lines.line((*path, "key"))
            owner = f"section '{key}'" if isinstance(key, str) else f"section {section_index + 1}"
            show_if = section.get("show_if")
            if isinstance(show_if, str):
                for problem in condition_problems(
                    show_if, available=dict(defined), all_keys=all_keys, own_key=None, section_level=True
                ):
                    self.error((*path, "show_if"), f"{owner}: {problem}")
            for name in ("title", "intro"):
                if section.get(name) is not None:
                    self.check_raw_text(section[name], (*path, name))
            if isinstance(section.get("probe"), list):
                for index, probe in enumerate(section["probe"]):
                    self.check_raw_text(probe, (*path, "probe", index))
            questions = section.get("questions")
            if not isinstance(questions, list):
                continue
            for question_index, raw_question in enumerate(questions):
                question_path: Path_ = (*path, "questions", question_index)
                nps = self.check_question(raw_question, question_path, checker, defined, all_keys, nps)

    def check_question(
        self,
        raw_question: Any,
        path: Path_,
        checker: QuestionChecker,
        defined: dict[str, Question | None],
        all_keys: set[Any],
        nps: tuple[str, int] | None,
    ) -> tuple[str, int] | None:
        """One question in file order; returns the (key, line) of the nps question seen so far."""
        if not isinstance(raw_question, dict):
            return nps
        key = raw_question.get("key")
        if isinstance(key, str) and key in self.question_paths:
            first = self.lines.line((*self.question_paths[key], "key"))
            self.error((*path, "key"), f"duplicate question key '{key}' (first on line {first})")
            return nps
        try:
            question: Question | None = Question.model_validate(raw_question)
        except ValidationError:
            question = None  # reported by the schema validation of the whole file
        if question is not None:
            if question.show_if is not None:
                for problem in condition_problems(
                    question.show_if,
                    available=defined,
                    all_keys=all_keys,
                    own_key=question.key,
                    section_level=False,
                ):
                    self.error((*path, "show_if"), f"question '{question.key}': {problem}")
            checker.check(question, path)
            self.check_texts(question, path)
            if question.type is QuestionType.NPS:
                if nps is not None:
                    self.error(
                        (*path, "type"),
                        f"question '{question.key}': a second nps question (the first is '{nps[0]}' on line "
                        f"{nps[1]}); a questionnaire has at most one",
                    )
                else:
                    nps = (question.key, self.lines.line((*path, "type")))
            if ROLE_TAG in question.tags:
                if self.role_seen is not None:
                    self.error(
                        (*path, "tags"),
                        f"question '{question.key}': a second question tagged 'role' (the first is "
                        f"'{self.role_seen[0]}' on line {self.role_seen[1]}); a questionnaire has at most one",
                    )
                else:
                    self.role_seen = (question.key, self.lines.line((*path, "tags")))
            if ADVICE_TAG in question.tags:
                if self.advice_seen is not None:
                    self.error(
                        (*path, "tags"),
                        f"question '{question.key}': a second question tagged 'advice' (the first is "
                        f"'{self.advice_seen[0]}' on line {self.advice_seen[1]}); a questionnaire has at most one",
                    )
                else:
                    self.advice_seen = (question.key, self.lines.line((*path, "tags")))
        if isinstance(key, str):
            self.question_paths[key] = path
            defined[key] = question
        return nps
