"""Which responses count (rule 2), keeping `superseded` in step with it, and an answer's stored form.

Rule 2: only completed responses count, and of those only the latest per (study, contact, account,
perspective) — latest by completion time (`submitted_at`), ties broken by the higher id. `ranked_responses`
states that rule once, as a window function (`row_number()`, which SQLite >= 3.25 and PostgreSQL both have);
the analysis reads the counted responses through it, and `mark_superseded` writes the same decision into the
`superseded` flag after responses are completed or imported. Services flush, never commit.

`stored_answer` is how an answer is stored, the same way the survey stores it: the raw value in its canonical
form, `not_applicable`, and the score, dimension and weight of the item in the questionnaire version.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, Subquery, and_, case, func, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from surveyapp.enums import Perspective, ResponseMode
from surveyapp.questionnaires.schema import Item
from surveyapp.questionnaires.types import NA, handler_for
from surveyapp.responses.models import COMPLETED, Answer, Response
from surveyapp.studies.models import Study, StudyAccount

#: The perspectives whose responses carry scores; the brief (`none`) never reaches the analysis.
SCORED_PERSPECTIVES = (Perspective.CLIENT, Perspective.SUPPLIER, Perspective.SUPPLIER_PREDICTS_CLIENT)


#: One (contact, account, perspective): the group within which responses are ranked.
Group = tuple[int, int | None, Perspective]


def ranked_responses(
    study_id: int, *, in_scope_only: bool = False, every_status: bool = False, group: Group | None = None
) -> Subquery:
    """The study's completed responses with their `rank` within (contact, account, perspective): 1 = counts
    (rule 2 as rule 19 refines it: an interview first, then the latest completed, then the higher id).

        With `in_scope_only`, only responses about accounts in the study's scope and in a scored perspective
        (the account is part of the partition, so filtering first changes no rank). With `every_status`, the
        responses in progress too, ranked apart from the completed ones, and a column `completed`: a response
        counts when it is completed and ranks 1. With `group`, only that group's responses (ranked the same).
    """
    completed = Response.status == COMPLETED
    conditions = [Response.study_id == study_id]
    if group is not None:
        contact_id, account_id, perspective = group
        conditions += [
            Response.contact_id == contact_id,
            Response.account_id.is_(None) if account_id is None else Response.account_id == account_id,
            Response.perspective == perspective,
        ]
    if not every_status:
        conditions.append(completed)
    if in_scope_only:
        scope = select(StudyAccount.account_id).where(StudyAccount.study_id == study_id)
        conditions += [Response.account_id.in_(scope), Response.perspective.in_(SCORED_PERSPECTIVES)]
    partition = (Response.contact_id, Response.account_id, Response.perspective)
    rank = func.row_number().over(
        partition_by=(*partition, completed) if every_status else partition,
        # Rule 19: an interview counts over a survey, whenever each was completed; then the latest.
        order_by=(
            case((Response.mode == ResponseMode.INTERVIEW, 0), else_=1),
            Response.submitted_at.desc(),
            Response.id.desc(),
        ),
    )
    return (
        select(
            Response.id,
            Response.contact_id,
            Response.account_id,
            Response.perspective,
            Response.mode,
            Response.questionnaire_version_id,
            rank.label("rank"),
            *((completed.label("completed"),) if every_status else ()),
        )
        .where(*conditions)
        .subquery("ranked")
    )


def counted_select(study_id: int) -> Select[tuple[int, int, int, Perspective, ResponseMode, int]]:
    """The responses that count for the analysis (rule 2): the latest completed one per (contact, account,
    perspective), about an account in scope, in a scored perspective; as a SELECT of (id, contact_id,
    account_id, perspective, mode, questionnaire_version_id)."""
    ranked = ranked_responses(study_id, in_scope_only=True)
    return select(
        ranked.c.id,
        ranked.c.contact_id,
        ranked.c.account_id,
        ranked.c.perspective,
        ranked.c.mode,
        ranked.c.questionnaire_version_id,
        # rank < 2 is rank = 1 (row_number starts at 1), but PostgreSQL estimates it as a third of the rows
        # instead of a handful, and so joins the answers by hash or merge rather than one lookup per response.
    ).where(ranked.c.rank < 2)


def counted_responses(study_id: int) -> Subquery:
    """`counted_select` as a subquery named `counted`."""
    return counted_select(study_id).subquery("counted")


def mark_superseded(*, session: Session, study: Study, group: Group | None = None) -> int:
    """Set `superseded` on every completed response of the study (or of one `group`) as rules 2 and 19
    decide; returns how many changed.

    Call it after responses were completed or imported (in any order: an import may bring an older
    response than one already stored). Responses in progress are left as they are.
    """
    ranked = ranked_responses(study.id, group=group)
    changed = 0
    for superseded, rank_condition in ((True, ranked.c.rank > 1), (False, ranked.c.rank == 1)):
        result = session.execute(
            update(Response)
            .where(
                and_(
                    Response.id.in_(select(ranked.c.id).where(rank_condition)),
                    Response.superseded.is_(not superseded),
                )
            )
            .values(superseded=superseded)
            .execution_options(synchronize_session=False)
        )
        changed += result.rowcount or 0  # type: ignore[attr-defined]
    return changed


@dataclass(frozen=True, slots=True)
class StoredAnswer:
    """What an Answer row holds for one item, derived from the raw value and the questionnaire version."""

    value: str
    not_applicable: bool
    score: float | None
    dimension: str | None
    weight: float

    def columns(self) -> dict[str, object]:
        """The Answer columns (without the response, key and timestamps)."""
        return {
            "value": self.value,
            "not_applicable": self.not_applicable,
            "score": self.score,
            "dimension": self.dimension,
            "weight": self.weight,
        }


def stored_answer(item: Item, raw: str) -> StoredAnswer:
    """The stored form of a valid raw answer to a visible item: canonical value, NA flag, score, dimension,
    weight — as the survey stores it. Raises ValueError for an invalid raw value."""
    handler = handler_for(item)
    value = handler.normalise(item, raw)
    return StoredAnswer(
        value=value,
        not_applicable=value == NA and handler.na_is_special,
        score=handler.score(item, value),
        dimension=item.dimension,
        weight=item.weight,
    )


def upsert_answers(session: Session, rows: list[dict[str, Any]]) -> None:
    """Insert answers, or replace the stored answer of the same (response, item): one statement per batch.

    Each row holds the Answer columns `response_id`, `item_key`, `value`, `not_applicable`, `score`,
    `dimension`, `weight`, `version`, `created_at`, `updated_at`; a replaced answer keeps its `created_at` and
    counts its `version` up.
    """
    if not rows:
        return
    insert = postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert
    statement = insert(Answer).values(rows)
    new = statement.excluded
    session.execute(
        statement.on_conflict_do_update(
            index_elements=[Answer.response_id, Answer.item_key],
            set_={
                "value": new.value,
                "not_applicable": new.not_applicable,
                "score": new.score,
                "dimension": new.dimension,
                "weight": new.weight,
                "version": Answer.version + 1,
                "updated_at": new.updated_at,
            },
        )
    )
