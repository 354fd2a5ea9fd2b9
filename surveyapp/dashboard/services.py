"""The study dashboard: who may see it, and the portfolio view with its filters.

Every number comes from the analysis (`analysis.service`): the analysis JSON (`build_analysis_document`, the
contract of the CLI and the reports) is shown as it is. Two views the JSON does not hold are made with the
engine's own rules, never re-implemented here:

- a segment's portfolio (quadrant counts and per-dimension means over the segment's accounts) is rule 13's
  `portfolio_dimensions` and `quadrant_counts` applied to the unrounded account scores of those accounts,
  rounded by rule 14 as the JSON is; over all accounts it gives exactly the JSON's portfolio numbers;
- the role breakdown is SQL aggregation (`dashboard.queries.role_breakdown`) over the analysis' counted
  responses and respondent scores (rules 2 and 3), rounded by rule 14.

Services take keyword arguments and never touch the request; labels are translated in the active locale.
"""

from __future__ import annotations

import math
from collections.abc import Collection, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from enum import Enum
from typing import Any

from sqlalchemy.orm import Session

from surveyapp.analysis import charts
from surveyapp.analysis._collector import collector_paused
from surveyapp.analysis.accounts import AccountScoreIndex
from surveyapp.analysis.disclosure import Disclosure, hidden_groups, lazy_outside_view, outside_summary
from surveyapp.analysis.portfolio import portfolio_dimensions, quadrant_counts
from surveyapp.analysis.rounding import round_score
from surveyapp.analysis.service import MEMO, AnalysisError, disclosure_of, scoring_of, study_analysis
from surveyapp.analysis.study import AccountResult, StudyAnalysis
from surveyapp.auth.permissions import can_see_supplier
from surveyapp.core.paging import Page, Wanted
from surveyapp.dashboard import display, queries
from surveyapp.enums import Perspective, Phase, Quadrant, Role
from surveyapp.i18n import _
from surveyapp.reporting import labels
from surveyapp.reporting.context import chart_labels
from surveyapp.reporting.portfolio_context import response_totals
from surveyapp.studies.models import Study

__all__ = ["AnalysisError", "DashboardAccess", "access_of", "portfolio_view"]

RESULT_PHASES = (Phase.ANALYSE, Phase.ACT)
COST_QUADRANTS = (Quadrant.MISFIT.value, Quadrant.CUSTOMER_SWAYED.value)
FIRST_PAGE = Wanted()
#: Up to this many accounts the fit matrix numbers its dots; above it, near dots are merged (see matrix_svg).
MAX_NUMBERED_POINTS = 200
#: The side, in score points, of the squares in which a large matrix merges its accounts' dots: about one
#: dot's diameter at the chart's size, so merging hides nothing the eye could have told apart.
MATRIX_CELL = 2.0
#: Rule 7's tolerance: a value this close below a threshold reaches it.
THRESHOLD_TOLERANCE = 1e-9
#: Accounts named in the "growing apart" line; the drift table (growing apart first) lists the rest.
MAX_NAMED = 20


class DashboardAccess(Enum):
    FULL = "full"  # admins and researchers of the supplier: everything, commentary editable
    READ = "read"  # account teams of the supplier, from the analyse phase on: results only
    NONE = "none"  # anyone else, and account teams before analyse: the page does not exist for them (404)


def access_of(user: Any, study: Study) -> DashboardAccess:
    """What a user may do on a study's dashboard (supplier scoping as `auth.permissions` says)."""
    if not can_see_supplier(user, study.supplier_id):
        return DashboardAccess.NONE
    if user.role in (Role.ADMIN, Role.RESEARCHER):
        return DashboardAccess.FULL
    if user.role is Role.ACCOUNT_TEAM:
        # As everywhere (studies.queries), an account team does not see a study before the analyse phase.
        return DashboardAccess.READ if study.phase in RESULT_PHASES else DashboardAccess.NONE
    return DashboardAccess.NONE


class EntriesById(Mapping[int, Mapping[str, Any]]):
    """The analysis document's accounts by account id (`ids[i]` is `accounts[i]`'s), read only when asked for."""

    def __init__(self, ids: Sequence[int], accounts: Sequence[Mapping[str, Any]]) -> None:
        if len(ids) != len(accounts):
            raise ValueError(f"{len(ids)} account ids for {len(accounts)} accounts")
        self._index = {account_id: index for index, account_id in enumerate(ids)}
        self._accounts = accounts

    def __getitem__(self, account_id: int) -> Mapping[str, Any]:
        return self._accounts[self._index[account_id]]

    def __iter__(self) -> Iterator[int]:
        return iter(self._index)

    def __len__(self) -> int:
        return len(self._index)


#: What the overview shows of each account: account-level figures, never a respondent subgroup (rule 18).
SUMMARY_KEYS = ("account", "external_id", "quadrant", "overall", "nps", "drift", "responses", "cost")


class SummariesById(Mapping[int, Mapping[str, Any]]):
    """Each account's `SUMMARY_KEYS` only: the overview's rows for a reader outside the research team, read
    from the full document without holding back 20,000 accounts' cells that the overview never shows."""

    def __init__(self, entries: Mapping[int, Mapping[str, Any]], disclosure: Disclosure) -> None:
        self._entries = entries
        self._disclosure = disclosure
        # Made once per account and request: the overview's rows and the cost table read the same accounts.
        self._made: dict[int, Mapping[str, Any]] = {}

    def __getitem__(self, account_id: int) -> Mapping[str, Any]:
        made = self._made.get(account_id)
        if made is None:
            made = self._made[account_id] = outside_summary(
                self._entries[account_id], SUMMARY_KEYS, self._disclosure
            )
        return made

    def __contains__(self, account_id: object) -> bool:
        return account_id in self._entries

    def __iter__(self) -> Iterator[int]:
        return iter(self._entries)

    def __len__(self) -> int:
        return len(self._entries)


@dataclass(frozen=True, slots=True)
class Analysis:
    """The study's analysis once: unrounded (for segment views) and as the JSON document, side by side.

    For a reader outside the research team (`outside`), the document is rule 18's `outside_view` of it."""

    result: StudyAnalysis
    document: Mapping[str, Any]
    dimension_names: Mapping[str, str]
    # document["accounts"][i] is result.accounts[i]; by account id (held back for an outside reader):
    entries: Mapping[int, Mapping[str, Any]]
    # What the overview's rows show of each account (SUMMARY_KEYS); the entries themselves for researchers.
    summaries: Mapping[int, Mapping[str, Any]]
    disclosure: Disclosure = field(default_factory=Disclosure)
    outside: bool = False

    @property
    def min_n(self) -> int:
        return int(self.document["thresholds"]["min_n"])


def load_analysis(*, session: Session, study: Study, language: str, outside: bool = False) -> Analysis:
    """Raises AnalysisError when the stored scores do not fit the study's scoring version. `outside`: the
    reader is not of the research team (rule 18)."""
    result = study_analysis(session=session, study=study)
    document = MEMO.document_of(result)  # shared: this module only reads it
    disclosure = disclosure_of(session=session, study=study)
    ids = [account.account.account_id for account in result.accounts]
    summaries: Mapping[int, Mapping[str, Any]] = EntriesById(ids, document["accounts"])
    if outside:
        # Held back account by account as a page reads them: the overview shows a page of 20,000 accounts.
        summaries = SummariesById(summaries, disclosure)
        document = lazy_outside_view(document, disclosure)
    scoring, _provisional = scoring_of(session=session, study=study)
    entries = EntriesById(ids, document["accounts"])
    names = {dimension.key: dimension.name.get(language) for dimension in scoring.dimensions}
    return Analysis(
        result=result,
        document=document,
        dimension_names=names,
        entries=entries,
        summaries=summaries if outside else entries,
        disclosure=disclosure,
        outside=outside,
    )


@dataclass(frozen=True, slots=True)
class SegmentPortfolio:
    """Quadrant counts and per-dimension portfolio cells over some accounts, rounded as the JSON is."""

    quadrants: Mapping[str, int]
    dimensions: list[dict[str, Any]]


def segment_portfolio(analysis: Analysis, account_ids: Collection[int]) -> SegmentPortfolio:
    """Rule 13 over the given accounts only (each account weighs equally); cells as in the JSON."""
    chosen: list[AccountResult] = [r for r in analysis.result.accounts if r.account.account_id in account_ids]
    index = AccountScoreIndex(
        cell
        for result in chosen
        for row in result.fit.dimensions
        for cell in (row.client, row.supplier)
        if cell is not None
    )
    min_n = analysis.min_n

    def cell(value: Any) -> dict[str, Any] | None:
        if value is None:
            return None
        return {"mean": round_score(value.mean), "n": value.n, "indicative": value.n < min_n}

    rows = portfolio_dimensions(index, analysis.result.fit_model.keys)
    withheld = sensitive_withheld(analysis, account_ids)
    return SegmentPortfolio(
        quadrants={q.value: n for q, n in quadrant_counts(r.fit.quadrant for r in chosen).items()},
        dimensions=[
            {
                "key": row.dimension,
                "client": cell(row.client),
                "supplier": {**supplier, "mean": None, "withheld": True}
                if row.dimension in withheld and (supplier := cell(row.supplier)) is not None
                else cell(row.supplier),
                "gap": round_score(row.gap),
            }
            for row in rows
        ],
    )


def sensitive_withheld(analysis: Analysis, account_ids: Collection[int] | None) -> frozenset[str]:
    """For a reader outside the research team: the sensitive dimensions withheld for at least one of these
    accounts (None: all). Their figures over these accounts are withheld too: with n and the other accounts'
    means, such a figure gives the withheld one away (rule 18)."""
    disclosure = analysis.disclosure
    if not analysis.outside or not disclosure.sensitive_dimensions:
        return frozenset()
    found: set[str] = set()
    for result in analysis.result.accounts:
        if account_ids is not None and result.account.account_id not in account_ids:
            continue
        for row in result.fit.dimensions:
            supplier = row.supplier
            if (
                row.dimension in disclosure.sensitive_dimensions
                and supplier is not None
                and supplier.n < disclosure.confidential_min_n
            ):
                found.add(row.dimension)
    return frozenset(found)


@dataclass(frozen=True, slots=True)
class RoleColumn:
    role: str | None  # None: all roles together; "": no role given
    label: str


@dataclass(frozen=True, slots=True)
class RoleTable:
    """Per perspective: the columns ("all roles", then the role groups of that side's respondents) and rows of
    (dimension key, name, {role: cell or None})."""

    columns: dict[str, list[RoleColumn]] = field(default_factory=dict)
    rows: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    # Rule 18: per perspective, whether some group cells are withheld (outside the research team) or marked
    # identifiable (inside it), and whether every group cell is withheld (the page then says so in a sentence).
    withheld: set[str] = field(default_factory=set)
    identifiable: set[str] = field(default_factory=set)
    all_withheld: set[str] = field(default_factory=set)


def role_table(
    *,
    session: Session,
    study: Study,
    analysis: Analysis,
    account_ids: Collection[int] | None,
    language: str,
    role: str | None = None,
) -> RoleTable:
    """The role breakdown over the given accounts (None: all), as a table per perspective; with `role`, only
    that role group beside all roles. A cell: mean (rule 14), n respondents, `indicative` when n < min_n.

    Rule 18: a role group of fewer than `confidential_min_n` respondents is `withheld` outside the research
    team (with the next smallest groups, so that the total gives none away: `disclosure.hidden_groups`), and
    marked `identifiable` inside it; over one account, a sensitive dimension's "all roles" cell follows the
    account's own rule (`disclosure.outside_cell`)."""
    groups = queries.role_groups(session=session, study=study, language=language)
    cells = queries.role_breakdown(session=session, study=study, groups=groups, account_ids=account_ids)
    by_key = {(c.role, c.perspective, c.dimension): c for c in cells}
    disclosure = analysis.disclosure
    # Outside the research team a group pooled over accounts is shown only when it is large enough in each of
    # them: else the tables of two scopes (the portfolio and an account) would give a small group away.
    smallest = (
        queries.smallest_group_per_account(
            session=session, study=study, groups=groups, account_ids=account_ids
        )
        if analysis.outside
        else {}
    )
    sensitive_rows = sensitive_withheld(analysis, account_ids)
    table = RoleTable()
    for perspective in queries.BREAKDOWN_PERSPECTIVES:
        side = perspective.value
        present = sorted({c.role for c in cells if c.role is not None and c.perspective is perspective})
        shown = [r for r in present if role is None or r == role]
        columns = [RoleColumn(None, _("All roles"))] + [
            RoleColumn(r, groups.labels.get(r, r) if r else _("Role not given")) for r in shown
        ]
        rows = []
        group_cells = withheld_cells = 0
        for key, name in analysis.dimension_names.items():
            found = {r: by_key.get((r, perspective, key)) for r in [None, *present]}
            if all(found.get(column.role) is None for column in columns):
                continue
            sizes = {r: c.n for r, c in found.items() if r is not None and c is not None}
            hidden = hidden_groups(sizes, disclosure)
            if analysis.outside:
                small = {
                    r for r in sizes if not disclosure.group_shown(smallest.get((r, perspective, key), 0))
                }
                hidden |= hidden_groups({r: (0 if r in small else n) for r, n in sizes.items()}, disclosure)
            sensitive = key in disclosure.sensitive_dimensions and perspective is Perspective.SUPPLIER
            row_cells: dict[str | None, dict[str, Any] | None] = {}
            for column in columns:
                c = found.get(column.role)
                if c is None:
                    row_cells[column.role] = None
                    continue
                cell: dict[str, Any] = {
                    "mean": round_score(c.mean),
                    "n": c.n,
                    "indicative": c.n < analysis.min_n,
                }
                # A sensitive dimension withheld for an account in scope takes the whole row along outside;
                # inside, its "all roles" cell of too few raters is marked.
                if analysis.outside:
                    sensitive_total = sensitive and key in sensitive_rows
                else:
                    sensitive_total = sensitive and column.role is None and not disclosure.group_shown(c.n)
                group_cells += column.role is not None
                if analysis.outside and (column.role in hidden or sensitive_total):
                    cell = {"mean": None, "n": None, "indicative": False, "withheld": True}
                    table.withheld.add(side)
                    withheld_cells += column.role is not None
                elif not analysis.outside and (
                    sensitive_total or (column.role is not None and not disclosure.group_shown(c.n))
                ):
                    cell["identifiable"] = True
                    table.identifiable.add(side)
                row_cells[column.role] = cell
            rows.append({"key": key, "name": name, "cells": row_cells})
        table.columns[side] = columns
        table.rows[side] = rows
        if group_cells and withheld_cells == group_cells:
            table.all_withheld.add(side)
    return table


@dataclass(frozen=True, slots=True)
class Matrix:
    """The fit matrix as a data URL, how many accounts it places, whether its dots carry their numbers, and
    whether a dot is hollow (an indicative account, rule 17)."""

    url: str
    accounts: int
    numbered: bool
    hollow: bool = False


def merged_points(points: list[charts.FitPoint], threshold: float) -> list[charts.FitPoint]:
    """One dot per occupied MATRIX_CELL x MATRIX_CELL square, drawn at the square's centre. The squares'
    edges lie on the quadrant threshold, and a value at the threshold counts as reaching it (rule 7's
    tolerance), so every dot stays in its account's quadrant. A dot is hollow (indicative) when one of its
    accounts is: a shared dot never looks surer than its weakest account (rule 17)."""

    def centre(value: float) -> float:
        cell = math.floor((value - threshold + THRESHOLD_TOLERANCE) / MATRIX_CELL)
        return min(100.0, max(0.0, threshold + (cell + 0.5) * MATRIX_CELL))

    cells: dict[tuple[float, float], bool] = {}
    for point in points:
        key = (centre(point.client), centre(point.supplier))
        cells[key] = cells.get(key, False) or point.indicative
    return [
        charts.FitPoint(0, client, supplier, indicative=cells[(client, supplier)])
        for client, supplier in sorted(cells)
    ]


def matrix_svg(analysis: Analysis, rows: Sequence[Mapping[str, Any]]) -> Matrix:
    """The fit matrix of the rows that have both overall fits. Up to MAX_NUMBERED_POINTS accounts, each dot
    carries its row number in the table; above that, accounts within MATRIX_CELL points of each other share a
    dot and the numbers are left out (issue 22: a numbered dot each was megabytes at 20,000 accounts, and
    unreadable long before that). Every account still shows; the quadrant counts give the numbers. An
    indicative account's dot is hollow (rule 17); `hollow` says whether the matrix has one."""
    points = [
        charts.FitPoint(
            row["number"],
            overall["client"],
            overall["supplier"],
            indicative=bool(overall["indicative"]),
        )
        for row in rows
        if (overall := row["entry"]["overall"])["client"] is not None and overall["supplier"] is not None
    ]
    threshold = float(analysis.document["thresholds"]["quadrant"])
    numbered = len(points) <= MAX_NUMBERED_POINTS
    svg = charts.fit_matrix(
        points if numbered else merged_points(points, threshold),
        labels=chart_labels(),
        threshold=threshold,
        quadrant_names={q: labels.label(labels.QUADRANT_NAMES, q) for q in Quadrant},
        numbered=numbered,
    )
    return Matrix(
        url=charts.svg_data_url(svg),
        accounts=len(points),
        numbered=numbered,
        hollow=any(point.indicative for point in points),
    )


def cost_explanation(analysis: Analysis) -> list[dict[str, Any]]:
    """The accounts behind the cost of mismatch (rule 11), as the portfolio report explains it: mismatched
    accounts with both hour figures, their hours beyond billable and beyond what a matching client costs (the
    JSON's `excess_hours`), in account order, then matching accounts with effort > 0 (least effort first) with
    their billable hours and hours beyond them where known (they give the baseline share); each row's
    `mismatched` says which it is."""
    mismatched, matching = [], []
    for result in analysis.result.accounts:
        figures = result.account
        quadrant = result.fit.quadrant
        # Most accounts of a large study are neither: their summaries are not made.
        if quadrant not in COST_QUADRANTS and quadrant is not Quadrant.MATCH:
            continue
        entry = analysis.summaries[figures.account_id]
        effort, billable = figures.effort_hours, figures.billable_hours
        if entry["quadrant"] in COST_QUADRANTS and effort is not None and billable is not None:
            beyond = round_score(max(0.0, effort - billable))
            cost = entry.get("cost")
            mismatched.append(
                {
                    "entry": entry,
                    "effort": effort,
                    "billable": billable,
                    "beyond": beyond,
                    "excess": None if cost is None else cost["excess_hours"],
                    "mismatched": True,
                }
            )
        elif entry["quadrant"] == Quadrant.MATCH.value and effort:
            # A matching account's billable hours give the baseline share (rule 11): shown when known.
            beyond = None if billable is None else round_score(max(0.0, effort - billable))
            matching.append(
                {
                    "entry": entry,
                    "effort": effort,
                    "billable": billable,
                    "beyond": beyond,
                    "mismatched": False,
                }
            )
    return mismatched + sorted(matching, key=lambda row: row["effort"])


def _page(rows: Sequence[Any], wanted: Wanted) -> Page[Any]:
    """One page of rows the analysis already holds in memory (they are small dicts; only the page is shown)."""
    return Page(items=list(rows[wanted.offset : wanted.offset + wanted.size]), total=len(rows), wanted=wanted)


def portfolio_view(
    *,
    session: Session,
    study: Study,
    language: str,
    outside: bool = False,
    segment: str | None = None,
    role: str | None = None,
    table_page: Wanted = FIRST_PAGE,
    drift_page: Wanted = FIRST_PAGE,
    cost_page: Wanted = FIRST_PAGE,
) -> dict[str, Any]:
    """Everything the study dashboard shows (`outside`: to a reader outside the research team, as rule 18
    allows); `segment` restricts the accounts (quadrants, dimension means,
    coverage, the matrix and the role breakdown); the cost of mismatch and the statistics stay portfolio-wide.
    The account tables are paged (`table_page`, `drift_page`, `cost_page`): the analysis is of every account,
    the page shows a page of them. Raises AnalysisError (see `load_analysis`)."""
    with collector_paused():
        return _portfolio_view(
            session=session, study=study, language=language, outside=outside, segment=segment, role=role,
            table_page=table_page, drift_page=drift_page, cost_page=cost_page,
        )  # fmt: skip


def _portfolio_view(
    *,
    session: Session,
    study: Study,
    language: str,
    outside: bool,
    segment: str | None,
    role: str | None,
    table_page: Wanted,
    drift_page: Wanted,
    cost_page: Wanted,
) -> dict[str, Any]:
    analysis = load_analysis(session=session, study=study, language=language, outside=outside)
    accounts = queries.scope_accounts(session=session, study=study)
    chosen = [a for a in accounts if segment is None or a.segment == segment]
    rows = _account_rows(analysis, chosen)
    document = analysis.document
    portfolio = segment_portfolio(analysis, {a.id for a in chosen}) if segment is not None else None
    dimensions = portfolio.dimensions if portfolio else document["portfolio"]["dimensions"]
    drift_rows = [row for row in rows if row["entry"]["drift"] is not None]
    shown = _with_nps_answers(_page(rows, table_page))
    growing_apart = [row for row in drift_rows if row["entry"]["drift"]["growing_apart"]]
    return {
        "analysis": analysis,
        "document": document,
        "rows": shown,
        "marks": {
            "indicative": any(
                row["entry"]["overall"]["indicative"] or row["entry"]["nps"]["indicative"]
                for row in shown.items
            ),
            "borderline": any(
                row["entry"]["overall"]["borderline"]
                and row["entry"]["quadrant"] != Quadrant.INCOMPLETE.value
                for row in shown.items
            ),
        },
        "matrix": matrix_svg(analysis, rows),
        "matrix_cell": MATRIX_CELL,
        "quadrants": portfolio.quadrants if portfolio else document["portfolio"]["quadrants"],
        "dimensions": [
            {**row, "name": analysis.dimension_names.get(row["key"], row["key"])} for row in dimensions
        ],
        "segment": segment,
        "cost": display.portfolio_cost(document["portfolio"]["cost_of_mismatch"]),
        "currency": display.CURRENCY,
        "cost_accounts": _page(cost_explanation(analysis), cost_page),
        # Growing apart first, so that the accounts to act on are on the drift table's first pages.
        "drift_rows": _page(
            sorted(drift_rows, key=lambda row: not row["entry"]["drift"]["growing_apart"]), drift_page
        ),
        "growing_apart": growing_apart[:MAX_NAMED],
        "growing_apart_count": len(growing_apart),
        "coverage": response_totals([row["entry"] for row in rows]),
        "roles": role_table(
            session=session,
            study=study,
            analysis=analysis,
            account_ids=None if segment is None else {a.id for a in chosen},
            language=language,
            role=role,
        ),
    }


def _with_nps_answers(page: Page[dict[str, Any]]) -> Page[dict[str, Any]]:
    """The page's rows with rule 17's NPS in words where it rests on fewer than min_n answers (made for the
    rows shown only: a study may have 20,000 accounts)."""
    for row in page.items:
        row["nps_answers"] = display.nps_answers(row["entry"]["nps"])
    return page


def _account_rows(analysis: Analysis, accounts: Sequence[Any]) -> list[dict[str, Any]]:
    """The accounts with an analysis entry, numbered in the given (name) order: the numbers of the matrix."""
    rows = []
    for account in accounts:
        entry = analysis.summaries.get(account.id)
        if entry is None:
            continue
        rows.append({"number": len(rows) + 1, "account": account, "entry": entry})
    return rows
