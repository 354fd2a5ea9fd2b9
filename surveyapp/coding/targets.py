"""What can be coded: free-text answers of counted responses and interview quotes, as one SQL selection.

A *target* is either an `Answer` (of a `text` or `longtext` question according to the questionnaire version its
response is pinned to, in a response that counts for the analysis — rule 2) or an `InterviewQuote` of an
interview about an account in scope that was not cancelled. `targets_subquery` selects both as rows of
(kind, id, text, question, perspective, account_id, contact_id, response_id, interview_id), so that paging,
filters and counts run in SQL whatever the number of answers.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Integer, Subquery, and_, cast, false, literal, null, or_, select, union_all
from sqlalchemy.orm import Session

from surveyapp.enums import Perspective, QuestionType
from surveyapp.interviews.answers import QUOTE_CONSENT_TAG
from surveyapp.interviews.models import Interview, InterviewQuote, InterviewStatus
from surveyapp.questionnaires.services import load_version
from surveyapp.responses.models import Answer
from surveyapp.responses.storage import counted_select
from surveyapp.studies.models import Study, StudyAccount

ANSWER = "answer"
QUOTE = "quote"
FREE_TEXT = (QuestionType.TEXT, QuestionType.LONGTEXT)
#: The perspectives shown as "supplier" (staff, whether they give their own view or predict the client's).
SUPPLIER_SIDE = (Perspective.SUPPLIER, Perspective.SUPPLIER_PREDICTS_CLIENT)


@dataclass(frozen=True, slots=True, order=True)
class Target:
    """A reference to one codeable thing, written `a<id>` (answer) or `q<id>` (interview quote) in forms."""

    kind: str
    id: int

    @property
    def key(self) -> str:
        return f"{self.kind[0]}{self.id}"

    @classmethod
    def parse(cls, key: str) -> Target | None:
        prefix, number = key[:1], key[1:]
        if prefix not in ("a", "q") or not number.isdigit() or len(number) > 12:
            return None
        return cls(ANSWER if prefix == "a" else QUOTE, int(number))

    def columns(self) -> dict[str, int | None]:
        """The `answer_id` and `quote_id` of a tag or selection pointing here."""
        return {
            "answer_id": self.id if self.kind == ANSWER else None,
            "quote_id": self.id if self.kind == QUOTE else None,
        }


def side_of(perspective: Perspective | str) -> str:
    """ "client" or "supplier": how reports and counts group perspectives."""
    return "supplier" if Perspective(perspective) in SUPPLIER_SIDE else "client"


@dataclass(frozen=True, slots=True)
class VersionKeys:
    """Per questionnaire version: its free-text item keys and its quote-consent item keys."""

    free_text: dict[int, frozenset[str]]
    consent: dict[int, frozenset[str]]


def version_keys(*, session: Session, study: Study) -> VersionKeys:
    """The free-text and consent items of every questionnaire version the study's counted responses use."""
    counted = counted_select(study.id).subquery()
    version_ids = set(session.scalars(select(counted.c.questionnaire_version_id).distinct()))
    free_text: dict[int, frozenset[str]] = {}
    consent: dict[int, frozenset[str]] = {}
    for version_id in sorted(version_ids):
        questionnaire = load_version(session=session, version_id=version_id)
        free_text[version_id] = frozenset(i.key for i in questionnaire.items if i.type in FREE_TEXT)
        consent[version_id] = frozenset(i.key for i in questionnaire.items if QUOTE_CONSENT_TAG in i.tags)
    return VersionKeys(free_text, consent)


def _keys_condition(version_column: Any, key_column: Any, keys: dict[int, frozenset[str]]) -> Any:
    conditions = [
        and_(version_column == version_id, key_column.in_(sorted(items)))
        for version_id, items in keys.items()
        if items
    ]
    return or_(*conditions) if conditions else false()


def targets_subquery(study: Study, keys: VersionKeys) -> Subquery:
    """Every codeable target of the study (see the module docstring)."""
    counted = counted_select(study.id).subquery("counted")
    answers = (
        select(
            literal(ANSWER).label("kind"),
            Answer.id.label("id"),
            Answer.value.label("text"),
            Answer.item_key.label("question"),
            counted.c.perspective.label("perspective"),
            counted.c.account_id.label("account_id"),
            counted.c.contact_id.label("contact_id"),
            counted.c.id.label("response_id"),
            cast(null(), Integer).label("interview_id"),
        )
        .join(counted, Answer.response_id == counted.c.id)
        .where(
            _keys_condition(counted.c.questionnaire_version_id, Answer.item_key, keys.free_text),
            Answer.value.is_not(None),
            Answer.value != "",
            Answer.not_applicable.is_(False),
        )
    )
    in_scope = select(StudyAccount.account_id).where(StudyAccount.study_id == study.id)
    quotes = (
        select(
            literal(QUOTE).label("kind"),
            InterviewQuote.id.label("id"),
            InterviewQuote.text.label("text"),
            InterviewQuote.question_key.label("question"),
            Interview.perspective.label("perspective"),
            Interview.account_id.label("account_id"),
            Interview.contact_id.label("contact_id"),
            Interview.response_id.label("response_id"),
            Interview.id.label("interview_id"),
        )
        .join(Interview, InterviewQuote.interview_id == Interview.id)
        .where(
            Interview.study_id == study.id,
            Interview.status != InterviewStatus.CANCELLED,
            Interview.account_id.in_(in_scope),
            InterviewQuote.text != "",
        )
    )
    return union_all(answers, quotes).subquery("targets")


def target_condition(targets: Subquery, answer_column: Any, quote_column: Any) -> Any:
    """The join condition between the targets and a table with `answer_id` and `quote_id` columns."""
    return or_(
        and_(targets.c.kind == ANSWER, answer_column == targets.c.id),
        and_(targets.c.kind == QUOTE, quote_column == targets.c.id),
    )


def in_targets(targets: Subquery, wanted: Iterable[Target]) -> Any:
    """A condition selecting these targets of the subquery."""
    wanted = list(wanted)
    answer_ids = [t.id for t in wanted if t.kind == ANSWER]
    quote_ids = [t.id for t in wanted if t.kind == QUOTE]
    return or_(
        and_(targets.c.kind == ANSWER, targets.c.id.in_(answer_ids)),
        and_(targets.c.kind == QUOTE, targets.c.id.in_(quote_ids)),
    )
