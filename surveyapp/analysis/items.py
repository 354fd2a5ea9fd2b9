"""Rule 3: a respondent's dimension score from their item scores (the pure twin of the SQL weighted mean)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from surveyapp.analysis._numeric import weighted_mean
from surveyapp.analysis.inputs import ItemScore, RespondentDimensionScore
from surveyapp.enums import Perspective


def check_unique_items(item_scores: Iterable[ItemScore]) -> list[ItemScore]:
    """Return the rows as a list, raising ValueError when a response holds the same item twice.

    One response has one answer per item key (rule 2 leaves one response per contact, account and
    perspective), so a repeated item means the upstream query let a superseded response through.
    """
    rows = list(item_scores)
    seen: set[tuple[int, int, Perspective, str]] = set()
    for row in rows:
        key = (row.account_id, row.respondent_id, row.perspective, row.item_key)
        if key in seen:
            raise ValueError(
                f"item {row.item_key!r} occurs twice for respondent {row.respondent_id} on account "
                f"{row.account_id} ({row.perspective.value})"
            )
        seen.add(key)
    return rows


def respondent_dimension_scores(item_scores: Iterable[ItemScore]) -> tuple[RespondentDimensionScore, ...]:
    """Each respondent's score per dimension: the weighted mean of their item scores in it (rule 3).

    Input: scored items as stored (rule 1 applied: reverse keying done, NA/unanswered/hidden items absent).
    Items without a dimension (e.g. an `nps` item or a signal item not tied to a dimension) are skipped.
    Output: one row per (account, respondent, perspective, dimension) that has at least one item, sorted by
    those fields.
    """
    groups: dict[tuple[int, int, Perspective, str], list[ItemScore]] = defaultdict(list)
    for row in check_unique_items(item_scores):
        if row.dimension is None:
            continue
        groups[(row.account_id, row.respondent_id, row.perspective, row.dimension)].append(row)
    return tuple(
        RespondentDimensionScore(
            account_id=account_id,
            respondent_id=respondent_id,
            perspective=perspective,
            dimension=dimension,
            score=weighted_mean([item.score for item in items], [item.weight for item in items]),
        )
        for (account_id, respondent_id, perspective, dimension), items in sorted(
            groups.items(), key=_group_order
        )
    )


def _group_order(
    entry: tuple[tuple[int, int, Perspective, str], list[ItemScore]],
) -> tuple[int, int, str, str]:
    account_id, respondent_id, perspective, dimension = entry[0]
    return account_id, respondent_id, perspective.value, dimension
