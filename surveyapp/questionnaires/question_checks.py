"""Checks of one question against its type and scoring.yaml (the rules pydantic cannot express)."""

from __future__ import annotations

import difflib
from collections.abc import Callable, Hashable

from surveyapp.enums import DecisionKind, Perspective, QuestionType
from surveyapp.questionnaires.schema import (
    ADVICE_TAG,
    CHOICE_TYPES,
    NPS_TAG,
    ROLE_TAG,
    SCALE_TYPES,
    SCORING_TYPES,
    Question,
    ScoringModel,
)

#: The options an `advice` question must offer: the decisions of the act phase (rule 20).
ADVICE_DECISIONS = tuple(kind.value for kind in DecisionKind)

MIN_POINTS = 2
MAX_POINTS = 11

Path_ = tuple[Hashable, ...]
Report = Callable[[Path_, str], None]

_FIELDS_BY_TYPES: tuple[tuple[str, frozenset[QuestionType], str], ...] = (
    ("scale", SCALE_TYPES, "scale and matrix"),
    ("knockout_at_or_below", frozenset({QuestionType.SCALE}), "scale"),
    ("condition_at_or_below", frozenset({QuestionType.SCALE}), "scale"),
    ("condition", frozenset({QuestionType.SCALE}), "scale (options carry their own condition)"),
    ("options", CHOICE_TYPES, "single and multi"),
    ("min", frozenset({QuestionType.NUMBER}), "number"),
    ("max", frozenset({QuestionType.NUMBER}), "number"),
    ("unit", frozenset({QuestionType.NUMBER}), "number"),
    ("max_length", frozenset({QuestionType.TEXT, QuestionType.LONGTEXT}), "text and longtext"),
    ("rows", frozenset({QuestionType.MATRIX}), "matrix"),
    ("bands", frozenset({QuestionType.NUMBER}), "number"),
)
_REVERSIBLE = frozenset({QuestionType.SCALE, QuestionType.NPS, QuestionType.MATRIX})
_NEVER_NOT_APPLICABLE = frozenset({QuestionType.TEXT, QuestionType.LONGTEXT})


def _perspective_judging(perspective: Perspective) -> Perspective | None:
    # Staff predicting the client's answers judge what the client judges.
    if perspective is Perspective.SUPPLIER_PREDICTS_CLIENT:
        return Perspective.CLIENT
    return None if perspective is Perspective.NONE else perspective


class QuestionChecker:
    """Runs the per-question rules, reporting through `error` and `warn` callbacks (path, message)."""

    def __init__(
        self,
        *,
        scoring: ScoringModel,
        perspective: Perspective | None,
        has_mirror: bool,
        error: Report,
        warn: Report,
        line_of: Callable[[Path_], int],
    ) -> None:
        self.scoring = scoring
        self.perspective = perspective
        self.has_mirror = has_mirror
        self.error = error
        self.warn = warn
        self.line_of = line_of

    def check(self, question: Question, path: Path_) -> None:
        """Check one question that passed the schema."""
        owner = f"question '{question.key}'"
        kind = question.type
        for field, types, names in _FIELDS_BY_TYPES:
            if getattr(question, field) is not None and kind not in types:
                self.error((*path, field), f"{owner}: '{field}' is only used by {names} questions")
        if question.reverse and kind not in _REVERSIBLE:
            hint = " (give the options reversed scores instead)" if kind in CHOICE_TYPES else ""
            self.error(
                (*path, "reverse"), f"{owner}: 'reverse' is not allowed on {kind.value} questions{hint}"
            )
        if question.not_applicable and kind in _NEVER_NOT_APPLICABLE:
            self.error(
                (*path, "not_applicable"),
                f"{owner}: 'not_applicable' is not allowed on {kind.value} questions (leave it unanswered)",
            )
        if question.mirror_of is not None and not self.has_mirror:
            self.error((*path, "mirror_of"), f"{owner}: 'mirror_of' needs 'mirror' at the top of the file")
        self.check_dimension(question.dimension, kind, (*path, "dimension"), owner)
        self.check_tags(question, path, owner)
        if kind in SCALE_TYPES:
            self.check_scale(question, path, owner)
        if kind is QuestionType.SCALE:
            self.check_scale_rules(question, path, owner)
        if kind in CHOICE_TYPES:
            self.check_options(question, path, owner)
        minimum, maximum = question.min, question.max
        if kind is QuestionType.NUMBER and minimum is not None and maximum is not None and minimum > maximum:
            self.error(
                (*path, "min"), f"{owner}: 'min' ({_n(minimum)}) is greater than 'max' ({_n(maximum)})"
            )
        if question.max_length is not None and question.max_length < 1:
            self.error((*path, "max_length"), f"{owner}: 'max_length' must be at least 1")
        if kind is QuestionType.MATRIX:
            self.check_rows(question, path, owner)
        if kind is QuestionType.NUMBER:
            self.check_bands(question, path, owner)
        if question.weight != 1 and not self.has_dimension(question):
            self.warn((*path, "weight"), f"{owner}: 'weight' has no effect without a dimension")

    @staticmethod
    def has_dimension(question: Question) -> bool:
        """True when the question or one of its rows names a dimension."""
        return question.dimension is not None or any(row.dimension for row in question.rows or ())

    def check_dimension(self, dimension: str | None, kind: QuestionType, path: Path_, owner: str) -> None:
        """The dimension exists, the type can score, and the questionnaire's perspective may judge it."""
        if dimension is None:
            return
        if kind not in SCORING_TYPES:
            self.error(path, f"{owner}: a {kind.value} question never scores, so it cannot have a dimension")
            return
        keys = self.scoring.dimension_keys
        if dimension not in keys:
            matches = difflib.get_close_matches(dimension, list(keys), n=1)
            hint = f" (did you mean '{matches[0]}'?)" if matches else ""
            self.error(path, f"{owner}: unknown dimension '{dimension}'{hint}")
            return
        judge = _perspective_judging(self.perspective) if self.perspective is not None else None
        judges = self.scoring.dimension(dimension).perspectives
        if judge is not None and judge not in judges:
            allowed = ", ".join(perspective.value for perspective in judges)
            self.warn(
                path,
                f"{owner}: dimension '{dimension}' is scored from the {judge.value} perspective here, "
                f"but scoring.yaml lets only {allowed} judge it",
            )

    def check_tags(self, question: Question, path: Path_, owner: str) -> None:
        """Tags that contradict the question."""
        tags = set(question.tags)
        if NPS_TAG in tags and question.type is not QuestionType.NPS:
            self.error((*path, "tags"), f"{owner}: the 'nps' tag belongs to the nps question only")
        if ROLE_TAG in tags and question.type is not QuestionType.SINGLE:
            self.error(
                (*path, "tags"),
                f"{owner}: the 'role' tag belongs to a single-choice question (its options are the role groups)",
            )
        if ADVICE_TAG in tags:
            self._check_advice(path, owner, question)
        if "signal" in tags and question.type not in SCORING_TYPES:
            self.warn(
                (*path, "tags"),
                f"{owner}: a {question.type.value} question never scores, so the 'signal' tag has no effect",
            )
        knocks_out = question.knockout_at_or_below is not None or any(
            option.knockout for option in question.options or ()
        )
        if "knockout" in tags and not knocks_out:
            self.warn(
                (*path, "tags"),
                f"{owner}: tagged 'knockout' but has no 'knockout_at_or_below' and no knockout option",
            )

    def check_bands(self, question: Question, path: Path_, owner: str) -> None:
        """A number scores only through its bands: ascending `up_to`, the last band open-ended (so every answer
        has a score), scores within 0..100. Without bands it may not have a dimension or the signal tag."""
        bands = question.bands
        if bands is None:
            if question.dimension is not None or "signal" in question.tags:
                self.error(
                    path,
                    f"{owner}: a number question scores only through 'bands' (which answers score what); "
                    "add them, or leave out the dimension and the signal tag",
                )
            return
        bands_path = (*path, "bands")
        if len(bands) < 2:
            self.error(bands_path, f"{owner}: 'bands' needs at least two bands")
            return
        previous: float | None = None
        for index, band in enumerate(bands):
            last = index == len(bands) - 1
            if not 0 <= band.score <= 100:
                self.error(
                    (*bands_path, index),
                    f"{owner}: band {index + 1}: score {_n(band.score)} is outside 0..100",
                )
            if last and band.up_to is not None:
                self.error(
                    (*bands_path, index),
                    f"{owner}: the last band has no 'up_to' (it holds every answer above "
                    f"{_n(band.up_to)}), so that every answer scores",
                )
            elif not last and band.up_to is None:
                self.error(
                    (*bands_path, index),
                    f"{owner}: band {index + 1} needs 'up_to' (only the last band is open)",
                )
            elif band.up_to is not None:
                if previous is not None and band.up_to <= previous:
                    self.error(
                        (*bands_path, index),
                        f"{owner}: band {index + 1}: 'up_to' {_n(band.up_to)} must be above the band before "
                        f"({_n(previous)})",
                    )
                previous = band.up_to

    def check_scale(self, question: Question, path: Path_, owner: str) -> None:
        """Points within 2..11 and anchors on the scale, including its ends."""
        spec = question.scale
        if spec is None:
            self.error(path, f"{owner}: a {question.type.value} question needs 'scale' (points and anchors)")
            return
        scale_path = (*path, "scale")
        if not MIN_POINTS <= spec.points <= MAX_POINTS:
            self.error(
                (*scale_path, "points"),
                f"{owner}: scale points must be from {MIN_POINTS} to {MAX_POINTS}, not {spec.points}",
            )
            return
        for value in spec.anchors:
            if not 1 <= value <= spec.points:
                self.error(
                    (*scale_path, "anchors", value),
                    f"{owner}: anchor {value} is outside the scale 1..{spec.points}",
                )
        missing = [str(end) for end in (1, spec.points) if end not in spec.anchors]
        if missing:
            self.error(
                (*scale_path, "anchors") if spec.anchors else scale_path,
                f"{owner}: the scale needs anchors for its lowest and highest values "
                f"(missing: {', '.join(missing)})",
            )

    def check_scale_rules(self, question: Question, path: Path_, owner: str) -> None:
        """knockout_at_or_below and condition_at_or_below lie on the scale; a condition has its text."""
        points = question.scale.points if question.scale is not None else 0
        for field in ("knockout_at_or_below", "condition_at_or_below"):
            value = getattr(question, field)
            # Without valid points the scale itself is reported; the limits cannot be judged then.
            if value is not None and MIN_POINTS <= points <= MAX_POINTS and not 1 <= value < points:
                self.error((*path, field), f"{owner}: '{field}' must be from 1 to {points - 1}, not {value}")
        if question.condition_at_or_below is not None and question.condition is None:
            self.error(
                (*path, "condition_at_or_below"), f"{owner}: 'condition_at_or_below' needs a 'condition'"
            )
        if question.condition is not None and question.condition_at_or_below is None:
            self.error((*path, "condition"), f"{owner}: 'condition' needs 'condition_at_or_below'")

    def check_options(self, question: Question, path: Path_, owner: str) -> None:
        """At least two options, unique keys, scores in 0..100 and present where the question scores."""
        options = question.options or ()
        if len(options) < 2:
            where = (*path, "options") if question.options is not None else path
            self.error(where, f"{owner}: a {question.type.value} question needs at least two options")
        first: dict[str, int] = {}
        for index, option in enumerate(options):
            option_path = (*path, "options", index)
            option_owner = f"{owner}, option '{option.key}'"
            if option.key in first:
                self.error(
                    (*option_path, "key"),
                    f"{owner}: duplicate option key '{option.key}' (first on line {first[option.key]})",
                )
                continue
            first[option.key] = self.line_of((*option_path, "key"))
            if option.score is not None and not 0 <= option.score <= 100:
                self.error(
                    (*option_path, "score"), f"{option_owner}: score {_n(option.score)} is outside 0..100"
                )
            if option.not_applicable and option.score is not None:
                self.error(
                    (*option_path, "score"), f"{option_owner}: a not-applicable option cannot have a score"
                )
            if question.dimension is not None and option.score is None and not option.not_applicable:
                self.error(
                    option_path,
                    f"{option_owner}: needs a score (the question has dimension '{question.dimension}')",
                )
        if question.not_applicable and any(option.not_applicable for option in options):
            self.warn(
                (*path, "not_applicable"),
                f"{owner}: has both 'not_applicable' and a not-applicable option (respondents see both)",
            )

    def check_rows(self, question: Question, path: Path_, owner: str) -> None:
        """At least one row, unique row keys, known row dimensions."""
        rows = question.rows or ()
        if not rows:
            where = (*path, "rows") if question.rows is not None else path
            self.error(where, f"{owner}: a matrix question needs at least one row")
        first: dict[str, int] = {}
        for index, row in enumerate(rows):
            row_path = (*path, "rows", index)
            if row.key in first:
                self.error(
                    (*row_path, "key"),
                    f"{owner}: duplicate row key '{row.key}' (first on line {first[row.key]})",
                )
                continue
            first[row.key] = self.line_of((*row_path, "key"))
            self.check_dimension(
                row.dimension, question.type, (*row_path, "dimension"), f"{owner}, row '{row.key}'"
            )
            if row.tags is not None and NPS_TAG in row.tags:
                self.error(
                    (*row_path, "tags"),
                    f"{owner}, row '{row.key}': the 'nps' tag belongs to the nps question only",
                )

    def _check_advice(self, path: Path_, owner: str, question: Question) -> None:
        """Rule 20: the advice question is a single choice whose options include continue, realign and exit
        (the decisions it is tallied beside); other options (such as "I don't know") are counted too."""
        if question.type is not QuestionType.SINGLE:
            self.error(
                (*path, "tags"),
                f"{owner}: the 'advice' tag belongs to a single-choice question (continue / realign / exit)",
            )
            return
        missing = [
            key for key in ADVICE_DECISIONS if key not in {option.key for option in question.options or ()}
        ]
        if missing:
            self.error(
                (*path, "options"),
                f"{owner}: the 'advice' question needs the options {', '.join(ADVICE_DECISIONS)}; "
                f"missing: {', '.join(missing)}",
            )


def _n(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else str(value)
