"""How long a questionnaire takes a respondent: an estimate from its questions, and the checks that keep the
minutes a survey promises ("It takes about 10 minutes") true (docs/questionnaires.md, "Respondent burden").

The estimate counts every question a respondent could be shown (conditional ones included: the longest path),
at a fixed number of seconds per answer by question type, per matrix row, plus a few seconds per page and the
time to read the introduction. The seconds are a rule of thumb for self-completion web surveys: a closed
question with a short text takes 5-10 seconds, a grid row somewhat less, a typed number or date 10-15, an
open answer from 15 (a word or two) to about a minute (a few sentences).
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from types import MappingProxyType

from surveyapp.enums import Perspective, Purpose, QuestionType
from surveyapp.questionnaires.schema import Question, Questionnaire

#: Seconds per answer, by question type (a matrix: per row).
SECONDS_PER_ANSWER = MappingProxyType(
    {
        QuestionType.SCALE: 7,
        QuestionType.NPS: 8,
        QuestionType.SINGLE: 8,
        QuestionType.MULTI: 12,
        QuestionType.NUMBER: 12,
        QuestionType.DATE: 12,
        QuestionType.TEXT: 15,
        QuestionType.LONGTEXT: 45,
        QuestionType.MATRIX: 6,
    }
)
#: Seconds per page (a section): reading its title and introduction, moving on.
SECONDS_PER_PAGE = 5
#: Reading speed for the introduction (words per minute, screen reading of plain text).
WORDS_PER_MINUTE = 200
#: The perspectives of staff surveys, answered once for every account a staff member rates.
STAFF_PERSPECTIVES = frozenset({Perspective.SUPPLIER, Perspective.SUPPLIER_PREDICTS_CLIENT})
#: Above this, a self-completion survey is too long: answers get worse and people stop (a warning).
LIMIT_MINUTES = 12

# "ongeveer 10 minuten", "about 8 minutes": the minutes a text promises.
_MINUTES_IN_TEXT = re.compile(r"(\d+)\s*(?:minuten|minuut|minutes|minute)\b", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class Burden:
    """The estimate for one questionnaire: `seconds` in all, `minutes` rounded up; `answers` counts every
    answer a respondent could give (a matrix row is one), `conditional` those behind a show_if."""

    seconds: int
    answers: int
    conditional: int

    @property
    def minutes(self) -> int:
        return max(1, math.ceil(self.seconds / 60))


def _answers(question: Question) -> int:
    return len(question.rows or ()) if question.type is QuestionType.MATRIX else 1


def estimate(questionnaire: Questionnaire, *, language: str = "en") -> Burden:
    """The respondent's time for `questionnaire` on its longest path (every conditional question shown)."""
    seconds = 0
    answers = conditional = 0
    for section in questionnaire.sections:
        seconds += SECONDS_PER_PAGE
        for question in section.questions:
            count = _answers(question)
            seconds += SECONDS_PER_ANSWER[question.type] * count
            answers += count
            if question.show_if is not None or section.show_if is not None:
                conditional += count
    words = len(questionnaire.intro.get(language).split())
    seconds += math.ceil(words * 60 / WORDS_PER_MINUTE)
    return Burden(seconds=seconds, answers=answers, conditional=conditional)


def self_completed(questionnaire: Questionnaire) -> bool:
    """Whether the respondent fills it in alone (the estimate's seconds apply); an interview guide is spoken,
    with probes, and takes what its `estimated_minutes` say."""
    return questionnaire.purpose is not Purpose.INTERVIEW


def summary(questionnaire: Questionnaire) -> str:
    """The check's words for the time it takes: "about 9 min", "about 7 min per account" for a staff survey
    (answered once per account the staff member rates), the stated minutes for an interview guide."""
    if not self_completed(questionnaire):
        stated = questionnaire.estimated_minutes
        return "interview, duration not stated" if stated is None else f"interview of about {stated} min"
    minutes = estimate(questionnaire).minutes
    if questionnaire.purpose is Purpose.SURVEY and questionnaire.perspective in STAFF_PERSPECTIVES:
        return f"about {minutes} min per account"
    return f"about {minutes} min"


def check_burden(questionnaire: Questionnaire, warn: Callable[[tuple[str, ...], str], None]) -> None:
    """Warn (at the line of the field concerned) when a survey is longer than LIMIT_MINUTES, when the minutes
    it states (`estimated_minutes`) are fewer than the estimate, and when its introduction promises other
    minutes than it states. An interview guide is only held to its introduction."""
    burden = estimate(questionnaire)
    if questionnaire.purpose is Purpose.SURVEY and burden.minutes > LIMIT_MINUTES:
        warn(
            ("sections",),
            f"estimated {burden.minutes} minutes ({burden.answers} answers), above the {LIMIT_MINUTES} a "
            "survey should take: shorten it, or split it",
        )
    stated = questionnaire.estimated_minutes
    if self_completed(questionnaire) and stated is not None and stated < burden.minutes:
        warn(
            ("estimated_minutes",),
            f"states {stated} minutes, but its questions take about {burden.minutes} "
            f"({burden.answers} answers): the respondent is promised less than it takes",
        )
    for language in ("nl", "en"):
        promised = {int(found) for found in _MINUTES_IN_TEXT.findall(questionnaire.intro.get(language))}
        if stated is not None and promised and promised != {stated}:
            said = ", ".join(str(value) for value in sorted(promised))
            warn(
                ("intro", language),
                f"the {language} introduction says {said} minutes, estimated_minutes says {stated}",
            )
