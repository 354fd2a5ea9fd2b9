"""Rule 8: Net Promoter Score per account and for the portfolio (respondents pooled)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from surveyapp.analysis.inputs import NpsAnswer

PROMOTER_MIN = 9  # 9-10
DETRACTOR_MAX = 6  # 0-6; 7-8 are passives


@dataclass(frozen=True, slots=True)
class NpsResult:
    """NPS on −100..100 with its counts; score is None when nobody answered (n = 0)."""

    score: float | None
    n: int
    promoters: int
    passives: int
    detractors: int


def net_promoter_score(values: Iterable[int]) -> NpsResult:
    """% promoters (9–10) − % detractors (0–6) over the given answers (rule 8); None score for no answers."""
    answers = list(values)
    promoters = sum(1 for value in answers if value >= PROMOTER_MIN)
    detractors = sum(1 for value in answers if value <= DETRACTOR_MAX)
    n = len(answers)
    # Multiply before dividing: whole-number results (e.g. 2 of 4 → 50.0) come out exact.
    score = None if n == 0 else (promoters - detractors) * 100 / n
    return NpsResult(
        score=score, n=n, promoters=promoters, passives=n - promoters - detractors, detractors=detractors
    )


def _unique(answers: Iterable[NpsAnswer]) -> list[NpsAnswer]:
    rows = list(answers)
    seen: set[tuple[int, int]] = set()
    for row in rows:
        if (row.account_id, row.respondent_id) in seen:
            raise ValueError(
                f"respondent {row.respondent_id} answered NPS twice for account {row.account_id}"
            )
        seen.add((row.account_id, row.respondent_id))
    return rows


def nps_by_account(answers: Iterable[NpsAnswer]) -> dict[int, NpsResult]:
    """NPS per account from client respondents' answers; accounts without answers are absent."""
    values: dict[int, list[int]] = defaultdict(list)
    for row in _unique(answers):
        values[row.account_id].append(row.value)
    return {account_id: net_promoter_score(account_values) for account_id, account_values in values.items()}


def portfolio_nps(answers: Iterable[NpsAnswer]) -> NpsResult:
    """Portfolio NPS: all client respondents pooled (rule 8), not a mean of account scores.

    Pooling weights each respondent equally, so an account with ten respondents counts ten times as much as
    one with a single respondent — as the rule intends.
    """
    return net_promoter_score(row.value for row in _unique(answers))
