"""What the analysis is fed: plain rows, as the SQL layer (analysis/queries/) or a test produces them.

The SQL layer has already applied rules 1 and 2: only the latest completed response per (study, contact,
account, perspective) counts, and only visible, answered, applicable items appear, each with its stored 0-100
score (reverse keying already applied). Rows validate themselves so that a bug upstream fails loudly here
instead of turning into a plausible-looking number in a report.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal

from surveyapp.analysis._slots import stored_in_slots
from surveyapp.enums import Perspective

#: The perspectives that carry scores; `Perspective.NONE` (the brief) never reaches the analysis.
SCORED_PERSPECTIVES = (Perspective.CLIENT, Perspective.SUPPLIER, Perspective.SUPPLIER_PREDICTS_CLIENT)
_SCORED = frozenset(SCORED_PERSPECTIVES)

#: The tag that marks an item as a warning signal (rule 9).
SIGNAL_TAG = "signal"

# Rows hold floats that were computed (weighted means, SQL sums): allow float noise at the scale ends.
_SCALE_SLACK = 1e-9


def _perspective(row: object, value: object) -> None:
    """Coerce a perspective given as text (as SQL returns it) to the enum, rejecting unscored ones."""
    if type(value) is Perspective and value in _SCORED:
        return
    perspective = Perspective(value)
    if perspective not in _SCORED:
        raise ValueError(f"{type(row).__name__}: perspective {perspective.value!r} carries no scores")
    object.__setattr__(row, "perspective", perspective)


def _score(row: object, name: str) -> None:
    """Check that a field holds a finite number on the 0-100 scale and store it as float."""
    value = getattr(row, name)
    if type(value) is float and 0.0 <= value <= 100.0:
        return  # the common case, as SQL returns it (NaN fails the comparison)
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal):
        raise ValueError(f"{type(row).__name__}: {name} must be a number, got {value!r}")
    number = float(value)
    if not math.isfinite(number) or not -_SCALE_SLACK <= number <= 100 + _SCALE_SLACK:
        raise ValueError(f"{type(row).__name__}: {name} must lie on the 0-100 scale, got {value!r}")
    object.__setattr__(row, name, min(max(number, 0.0), 100.0))


def _count(row: object, name: str) -> None:
    value = getattr(row, name)
    if type(value) is not int or value < 0:  # bool is a subclass of int, not int itself
        raise ValueError(f"{type(row).__name__}: {name} must be a whole number >= 0, got {value!r}")


def _optional_number(row: object, name: str) -> None:
    """Store an optional figure (SQL Numeric arrives as Decimal) as float so arithmetic never mixes types."""
    value = getattr(row, name)
    if value is None:
        return
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal) or not math.isfinite(value):
        raise ValueError(f"{type(row).__name__}: {name} must be a finite number or None, got {value!r}")
    object.__setattr__(row, name, float(value))


def _figure(row: object, name: str, value: object) -> None:
    """`_optional_number` with a fast path for what SQL returns: None, a finite float, or a Decimal (SQL
    Numeric) whose float is finite, stored as that float. Anything else gets the full checks."""
    kind = type(value)
    if kind is Decimal:
        number = float(value)  # type: ignore[arg-type]
        if math.isfinite(number):
            object.__setattr__(row, name, number)
            return
    elif value is None or (kind is float and math.isfinite(value)):  # type: ignore[arg-type]
        return
    _optional_number(row, name)


@dataclass(frozen=True, slots=True)
class DimensionSpec:
    """A fit dimension from scoring.yaml with its weight in the overall fit (rule 5)."""

    key: str
    weight: float = 1.0
    #: Rule 18: judged by the supplier's own staff and shown per account only from enough raters.
    sensitive: bool = False

    def __post_init__(self) -> None:
        if not self.key:
            raise ValueError("DimensionSpec: key must not be empty")
        if isinstance(self.weight, bool) or not isinstance(self.weight, int | float):
            raise ValueError(f"DimensionSpec {self.key!r}: weight must be a number, got {self.weight!r}")
        if not math.isfinite(self.weight) or self.weight <= 0:
            raise ValueError(f"DimensionSpec {self.key!r}: weight must be > 0, got {self.weight!r}")
        object.__setattr__(self, "weight", float(self.weight))


@dataclass(frozen=True, slots=True)
class FitModel:
    """The dimensions of a scoring version, in scoring.yaml order (the order of every list in the output)."""

    dimensions: tuple[DimensionSpec, ...]
    # Derived once (every account asks for them): the keys in order, and the weight per key.
    _keys: tuple[str, ...] = field(init=False, repr=False, compare=False)
    _weights: Mapping[str, float] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        keys = [spec.key for spec in self.dimensions]
        duplicates = sorted({key for key in keys if keys.count(key) > 1})
        if duplicates:
            raise ValueError(f"FitModel: duplicate dimension keys {duplicates}")
        object.__setattr__(self, "dimensions", tuple(self.dimensions))
        object.__setattr__(self, "_keys", tuple(keys))
        object.__setattr__(self, "_weights", {spec.key: spec.weight for spec in self.dimensions})

    @property
    def keys(self) -> tuple[str, ...]:
        """Dimension keys in scoring.yaml order."""
        return self._keys

    @property
    def sensitive(self) -> frozenset[str]:
        """The dimensions marked sensitive (rule 18)."""
        return frozenset(spec.key for spec in self.dimensions if spec.sensitive)

    def weight(self, key: str) -> float:
        """The weight of a dimension; an unknown key is a scoring/data mismatch and raises ValueError."""
        try:
            return self._weights[key]
        except KeyError:
            raise ValueError(f"dimension {key!r} is not declared in the scoring version") from None

    def ordered(self, keys: set[str] | frozenset[str]) -> tuple[str, ...]:
        """The given dimension keys in scoring.yaml order; ValueError for keys the model does not know."""
        unknown = sorted(key for key in keys if key not in self._weights)
        if unknown:
            raise ValueError(f"dimensions {unknown} are not declared in the scoring version")
        return tuple(key for key in self._keys if key in keys)


@dataclass(frozen=True, slots=True)
class ItemScore:
    """One scored answer of one respondent (rule 1 applied), the input of rules 3, 9 and 13 (alpha)."""

    account_id: int
    respondent_id: int
    perspective: Perspective
    item_key: str
    dimension: str | None
    weight: float
    score: float
    tags: frozenset[str] = field(default_factory=frozenset)

    def __post_init__(self) -> None:
        _perspective(self, self.perspective)
        _score(self, "score")
        if isinstance(self.weight, bool) or not isinstance(self.weight, int | float | Decimal):
            raise ValueError(f"ItemScore {self.item_key!r}: weight must be a number, got {self.weight!r}")
        if not math.isfinite(self.weight) or self.weight <= 0:
            raise ValueError(f"ItemScore {self.item_key!r}: weight must be > 0 (rule 3), got {self.weight!r}")
        object.__setattr__(self, "weight", float(self.weight))
        object.__setattr__(self, "tags", frozenset(self.tags))


@dataclass(frozen=True, slots=True)
class RespondentDimensionScore:
    """A respondent's score for one dimension (rule 3), per account and perspective."""

    account_id: int
    respondent_id: int
    perspective: Perspective
    dimension: str
    score: float

    def __post_init__(self) -> None:
        _perspective(self, self.perspective)
        _score(self, "score")


@stored_in_slots
@dataclass(frozen=True, slots=True)
class AccountDimensionAggregate:
    """SQL's aggregate of respondent dimension scores: n, sum and sum of squares (SQLite has no stddev)."""

    account_id: int
    perspective: Perspective
    dimension: str
    n: int
    sum: float
    sum_sq: float

    def __post_init__(self) -> None:
        # A fast path for what SQL returns (tens of thousands of rows per analysis), then the full checks.
        if (
            type(self.perspective) is Perspective
            and self.perspective in _SCORED
            and type(self.n) is int
            and self.n >= 0
            and type(self.sum) is float
            and type(self.sum_sq) is float
            and math.isfinite(self.sum)
            and math.isfinite(self.sum_sq)
        ):
            return
        _perspective(self, self.perspective)
        _count(self, "n")
        for name in ("sum", "sum_sq"):
            value = getattr(self, name)
            if type(value) is float and math.isfinite(value):
                continue  # the common case, as SQL returns it
            if isinstance(value, bool) or not isinstance(value, int | float | Decimal):
                raise ValueError(f"AccountDimensionAggregate: {name} must be a number, got {value!r}")
            if not math.isfinite(value):
                raise ValueError(f"AccountDimensionAggregate: {name} must be finite, got {value!r}")
            object.__setattr__(self, name, float(value))


@dataclass(frozen=True, slots=True)
class ScoredRespondents:
    """Rule 17: the respondents of one account and perspective with at least one dimension score — the n of
    that perspective's overall fit (a respondent may score other dimensions than the next one)."""

    account_id: int
    perspective: Perspective
    n: int

    def __post_init__(self) -> None:
        _perspective(self, self.perspective)
        _count(self, "n")


@dataclass(frozen=True, slots=True)
class SignalAgreement:
    """How many of a signal item's respondents (account, perspective) agreed with its statement: an answer
    above the scale's middle (for a reverse-keyed statement such as "we often need workarounds", an item
    score below 50; otherwise above 50). An answer exactly in the middle agrees with nothing."""

    account_id: int
    perspective: Perspective
    item_key: str
    agreed: int

    def __post_init__(self) -> None:
        _perspective(self, self.perspective)
        _count(self, "agreed")


@dataclass(frozen=True, slots=True)
class AdviceAnswer:
    """One staff member's answer to the supplier questionnaire's continue / realign / exit question (rule
    20): the option key chosen, for one account."""

    account_id: int
    respondent_id: int
    option: str


@stored_in_slots
@dataclass(frozen=True, slots=True)
class SignalAggregate:
    """Mean item score of a signal-tagged item per (account, perspective), over its n respondents (rule 9)."""

    account_id: int
    perspective: Perspective
    item_key: str
    n: int
    mean: float

    def __post_init__(self) -> None:
        if (
            type(self.perspective) is Perspective
            and self.perspective in _SCORED
            and type(self.n) is int
            and self.n >= 0
            and type(self.mean) is float
            and 0.0 <= self.mean <= 100.0
        ):
            return
        _perspective(self, self.perspective)
        _count(self, "n")
        _score(self, "mean")


@dataclass(frozen=True, slots=True)
class NpsAnswer:
    """A client respondent's answer (0..10) to the questionnaire's one `nps` item (rule 8)."""

    account_id: int
    respondent_id: int
    value: int

    def __post_init__(self) -> None:
        if isinstance(self.value, bool) or not isinstance(self.value, int) or not 0 <= self.value <= 10:
            raise ValueError(f"NpsAnswer: value must be a whole number 0..10, got {self.value!r}")


@stored_in_slots
@dataclass(frozen=True, slots=True)
class AccountFigures:
    """An account in the study's scope with the period's figures (StudyAccount); figures may be unknown."""

    account_id: int
    name: str
    external_id: str | None = None
    annual_revenue: float | None = None
    effort_hours: float | None = None
    billable_hours: float | None = None

    def __post_init__(self) -> None:
        # One row per account in scope (20,000 in a large study): what SQL returns takes a fast path.
        _figure(self, "annual_revenue", self.annual_revenue)
        _figure(self, "effort_hours", self.effort_hours)
        _figure(self, "billable_hours", self.billable_hours)


@stored_in_slots
@dataclass(frozen=True, slots=True)
class ResponseCounts:
    """Invitations and counted (latest completed) responses of one account and perspective, by mode."""

    account_id: int
    perspective: Perspective
    invited: int = 0
    survey: int = 0
    interview: int = 0
    imported: int = 0

    def __post_init__(self) -> None:
        # A fast path for what SQL returns (two or three rows per account in scope), then the full checks.
        if (
            type(self.perspective) is Perspective
            and self.perspective in _SCORED
            and type(self.invited) is int
            and type(self.survey) is int
            and type(self.interview) is int
            and type(self.imported) is int
            and self.invited >= 0
            and self.survey >= 0
            and self.interview >= 0
            and self.imported >= 0
        ):
            return
        _perspective(self, self.perspective)
        for name in ("invited", "survey", "interview", "imported"):
            _count(self, name)

    @property
    def completed(self) -> int:
        """Counted responses in all modes (may exceed `invited`: interviews and imports are uninvited)."""
        return self.survey + self.interview + self.imported


@dataclass(frozen=True, slots=True)
class ItemMatrix:
    """Item scores of one (perspective, dimension) for Cronbach's alpha (rule 13).

    `responses` maps a response unit, ``(account_id, respondent_id)``, to its item scores by item key. The
    unit is the response, not the person: a staff member who rates five accounts contributes five rows, as
    each is a separate completed response. Missing items are simply absent; alpha deletes such rows listwise.
    """

    perspective: Perspective
    dimension: str
    responses: Mapping[tuple[int, int], Mapping[str, float]]

    def __post_init__(self) -> None:
        _perspective(self, self.perspective)
        for unit, scores in self.responses.items():
            for item_key, score in scores.items():
                if isinstance(score, bool) or not isinstance(score, int | float) or not math.isfinite(score):
                    raise ValueError(
                        f"ItemMatrix: {item_key!r} of {unit} must be a finite number, got {score!r}"
                    )
                if not -_SCALE_SLACK <= score <= 100 + _SCALE_SLACK:
                    raise ValueError(f"ItemMatrix: {item_key!r} of {unit} must lie on the 0-100 scale")

    @property
    def item_keys(self) -> tuple[str, ...]:
        """Every item that occurs in the matrix, sorted (the item set that listwise deletion requires)."""
        return tuple(sorted({key for scores in self.responses.values() for key in scores}))


@dataclass(frozen=True, slots=True)
class AlphaAggregate:
    """SQL's sums for Cronbach's alpha of one (perspective, dimension), listwise (rule 13, rule 16).

    `items` (k) are the items that occur in any counted response of the cell; `respondents` (n) the responses
    that have all k of them (what listwise deletion keeps). Over those n responses: `item_sums` holds Σx per
    item (k values; empty when n = 0), `total_sum` and `total_sum_sq` are ΣT and ΣT² of each response's item
    total T, and `square_sum` is Σx² over every item of every response. That is enough for alpha without
    fetching a row per respondent and item (`stats.alpha_from_aggregate`).
    """

    perspective: Perspective
    dimension: str
    items: int
    respondents: int
    item_sums: tuple[float, ...]
    total_sum: float
    total_sum_sq: float
    square_sum: float

    def __post_init__(self) -> None:
        _perspective(self, self.perspective)
        _count(self, "items")
        _count(self, "respondents")
        sums = tuple(self.item_sums)
        if len(sums) not in ((0, self.items) if self.respondents == 0 else (self.items,)):
            raise ValueError(
                f"AlphaAggregate {self.dimension!r}: {len(sums)} item sums for {self.items} items "
                f"and {self.respondents} respondents"
            )
        for value in (*sums, self.total_sum, self.total_sum_sq, self.square_sum):
            if (
                isinstance(value, bool)
                or not isinstance(value, int | float | Decimal)
                or not math.isfinite(value)
            ):
                raise ValueError(
                    f"AlphaAggregate {self.dimension!r}: sums must be finite numbers, got {value!r}"
                )
        object.__setattr__(self, "item_sums", tuple(float(value) for value in sums))
        for name in ("total_sum", "total_sum_sq", "square_sum"):
            object.__setattr__(self, name, float(getattr(self, name)))
