"""What every question type knows: raw values, validation, scoring, knock-outs, summaries and form fields.

Raw values are the stored strings of the format (the same encoding as the responses CSV): numbers as text,
option keys, multi choices joined by `|` in option order, ISO dates, text as is, and `NA` for not applicable.
Methods take an `Item` (a question, or one row of a matrix) where the answer belongs to an item.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar, Final

from wtforms import Form
from wtforms.fields.core import UnboundField

try:
    from wtforms import SelectChoice
except ImportError:  # WTForms before 3.3 takes (value, label) pairs
    SelectChoice = None

from surveyapp.enums import QuestionType
from surveyapp.questionnaires import messages
from surveyapp.questionnaires.schema import Item, Question, Text
from surveyapp.questionnaires.show_if import NOT_APPLICABLE as NA

__all__ = [
    "NA",
    "NOT_APPLICABLE",
    "FieldContext",
    "QuestionTypeHandler",
    "Reading",
    "clip",
    "field_choices",
    "field_name",
    "is_unanswered",
    "na_field_name",
]


class _NotApplicable:
    """The decoded value of `NA`."""

    _instance: ClassVar[_NotApplicable | None] = None

    def __new__(cls) -> _NotApplicable:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "NOT_APPLICABLE"


NOT_APPLICABLE: Final = _NotApplicable()


def field_name(item_key: str) -> str:
    """The form field (and HTML name) of an item: `q-<key>`, with `-` for the `.` of a matrix row.

    The prefix keeps question keys such as `data` or `errors` from shadowing the form's own attributes.
    """
    return "q-" + item_key.replace(".", "-")


def na_field_name(question_key: str) -> str:
    """The 'not applicable' checkbox of a number or date question."""
    return f"na-{question_key}"


def field_choices(pairs: Iterable[tuple[str, Any]]) -> list[Any]:
    """WTForms choices from (value, label) pairs, in the form the installed WTForms expects."""
    if SelectChoice is None:
        return list(pairs)
    return [SelectChoice(value, label) for value, label in pairs]


def is_unanswered(raw: str | None) -> bool:
    """No answer at all (as opposed to `NA`, an answer that says 'not applicable')."""
    return raw is None or raw == ""


def clip(raw: str) -> str:
    """A raw value shortened for a message."""
    return raw if len(raw) <= 40 else raw[:37] + "..."


@dataclass(frozen=True)
class FieldContext:
    """What form fields are built for: a language and the placeholder values."""

    lang: str
    placeholders: Mapping[str, str] = field(default_factory=dict)

    def render(self, text: Text) -> str:
        """A questionnaire text in this language with placeholders filled in."""
        return text.render(self.lang, **self.placeholders)

    def render_optional(self, text: Text | None) -> str | None:
        """As `render`, for optional texts."""
        return None if text is None else self.render(text)


@dataclass
class Reading:
    """A question's submitted data: raw value per item (None: no answer) and error messages per field."""

    values: dict[str, str | None] = field(default_factory=dict)
    errors: dict[str, list[Any]] = field(default_factory=dict)

    def fail(self, name: str, message: Any) -> None:
        """Record an error for a field."""
        self.errors.setdefault(name, []).append(message)


class QuestionTypeHandler(ABC):
    """One question type. Handlers are stateless; the registry holds one instance per type."""

    type: ClassVar[QuestionType]
    #: How the templates render it: radio, checkbox, input, textarea or matrix.
    widget: ClassVar[str]
    #: Whether its items can have a score (DESIGN rule 1).
    scores: ClassVar[bool] = False
    #: Whether `NA` means "not applicable" (for text it is just the text "NA").
    na_is_special: ClassVar[bool] = True

    # Raw values ---------------------------------------------------------------------------------------------

    @abstractmethod
    def decode(self, item: Item, raw: str) -> Any:
        """The Python value of a valid raw value (NOT_APPLICABLE for `NA`); raises ValueError if invalid."""

    @abstractmethod
    def encode(self, item: Item, value: Any) -> str:
        """The raw value for a Python value; raises ValueError if it is not a valid answer."""

    @abstractmethod
    def check_raw(self, item: Item, raw: str) -> Any:
        """The problem with a non-empty raw value other than `NA`, as a (lazy) message, or None."""

    def validate_raw(self, item: Item, raw: str) -> str | None:
        """The problem with a raw value (as importers get it), or None when it is a valid answer."""
        if is_unanswered(raw):
            return str(messages.EMPTY_VALUE)
        if raw == NA and self.na_is_special:
            return None if self.offers_not_applicable(item.question) else str(messages.NA_NOT_OFFERED)
        problem = self.check_raw(item, raw)
        return None if problem is None else str(problem)

    def normalise(self, item: Item, raw: str) -> str:
        """The canonical raw value (e.g. multi keys in option order); raises ValueError if invalid."""
        return self.encode(item, self.decode(item, raw))

    def offers_not_applicable(self, question: Question) -> bool:
        """Whether `NA` is a valid answer."""
        return question.not_applicable

    def _valid(self, item: Item, raw: str) -> None:
        problem = self.validate_raw(item, raw)
        if problem is not None:
            raise ValueError(f"item '{item.key}': {problem}")

    # Scoring and advice -------------------------------------------------------------------------------------

    def score(self, item: Item, raw: str | None) -> float | None:
        """The item score on 0..100 (DESIGN rule 1, unrounded); None for no answer, `NA` or a type that never
        scores. Raises ValueError for an invalid raw value."""
        if is_unanswered(raw):
            return None
        assert raw is not None
        self._valid(item, raw)
        return None if raw == NA and self.na_is_special else self._score(item, raw)

    def _score(self, item: Item, raw: str) -> float | None:
        return None

    def is_knocked_out(self, question: Question, raw: str | None) -> bool:
        """Whether this answer knocks the response out (deal fit check)."""
        return False

    def conditions(self, question: Question, raw: str | None) -> tuple[Text, ...]:
        """The conditions this answer adds to the advice."""
        return ()

    @abstractmethod
    def summary(self, item: Item, raw_values: Iterable[str | None]) -> dict[str, Any]:
        """A short JSON-ready summary of many answers to one item; `n` counts real answers."""

    @staticmethod
    def _split(raw_values: Iterable[str | None]) -> tuple[list[str], int]:
        """Real answers and the number of `NA` answers; unanswered values are left out."""
        answers = [raw for raw in raw_values if not is_unanswered(raw)]
        real = [raw for raw in answers if raw != NA]  # type: ignore[misc]
        return real, len(answers) - len(real)  # type: ignore[return-value]

    # Forms --------------------------------------------------------------------------------------------------

    @abstractmethod
    def build_fields(self, question: Question, context: FieldContext) -> dict[str, UnboundField]:
        """The WTForms fields for a question, by field name."""

    @abstractmethod
    def read(self, question: Question, form: Form) -> Reading:
        """Convert submitted data to raw values, with errors for invalid or tampered input."""

    @abstractmethod
    def initial_data(self, question: Question, answers: Mapping[str, str | None]) -> dict[str, Any]:
        """Form data (by field name) that shows stored raw answers again."""

    def anchors(self, question: Question, context: FieldContext) -> dict[str, str]:
        """Labels shown next to scale values, by value."""
        return {}
