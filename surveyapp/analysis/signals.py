"""Rule 9: warning signals — signal-tagged items with a low mean per (account, perspective)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass

from surveyapp.analysis._numeric import mean
from surveyapp.analysis._slots import stored_in_slots
from surveyapp.analysis.inputs import SIGNAL_TAG, ItemScore, SignalAggregate, SignalAgreement
from surveyapp.analysis.items import check_unique_items
from surveyapp.analysis.thresholds import Direction, Thresholds, reaches
from surveyapp.enums import Perspective, SignalGroup

#: Perspectives whose answers can raise a signal. A supplier_predicts_client answer is a guess at what the
#: client would say, not an observation, so it never raises a warning signal by itself.
SIGNAL_PERSPECTIVES = (Perspective.CLIENT, Perspective.SUPPLIER)
# Their order in the output (client first), by perspective.
_SIGNAL_ORDER = {perspective: number for number, perspective in enumerate(SIGNAL_PERSPECTIVES)}


@stored_in_slots
@dataclass(frozen=True, slots=True)
class Signal:
    """A raised warning signal: the item, the perspective, its mean score and the respondents behind it."""

    account_id: int
    perspective: Perspective
    item_key: str
    score: float
    n: int
    group: SignalGroup = SignalGroup.OTHER
    #: Respondents who agreed with the item's statement (`SignalAgreement`); None when not known. For a
    #: behaviour item (how often, how many) those who reported the problem: an answer scoring below 50.
    agreed: int | None = None
    #: The item measures behaviour (a frequency, a count, hours), not agreement with a statement.
    behaviour: bool = False

    @property
    def agreed_share(self) -> float | None:
        """Percentage of the n respondents who agreed with the statement (0-100), None when not known."""
        return None if self.agreed is None or self.n == 0 else self.agreed * 100 / self.n


def signal_aggregates_from_items(item_scores: Iterable[ItemScore]) -> tuple[SignalAggregate, ...]:
    """Mean score and n per (account, perspective, item) of items tagged `signal` (the pure twin of the SQL).

    Sorted by account id, perspective and item key.
    """
    groups: dict[tuple[int, Perspective, str], list[float]] = defaultdict(list)
    for row in check_unique_items(item_scores):
        if SIGNAL_TAG in row.tags:
            groups[(row.account_id, row.perspective, row.item_key)].append(row.score)
    return tuple(
        SignalAggregate(
            account_id=account_id,
            perspective=perspective,
            item_key=item_key,
            n=len(scores),
            mean=mean(scores),
        )
        for (account_id, perspective, item_key), scores in sorted(
            groups.items(), key=lambda entry: (entry[0][0], entry[0][1].value, entry[0][2])
        )
    )


def warning_signals(
    aggregates: Iterable[SignalAggregate],
    thresholds: Thresholds,
    *,
    groups: Mapping[str, SignalGroup] | None = None,
    agreement: Iterable[SignalAgreement] = (),
    behaviour: Collection[str] = frozenset(),
) -> tuple[Signal, ...]:
    """Signals whose mean is ≤ the signal threshold (edge counts, rule 7), from client and supplier answers.

    Aggregates with n = 0 and supplier_predicts_client aggregates are ignored. Every raised signal is
    reported, also when n < min_n (it is then marked indicative in the output). Order: per account, worst
    (lowest) score first, then client before supplier, then item key. A repeated (account, perspective, item)
    raises ValueError. `groups` names each item's group (by item key; `other` when absent); `agreement` how
    many respondents agreed with each item's statement; `behaviour` the keys of the items that measure
    behaviour (their `agreed` counts who reported the problem).
    """
    groups = groups or {}
    agreed = {(row.account_id, row.perspective, row.item_key): row.agreed for row in agreement}
    raised = []
    seen: set[tuple[int, Perspective, str]] = set()
    threshold = thresholds.signal
    for row in aggregates:
        key = (row.account_id, row.perspective, row.item_key)
        if key in seen:
            raise ValueError(f"signal aggregate for {key} occurs twice")
        seen.add(key)
        if row.n > 0 and row.perspective in _SIGNAL_ORDER and reaches(row.mean, threshold, Direction.AT_MOST):
            raised.append(
                Signal(
                    row.account_id,
                    row.perspective,
                    row.item_key,
                    row.mean,
                    row.n,
                    groups.get(row.item_key, SignalGroup.OTHER),
                    agreed.get(key),
                    row.item_key in behaviour,
                )
            )
    return tuple(
        sorted(
            raised,
            key=lambda signal: (
                signal.account_id,
                signal.score,
                _SIGNAL_ORDER[signal.perspective],
                signal.item_key,
            ),
        )
    )
