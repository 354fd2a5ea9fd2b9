"""The questionnaire file format as typed, frozen objects (see docs/questionnaires.md).

These models check structure and types only; the rules that need the whole file (unknown dimensions, show_if
order, duplicate keys...) live in `checks.py`, which reports them with line numbers. Numbers and booleans are
strict (`weight: "2"` or `required: "no"` is an error, not a guess), enumerations and lists are lax so that
content stored as JSON validates back into the same objects.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cached_property
from types import MappingProxyType
from typing import Annotated, Any, Self

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, PlainSerializer, Strict, StringConstraints

from surveyapp.enums import Perspective, Phase, Purpose, QuestionType, SignalGroup
from surveyapp.questionnaires.placeholders import render_template
from surveyapp.questionnaires.show_if import Condition, parse

KEY_PATTERN = r"^[a-z][a-z0-9_]*$"
OPTION_KEY_PATTERN = r"^[a-z0-9_]+$"
SLUG_PATTERN = r"^[a-z0-9-]+$"
TAG_PATTERN = r"^[a-z_]+$"
ITEM_KEY_PATTERN = r"^[a-z][a-z0-9_]*(\.[a-z0-9_]+)?$"

#: Question types whose items can score (DESIGN rule 1; a number only through its `bands`).
SCORING_TYPES = frozenset(
    {
        QuestionType.SCALE,
        QuestionType.NPS,
        QuestionType.SINGLE,
        QuestionType.MULTI,
        QuestionType.MATRIX,
        QuestionType.NUMBER,
    }
)
#: Question types that measure behaviour (how often, how many, how many hours) rather than agreement with a
#: statement: a warning signal on one is "reported" by an answer scoring below the middle (a problem).
BEHAVIOUR_TYPES = frozenset({QuestionType.SINGLE, QuestionType.NUMBER})
#: Question types that offer answer options.
CHOICE_TYPES = frozenset({QuestionType.SINGLE, QuestionType.MULTI})
#: Question types answered on a numbered scale.
SCALE_TYPES = frozenset({QuestionType.SCALE, QuestionType.MATRIX})

NPS_TAG = "nps"
#: The question whose options are the role groups of a role breakdown (rule 18): a single choice, one a file.
ROLE_TAG = "role"
#: The tag of the staff's own continue / realign / exit question (rule 20): one single choice per file.
ADVICE_TAG = "advice"


def _not_blank(value: str) -> str:
    if not value.strip():
        raise ValueError("must not be empty")
    return value


def _read_only(value: Mapping[int, Any]) -> Mapping[int, Any]:
    return MappingProxyType(dict(value))


Key = Annotated[str, StringConstraints(pattern=KEY_PATTERN)]
OptionKey = Annotated[str, StringConstraints(pattern=OPTION_KEY_PATTERN)]
Slug = Annotated[str, StringConstraints(pattern=SLUG_PATTERN, max_length=80)]
Tag = Annotated[str, StringConstraints(pattern=TAG_PATTERN)]
ItemKey = Annotated[str, StringConstraints(pattern=ITEM_KEY_PATTERN)]
NonBlank = Annotated[str, Strict(), AfterValidator(_not_blank)]
Number = Annotated[float, Strict(), Field(allow_inf_nan=False)]
PositiveNumber = Annotated[float, Strict(), Field(gt=0, allow_inf_nan=False)]
Int = Annotated[int, Strict()]
PositiveInt = Annotated[int, Strict(), Field(gt=0)]
Bool = Annotated[bool, Strict()]


class Frozen(BaseModel):
    """Base of every format model: immutable, and unknown fields are errors (a typo never passes silently)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    def model_copy(self, *, update: Mapping[str, Any] | None = None, deep: bool = False) -> Self:
        """A copy (see pydantic); cached derived values (version, items...) are recomputed for the copy."""
        copied = super().model_copy(update=update, deep=deep)
        for name in [name for name in copied.__dict__ if name not in type(copied).model_fields]:
            del copied.__dict__[name]
        return copied


class Text(Frozen):
    """A text in both languages; may contain `{supplier}` and `{account}`."""

    nl: NonBlank
    en: NonBlank

    def get(self, lang: str) -> str:
        """The raw text in a language (`nl` or `en`; anything else falls back to English)."""
        return self.nl if str(lang) == "nl" else self.en

    def render(self, lang: str, **placeholders: str) -> str:
        """The text in a language with its placeholders filled in (a missing value renders empty)."""
        return render_template(self.get(lang), placeholders)


Anchors = Annotated[
    Mapping[int, Text], AfterValidator(_read_only), PlainSerializer(lambda anchors: dict(anchors))
]


class ScaleSpec(Frozen):
    """The answer scale of a scale or matrix question: values 1..points, labels on some of them."""

    points: Int
    anchors: Anchors = Field(default_factory=lambda: MappingProxyType({}))

    def anchor(self, value: int) -> Text | None:
        """The label of a scale value, if it has one."""
        return self.anchors.get(value)


class Option(Frozen):
    """An answer option of a single or multi question."""

    key: OptionKey
    label: Text
    score: Number | None = None
    knockout: Bool = False
    condition: Text | None = None
    not_applicable: Bool = False


class ScoreBand(Frozen):
    """A range of a scored number question: answers up to `up_to` (inclusive) score `score`; the last band has
    no `up_to` and holds everything above the one before it."""

    up_to: Number | None = None
    score: Number


class MatrixRow(Frozen):
    """A statement of a matrix question; `None` fields inherit the question's value."""

    key: OptionKey
    text: Text
    dimension: Key | None = None
    weight: PositiveNumber | None = None
    reverse: Bool | None = None
    tags: tuple[Tag, ...] | None = None


class Question(Frozen):
    """One question; the type-specific fields are checked against the type in `checks.py`."""

    key: Key
    type: QuestionType = Field(strict=False)
    text: Text
    help: Text | None = None
    required: Bool = False
    not_applicable: Bool = False
    dimension: Key | None = None
    weight: PositiveNumber = 1.0
    reverse: Bool = False
    tags: tuple[Tag, ...] = ()
    show_if: Annotated[str, Strict()] | None = None
    probe: tuple[Text, ...] = ()
    mirror_of: ItemKey | None = None
    scale: ScaleSpec | None = None
    knockout_at_or_below: Int | None = None
    condition_at_or_below: Int | None = None
    condition: Text | None = None
    options: tuple[Option, ...] | None = None
    min: Number | None = None
    max: Number | None = None
    unit: Text | None = None
    max_length: Int | None = None
    rows: tuple[MatrixRow, ...] | None = None
    bands: tuple[ScoreBand, ...] | None = None

    @cached_property
    def show_if_condition(self) -> Condition | None:
        """The parsed `show_if` (None when the question is always shown)."""
        return parse(self.show_if) if self.show_if is not None else None

    def option(self, key: str) -> Option | None:
        """The option with this key, if any."""
        return next((option for option in self.options or () if option.key == key), None)

    @property
    def all_tags(self) -> frozenset[str]:
        """The question's tags, with the implicit `nps` tag of the nps question."""
        tags = frozenset(self.tags)
        return tags | {NPS_TAG} if self.type is QuestionType.NPS else tags


class Section(Frozen):
    """A page for a respondent, a topic for an interviewer."""

    key: Key
    title: Text
    intro: Text | None = None
    show_if: Annotated[str, Strict()] | None = None
    probe: tuple[Text, ...] = ()
    questions: tuple[Question, ...] = Field(min_length=1)

    @cached_property
    def show_if_condition(self) -> Condition | None:
        """The parsed `show_if` (None when the section is always shown)."""
        return parse(self.show_if) if self.show_if is not None else None


@dataclass(frozen=True, eq=False)
class Item:
    """An answerable item: a question, or one row of a matrix (key `question.row`) with inherited settings."""

    key: str
    question: Question
    row: MatrixRow | None
    dimension: str | None
    weight: float
    reverse: bool
    tags: frozenset[str]

    @property
    def type(self) -> QuestionType:
        """The type of the question the item belongs to."""
        return self.question.type

    @property
    def text(self) -> Text:
        """The statement of a matrix row, else the question text."""
        return self.row.text if self.row is not None else self.question.text


def items_of(question: Question) -> tuple[Item, ...]:
    """The items of a question: one per matrix row, else the question itself."""
    if question.type is not QuestionType.MATRIX:
        return (
            Item(
                question.key,
                question,
                None,
                question.dimension,
                question.weight,
                question.reverse,
                question.all_tags,
            ),
        )
    return tuple(
        Item(
            key=f"{question.key}.{row.key}",
            question=question,
            row=row,
            dimension=row.dimension if row.dimension is not None else question.dimension,
            weight=row.weight if row.weight is not None else question.weight,
            reverse=row.reverse if row.reverse is not None else question.reverse,
            tags=frozenset(row.tags) if row.tags is not None else question.all_tags,
        )
        for row in question.rows or ()
    )


def content_hash(content: Any) -> str:
    """sha256 hex of canonical JSON (sorted keys, no whitespace): the version of a definition."""
    canonical = json.dumps(
        content, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
    )
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


class Versioned(Frozen):
    """A definition whose version is the hash of its normalised content."""

    def content(self) -> dict[str, Any]:
        """The full definition as JSON-ready data (defaults filled in): what is stored and hashed."""
        return self.model_dump(mode="json")

    @cached_property
    def version(self) -> str:
        """sha256 hex of the normalised content: layout, comments and key order in the file do not count."""
        return content_hash(self.content())


#: Question fields added after questionnaire versions were first stored: left out of a version's content while
#: unused, so that adding them to the schema changed no existing version (a file that uses one is new anyway).
LATER_QUESTION_FIELDS = ("bands",)


class Questionnaire(Versioned):
    """A questionnaire file."""

    slug: Slug
    title: Text
    phase: Phase = Field(strict=False)
    purpose: Purpose = Field(strict=False)
    perspective: Perspective = Field(strict=False)
    estimated_minutes: PositiveInt | None = None
    mirror: Slug | None = None
    intro: Text
    outro: Text
    privacy: Text
    sections: tuple[Section, ...] = Field(min_length=1)

    def content(self) -> dict[str, Any]:
        data = super().content()
        for section in data["sections"]:
            for question in section["questions"]:
                for name in LATER_QUESTION_FIELDS:
                    if question.get(name) is None:
                        question.pop(name, None)
        return data

    @cached_property
    def questions(self) -> tuple[Question, ...]:
        """Every question, in order."""
        return tuple(question for section in self.sections for question in section.questions)

    @cached_property
    def _questions_by_key(self) -> Mapping[str, Question]:
        return MappingProxyType({question.key: question for question in self.questions})

    @cached_property
    def _section_of(self) -> Mapping[str, Section]:
        return MappingProxyType(
            {question.key: section for section in self.sections for question in section.questions}
        )

    def question(self, key: str) -> Question:
        """The question with this key; raises KeyError."""
        return self._questions_by_key[key]

    def section(self, key: str) -> Section:
        """The section with this key; raises KeyError."""
        for section in self.sections:
            if section.key == key:
                return section
        raise KeyError(key)

    def section_of(self, question_key: str) -> Section:
        """The section a question is in; raises KeyError."""
        return self._section_of[question_key]

    @cached_property
    def role_question(self) -> Question | None:
        """The question tagged `role`: its options are the role groups of breakdowns (rule 18)."""
        return next((question for question in self.questions if ROLE_TAG in question.tags), None)

    @cached_property
    def advice_question(self) -> Question | None:
        """The question tagged `advice`: the staff's continue / realign / exit advice (rule 20)."""
        return next((question for question in self.questions if ADVICE_TAG in question.tags), None)

    @cached_property
    def items(self) -> tuple[Item, ...]:
        """Every answerable item in order (a matrix contributes one item per row)."""
        return tuple(item for question in self.questions for item in items_of(question))

    @cached_property
    def _items_by_key(self) -> Mapping[str, Item]:
        return MappingProxyType({item.key: item for item in self.items})

    def item(self, key: str) -> Item:
        """The item with this key (`question` or `question.row`); raises KeyError."""
        return self._items_by_key[key]

    @cached_property
    def scored_items(self) -> tuple[Item, ...]:
        """The items that count in a dimension: a scoring type with a dimension."""
        return tuple(item for item in self.items if item.type in SCORING_TYPES and item.dimension is not None)

    @cached_property
    def nps_item(self) -> Item | None:
        """The one `nps` item, if the questionnaire has one."""
        return next((item for item in self.items if item.type is QuestionType.NPS), None)


class Dimension(Frozen):
    """A fit dimension of scoring.yaml."""

    key: Key
    name: Text
    description: Text
    weight: PositiveNumber = 1.0
    perspectives: tuple[Perspective, ...] = Field(
        default=(Perspective.CLIENT, Perspective.SUPPLIER), strict=False
    )
    # Rule 18: shown per account outside the research team only from `confidential_min_n` raters.
    sensitive: Bool = False
    # The article's name for this dimension's warning signals (how reports group them).
    signal_group: SignalGroup = Field(default=SignalGroup.OTHER, strict=False)


class Thresholds(Frozen):
    """The thresholds of the fit model (DESIGN rules 6, 7, 9, 14 and the deal fit check)."""

    quadrant: Number = 60.0
    gap: Number = 15.0
    signal: Number = 40.0
    min_n: Int = 3
    # Rule 17: an overall fit within this distance of `quadrant` is marked "borderline".
    borderline_band: Number = 5.0
    # Rule 18: the fewest respondents a subgroup figure (or a sensitive dimension per account) may rest on
    # outside the research team.
    confidential_min_n: Int = 3
    deal_fit_go: Number = 70.0
    deal_fit_no_go: Number = 50.0


class ScoringModel(Versioned):
    """scoring.yaml: the dimensions, thresholds and compared perspectives."""

    dimensions: tuple[Dimension, ...] = Field(min_length=1)
    thresholds: Thresholds = Field(default_factory=Thresholds)
    perspectives_compared: tuple[Perspective, ...] = Field(
        default=(Perspective.CLIENT, Perspective.SUPPLIER), strict=False
    )

    @cached_property
    def _dimensions_by_key(self) -> Mapping[str, Dimension]:
        return MappingProxyType({dimension.key: dimension for dimension in self.dimensions})

    def dimension(self, key: str) -> Dimension:
        """The dimension with this key; raises KeyError."""
        return self._dimensions_by_key[key]

    @property
    def dimension_keys(self) -> tuple[str, ...]:
        """Dimension keys in file order."""
        return tuple(dimension.key for dimension in self.dimensions)
