"""`stored_in_slots`: the analysis's frozen dataclasses keep the behaviour of the dataclass-generated `__init__`
with the faster one (issue 22)."""

from __future__ import annotations

import copy
import dataclasses
from dataclasses import FrozenInstanceError, dataclass, field

import pytest

from surveyapp.analysis._slots import stored_in_slots
from surveyapp.analysis.accounts import AccountDimensionScore
from surveyapp.analysis.fit import AccountFit, DimensionGap, OverallFit, UnderstandingGap
from surveyapp.analysis.inputs import (
    AccountDimensionAggregate,
    AccountFigures,
    ResponseCounts,
    SignalAggregate,
)
from surveyapp.analysis.signals import Signal
from surveyapp.analysis.study import AccountResult
from surveyapp.enums import Perspective


@dataclass(frozen=True, slots=True)
class Generated:
    first: int
    second: str
    third: float | None = None
    fourth: int = 0

    def __post_init__(self) -> None:
        if self.first < 0:
            raise ValueError("first must be >= 0")
        object.__setattr__(self, "fourth", self.fourth * 2)


@stored_in_slots
@dataclass(frozen=True, slots=True)
class Stored:
    first: int
    second: str
    third: float | None = None
    fourth: int = 0

    def __post_init__(self) -> None:
        if self.first < 0:
            raise ValueError("first must be >= 0")
        object.__setattr__(self, "fourth", self.fourth * 2)


@pytest.mark.parametrize(
    ("args", "kwargs"),
    [
        ((1, "a"), {}),
        ((1, "a", 2.5), {}),
        ((1, "a", None, 3), {}),
        ((), {"first": 1, "second": "a", "fourth": 3}),
        ((1,), {"second": "a", "third": 0.5}),
    ],
)
def test_same_fields_defaults_and_post_init_as_the_generated_init(args, kwargs):
    # Act
    generated, stored = Generated(*args, **kwargs), Stored(*args, **kwargs)

    # Assert
    assert dataclasses.astuple(stored) == dataclasses.astuple(generated)
    assert repr(stored) == repr(generated).replace("Generated", "Stored")


@pytest.mark.parametrize(
    ("args", "kwargs", "error"),
    [
        ((1,), {}, TypeError),  # a required argument missing
        ((1, "a", None, 0, 5), {}, TypeError),  # one too many
        ((1, "a"), {"other": 2}, TypeError),  # an unknown keyword
        ((1, "a"), {"first": 2}, TypeError),  # given twice
        ((-1, "a"), {}, ValueError),  # __post_init__'s own check
    ],
)
def test_same_errors_as_the_generated_init(args, kwargs, error):
    with pytest.raises(error) as generated:
        Generated(*args, **kwargs)
    with pytest.raises(error) as stored:
        Stored(*args, **kwargs)
    assert str(stored.value).replace("Stored", "Generated") == str(generated.value)


def test_stays_frozen_hashable_comparable_and_copyable():
    # Arrange
    stored = Stored(1, "a", 2.5)

    # Act / Assert
    with pytest.raises(FrozenInstanceError):
        stored.first = 2  # type: ignore[misc]
    assert stored == Stored(1, "a", 2.5)
    assert hash(stored) == hash(Stored(1, "a", 2.5))
    assert copy.deepcopy(stored) == stored and copy.copy(stored) == stored
    assert dataclasses.replace(stored, second="b") == Stored(1, "b", 2.5)
    assert Stored.__init__.__qualname__ == "Stored.__init__"


def test_refuses_classes_it_does_not_support():
    @dataclass(frozen=True)
    class NoSlots:
        first: int

    @dataclass(slots=True)
    class NotFrozen:
        first: int

    @dataclass(frozen=True, slots=True)
    class Factory:
        values: tuple[int, ...] = field(default_factory=tuple)

    @dataclass(frozen=True, slots=True, kw_only=True)
    class KeywordOnly:
        first: int

    for cls in (NoSlots, NotFrozen, Factory, KeywordOnly):
        with pytest.raises(TypeError):
            stored_in_slots(cls)


def test_the_analysis_classes_build_as_before():
    # Arrange: one of each, by position and by keyword
    cell = AccountDimensionScore(1, Perspective.CLIENT, "needs", 70.0, 3, 5.0)
    made = [
        AccountDimensionAggregate(1, "client", "needs", 3, 210.0, 14_800.0),
        SignalAggregate(account_id=1, perspective="supplier", item_key="late", n=2, mean=25.0),
        AccountFigures(1, "Acme", effort_hours=10, billable_hours=None),
        ResponseCounts(1, "client", invited=2, survey=1),
        cell,
        OverallFit(1, 70.0, None),
        DimensionGap("needs", cell, None, None, False),
        UnderstandingGap(dimension="needs", predicted=None, client=cell, gap=None, flagged=False),
        AccountFit(1, OverallFit(1, None, None), "incomplete", (), None),  # type: ignore[arg-type]
        Signal(1, Perspective.CLIENT, "late", 25.0, 2),
    ]

    # Assert: the inputs still coerce and check what they are given
    assert made[0].perspective is Perspective.CLIENT
    assert made[1].perspective is Perspective.SUPPLIER
    assert made[2].effort_hours == 10.0 and type(made[2].effort_hours) is float
    assert made[3].completed == 1
    assert AccountResult.__init__.__qualname__ == "AccountResult.__init__"
    with pytest.raises(ValueError, match="carries no scores"):
        ResponseCounts(1, "none")
    with pytest.raises(ValueError, match="whole number"):
        ResponseCounts(1, "client", invited=-1)
    with pytest.raises(ValueError, match="must be a number"):
        AccountDimensionAggregate(1, "client", "needs", 1, "7", 49.0)
