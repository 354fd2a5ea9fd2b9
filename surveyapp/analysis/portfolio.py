"""Rule 13: portfolio scores per dimension and perspective, the paired test, alpha; quadrant counts."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from surveyapp.analysis._numeric import mean
from surveyapp.analysis.accounts import AccountDimensionScore, AccountScoreIndex
from surveyapp.analysis.inputs import AlphaAggregate, ItemMatrix
from surveyapp.analysis.stats import (
    AlphaResult,
    WilcoxonResult,
    alpha_from_aggregate,
    paired_wilcoxon,
    reliability,
)
from surveyapp.enums import Perspective, Quadrant


@dataclass(frozen=True, slots=True)
class PortfolioCell:
    """A dimension's portfolio score for one perspective: mean of account scores; n = accounts scored."""

    mean: float
    n: int


@dataclass(frozen=True, slots=True)
class PortfolioDimension:
    """One dimension across the portfolio.

    `gap` is the mean of the account gaps (client − supplier) over the `pairs` accounts that have both — the
    paired difference the Wilcoxon test examines. It equals client.mean − supplier.mean only when the same
    accounts have both perspectives; comparing means over different account sets would mix a perspective
    difference with a difference in which accounts answered.
    """

    dimension: str
    client: PortfolioCell | None
    supplier: PortfolioCell | None
    gap: float | None
    pairs: int
    wilcoxon: WilcoxonResult | None
    alpha_client: AlphaResult
    alpha_supplier: AlphaResult


def _cell(cells: Sequence[AccountDimensionScore | None]) -> PortfolioCell | None:
    scores = [cell.mean for cell in cells if cell is not None]
    return PortfolioCell(mean=mean(scores), n=len(scores)) if scores else None


def portfolio_dimensions(
    index: AccountScoreIndex,
    dimension_keys: Sequence[str],
    matrices: Iterable[ItemMatrix] = (),
    alpha_aggregates: Iterable[AlphaAggregate] = (),
) -> tuple[PortfolioDimension, ...]:
    """Portfolio rows for `dimension_keys` (in that order) from the account scores of the index (rule 13).

    Each account weighs equally, whatever its number of respondents. Alpha comes from the matching ItemMatrix
    or AlphaAggregate (SQL's sums; one or the other per cell); without either, alpha is None with 0
    respondents and 0 items.
    """
    by_key: dict[tuple[Perspective, str], ItemMatrix | AlphaAggregate] = {}
    for source in (*matrices, *alpha_aggregates):
        if (source.perspective, source.dimension) in by_key:
            raise ValueError(f"alpha input for {source.perspective.value} {source.dimension!r} occurs twice")
        by_key[(source.perspective, source.dimension)] = source
    account_ids = sorted(index.account_ids())
    # Each account's cells, in account order, for the means and the differences.
    client_cells = [index.view(account_id, Perspective.CLIENT) for account_id in account_ids]
    supplier_cells = [index.view(account_id, Perspective.SUPPLIER) for account_id in account_ids]
    rows = []
    for key in dimension_keys:
        clients = [cells.get(key) for cells in client_cells]
        suppliers = [cells.get(key) for cells in supplier_cells]
        differences = [
            client.mean - supplier.mean
            for client, supplier in zip(clients, suppliers, strict=True)
            if client is not None and supplier is not None
        ]
        rows.append(
            PortfolioDimension(
                dimension=key,
                client=_cell(clients),
                supplier=_cell(suppliers),
                gap=mean(differences) if differences else None,
                pairs=len(differences),
                wilcoxon=paired_wilcoxon(differences),
                alpha_client=_alpha(by_key, Perspective.CLIENT, key),
                alpha_supplier=_alpha(by_key, Perspective.SUPPLIER, key),
            )
        )
    return tuple(rows)


def _alpha(
    by_key: Mapping[tuple[Perspective, str], ItemMatrix | AlphaAggregate], perspective: Perspective, key: str
) -> AlphaResult:
    source = by_key.get((perspective, key))
    if source is None:
        return AlphaResult(alpha=None, respondents=0, items=0)
    return reliability(source) if isinstance(source, ItemMatrix) else alpha_from_aggregate(source)


def quadrant_counts(quadrants: Iterable[Quadrant]) -> dict[Quadrant, int]:
    """Accounts per quadrant, all five quadrants present (0 where none), in the enum's order."""
    counted = Counter(quadrants)
    return {quadrant: counted.get(quadrant, 0) for quadrant in Quadrant}
