"""Checks of scoring.yaml, and the checks that need several files at once (mirrors, perspectives)."""

from __future__ import annotations

from collections.abc import Collection, Hashable, Sequence
from typing import Any

from pydantic import ValidationError

from surveyapp.enums import Perspective, QuestionType
from surveyapp.questionnaires.checks import CheckedFile, text_problems, walk_texts
from surveyapp.questionnaires.errors import Diagnostic, describe_location, validation_diagnostics
from surveyapp.questionnaires.schema import Dimension, Questionnaire, ScoringModel, Thresholds
from surveyapp.questionnaires.source import LineMap

Path_ = tuple[Hashable, ...]
_PERCENT_THRESHOLDS = ("quadrant", "gap", "signal", "borderline_band", "deal_fit_go", "deal_fit_no_go")


def check_scoring(data: Any, lines: LineMap, label: str) -> tuple[ScoringModel | None, list[Diagnostic]]:
    """Validate scoring.yaml; the model is returned only when there is no error."""
    diagnostics: list[Diagnostic] = []

    def error(path: Path_, message: str) -> None:
        diagnostics.append(Diagnostic(label, lines.line(path), message))

    if not isinstance(data, dict):
        error((), "the file must be a mapping of fields (dimensions: ..., thresholds: ...)")
        return None, diagnostics
    model: ScoringModel | None = None
    try:
        model = ScoringModel.model_validate(data)
    except ValidationError as exc:
        diagnostics.extend(
            validation_diagnostics(exc, model=ScoringModel, data=data, lines=lines, label=label)
        )
    dimensions = data.get("dimensions")
    first: dict[str, int] = {}
    for index, raw in enumerate(dimensions if isinstance(dimensions, list) else []):
        path: Path_ = ("dimensions", index)
        if not isinstance(raw, dict):
            continue
        key = raw.get("key")
        if isinstance(key, str) and key in first:
            error((*path, "key"), f"duplicate dimension key '{key}' (first on line {first[key]})")
        elif isinstance(key, str):
            first[key] = lines.line((*path, "key"))
        try:
            dimension = Dimension.model_validate(raw)
        except ValidationError:
            continue
        owner = f"dimension '{dimension.key}'"
        if not dimension.perspectives:
            error((*path, "perspectives"), f"{owner}: 'perspectives' needs at least one perspective")
        if Perspective.NONE in dimension.perspectives:
            error((*path, "perspectives"), f"{owner}: 'none' is not a perspective that can judge a dimension")
        if len(set(dimension.perspectives)) != len(dimension.perspectives):
            error((*path, "perspectives"), f"{owner}: 'perspectives' names a perspective twice")
        for text_path, text in walk_texts(dimension, path):
            _, fields = describe_location(text_path, data)
            for lang, problem in text_problems(text, allowed=frozenset()):
                error((*text_path, lang), f"{owner}: '{'.'.join([*fields, lang])}' {problem}")
    _check_thresholds(data.get("thresholds"), error)
    _check_compared(data.get("perspectives_compared"), error)
    has_errors = bool(diagnostics)
    return (None if has_errors else model), diagnostics


def _check_thresholds(raw: Any, error: Any) -> None:
    if not isinstance(raw, dict):
        return
    try:
        thresholds = Thresholds.model_validate(raw)
    except ValidationError:
        return
    for name in _PERCENT_THRESHOLDS:
        value = getattr(thresholds, name)
        if not 0 <= value <= 100:
            error(("thresholds", name), f"thresholds: '{name}' must be from 0 to 100, not {_n(value)}")
    if thresholds.min_n < 1:
        error(("thresholds", "min_n"), f"thresholds: 'min_n' must be at least 1, not {thresholds.min_n}")
    if thresholds.confidential_min_n < 3:
        error(
            ("thresholds", "confidential_min_n"),
            f"thresholds: 'confidential_min_n' must be at least 3 (in a group of two each can read the other's "
            f"answers, and the survey and email texts promise three), not {thresholds.confidential_min_n}",
        )
    if thresholds.deal_fit_no_go > thresholds.deal_fit_go:
        error(
            ("thresholds", "deal_fit_no_go"),
            f"thresholds: 'deal_fit_no_go' ({_n(thresholds.deal_fit_no_go)}) must not be above "
            f"'deal_fit_go' ({_n(thresholds.deal_fit_go)})",
        )


def _check_compared(raw: Any, error: Any) -> None:
    if not isinstance(raw, list):
        return
    try:
        compared = [Perspective(value) for value in raw]
    except ValueError:
        return  # reported by the schema validation
    if len(compared) != 2 or len(set(compared)) != 2 or Perspective.NONE in compared:
        error(
            ("perspectives_compared",),
            "'perspectives_compared' must name two different perspectives (client, supplier, "
            "supplier_predicts_client)",
        )


def _n(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else str(value)


def check_mirrors(
    files: Sequence[CheckedFile], *, complete: bool, slugs: Collection[str] = ()
) -> list[Diagnostic]:
    """`mirror` names a loaded questionnaire and every `mirror_of` an item or question in it.

    With `complete` (a whole folder), a mirror that is not there is an error; otherwise it may simply not
    have been passed to the check, and the references are not checked. `slugs` are the file names present
    (a mirror whose file exists but has errors of its own is not reported again).
    """
    by_slug = {file.questionnaire.slug: file for file in files if file.questionnaire is not None}
    diagnostics: list[Diagnostic] = []
    for file in files:
        questionnaire = file.questionnaire
        if questionnaire is None or questionnaire.mirror is None:
            continue
        target = by_slug.get(questionnaire.mirror)
        if target is None or target.questionnaire is None:
            if complete and questionnaire.mirror not in slugs:
                diagnostics.append(
                    Diagnostic(
                        file.label,
                        file.lines.line(("mirror",)),
                        f"mirror '{questionnaire.mirror}' is not a questionnaire in this folder",
                    )
                )
            continue
        diagnostics.extend(_check_mirror_refs(file, questionnaire, target.questionnaire))
    return diagnostics


def _check_mirror_refs(
    file: CheckedFile, questionnaire: Questionnaire, mirror: Questionnaire
) -> list[Diagnostic]:
    diagnostics = []
    mirror_questions = {question.key: question for question in mirror.questions}
    mirror_rows = {item.key: item for item in mirror.items if item.row is not None}
    for question in questionnaire.questions:
        if question.mirror_of is None:
            continue
        line = file.lines.line((*file.question_paths[question.key], "mirror_of"))
        owner = f"question '{question.key}'"
        if question.mirror_of in mirror_questions:
            other = mirror_questions[question.mirror_of]
            other_type, other_dimension = other.type, other.dimension
        elif question.mirror_of in mirror_rows:
            # A matrix row is answered like a scale question.
            other_type, other_dimension = QuestionType.SCALE, mirror_rows[question.mirror_of].dimension
        else:
            message = f"{owner}: mirror_of '{question.mirror_of}' is not in '{mirror.slug}'"
            diagnostics.append(Diagnostic(file.label, line, message))
            continue
        if other_type is not question.type:
            message = (
                f"{owner}: is a {question.type.value} question but mirrors a {other_type.value} question in "
                f"'{mirror.slug}'"
            )
            diagnostics.append(Diagnostic(file.label, line, message, warning=True))
        elif question.type is not QuestionType.MATRIX and question.dimension != other_dimension:
            message = (
                f"{owner}: dimension '{question.dimension}' differs from '{other_dimension}' of "
                f"'{question.mirror_of}' in '{mirror.slug}'"
            )
            diagnostics.append(Diagnostic(file.label, line, message, warning=True))
    return diagnostics


def check_perspective_coverage(
    files: Sequence[CheckedFile], scoring: ScoringModel, *, label: str, lines: LineMap
) -> list[Diagnostic]:
    """Warn where scoring.yaml says both compared perspectives judge a dimension but only one is asked.

    Also warn about dimensions no questionnaire asks at all. Both only make sense for a whole folder.
    """
    asked: dict[str, set[Perspective]] = {key: set() for key in scoring.dimension_keys}
    for file in files:
        questionnaire = file.questionnaire
        if questionnaire is None or questionnaire.perspective not in scoring.perspectives_compared:
            continue
        for item in questionnaire.scored_items:
            if item.dimension in asked:
                asked[item.dimension].add(questionnaire.perspective)
    used = {
        item.dimension
        for file in files
        if file.questionnaire is not None
        for item in file.questionnaire.scored_items
    }
    diagnostics = []
    for index, dimension in enumerate(scoring.dimensions):
        line = lines.line(("dimensions", index, "key"))
        if dimension.key not in used:
            message = f"dimension '{dimension.key}' is not used by any questionnaire"
            diagnostics.append(Diagnostic(label, line, message, warning=True))
            continue
        judges = [p for p in scoring.perspectives_compared if p in dimension.perspectives]
        missing = [p for p in judges if p not in asked[dimension.key]]
        if len(judges) == 2 and len(missing) == 1:
            present = next(p for p in judges if p not in missing)
            diagnostics.append(
                Diagnostic(
                    label,
                    line,
                    f"dimension '{dimension.key}' is asked from the {present.value} perspective only, but "
                    f"scoring.yaml says {missing[0].value} can judge it too",
                    warning=True,
                )
            )
    return diagnostics
