"""Rule 20: the staff's own continue / realign / exit advice, tallied per account."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from surveyapp.analysis.inputs import AdviceAnswer


@dataclass(frozen=True, slots=True)
class StaffAdvice:
    """How many staff raters of an account chose each option (every option of the question, 0 included, in
    the question's order), and n = the raters who answered."""

    counts: tuple[tuple[str, int], ...]
    n: int

    def count(self, option: str) -> int:
        return dict(self.counts).get(option, 0)


def staff_advice(answers: Iterable[AdviceAnswer], options: Sequence[str]) -> dict[int, StaffAdvice]:
    """The tally per account with at least one answer. An option chosen that `options` does not list (a
    questionnaire version with other options) is counted after them. One respondent answering twice for an
    account is an upstream bug (rule 2) and raises ValueError."""
    chosen: dict[int, dict[int, str]] = defaultdict(dict)
    for answer in answers:
        by_respondent = chosen[answer.account_id]
        if answer.respondent_id in by_respondent:
            raise ValueError(
                f"respondent {answer.respondent_id} gave staff advice twice for account {answer.account_id}"
            )
        by_respondent[answer.respondent_id] = answer.option
    result = {}
    for account_id, by_respondent in chosen.items():
        values = list(by_respondent.values())
        keys = list(options) + sorted(set(values) - set(options))
        result[account_id] = StaffAdvice(
            counts=tuple((key, values.count(key)) for key in keys), n=len(values)
        )
    return result


def no_advice(options: Sequence[str]) -> StaffAdvice:
    """The tally of an account nobody advised on: every option 0, n = 0."""
    return StaffAdvice(counts=tuple((key, 0) for key in options), n=0)
