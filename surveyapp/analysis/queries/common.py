"""What the analysis queries share: the questionnaires a study is scored on, its signal and NPS items,
perspectives read back from SQL, `work_mem` for PostgreSQL."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from sqlalchemy import (
    CTE,
    ColumnElement,
    Connection,
    and_,
    or_,
    select,
)
from sqlalchemy.orm import Session

from surveyapp.analysis.inputs import (
    SIGNAL_TAG,
)
from surveyapp.enums import Perspective, ResponseMode
from surveyapp.questionnaires.models import QuestionnaireVersion
from surveyapp.questionnaires.schema import BEHAVIOUR_TYPES, Questionnaire
from surveyapp.questionnaires.services import load_version
from surveyapp.responses.models import Answer, Response
from surveyapp.studies.models import Study

# Memory for the hash aggregates of `answer_aggregates` on PostgreSQL (its default, 4MB, makes them spill to
# disk from a few thousand respondents on).
WORK_MEM = "64MB"


MODE_FIELDS = {
    ResponseMode.SURVEY: "survey",
    ResponseMode.INTERVIEW: "interview",
    ResponseMode.IMPORT: "imported",
}


def scoring_questionnaires(*, session: Session, study: Study) -> dict[int, Questionnaire]:
    """For every questionnaire version the study's responses were answered on: the version they are scored on.

    That is the study's pinned version of the same questionnaire (slug); normally the very version answered,
    but after `analysis rescore --repin` the newly pinned one. A response whose questionnaire the study no
    longer uses keeps its own version.
    """
    pinned = {row.slug: row.version_id for row in study.questionnaires}
    answered = session.execute(
        select(QuestionnaireVersion.id, QuestionnaireVersion.slug)
        .where(
            QuestionnaireVersion.id.in_(
                select(Response.questionnaire_version_id).where(Response.study_id == study.id).distinct()
            )
        )
        .order_by(QuestionnaireVersion.id)
    ).all()
    loaded: dict[int, Questionnaire] = {}
    result = {}
    for version_id, slug in answered:
        scored_on = pinned.get(slug, version_id)
        if scored_on not in loaded:
            loaded[scored_on] = load_version(session=session, version_id=scored_on)
        result[version_id] = loaded[scored_on]
    return result


@dataclass(frozen=True, slots=True)
class ItemSets:
    """Per answered questionnaire version: the signal item keys (and those of them that are reverse-keyed),
    the key of the NPS item and of the staff-advice question (if any). Across versions: each signal item's
    dimension (by item key; the first version that scores it wins), the signal items that measure behaviour
    (how often, how many: their "agreed" is who reported the problem) and the advice question's options in
    order (None when no version has one)."""

    signals: Mapping[int, frozenset[str]]
    nps: Mapping[int, frozenset[str]]
    reversed_signals: Mapping[int, frozenset[str]] = field(default_factory=dict)
    advice: Mapping[int, frozenset[str]] = field(default_factory=dict)
    advice_options: tuple[str, ...] | None = None
    signal_dimensions: Mapping[str, str] = field(default_factory=dict)
    behaviour_signals: frozenset[str] = frozenset()

    @classmethod
    def of(cls, questionnaires: Mapping[int, Questionnaire]) -> ItemSets:
        signals = {}
        reversed_signals = {}
        nps = {}
        advice = {}
        options: list[str] = []
        has_advice = False
        dimensions: dict[str, str] = {}
        behaviour: set[str] = set()
        for version_id, questionnaire in sorted(questionnaires.items()):
            items = [item for item in questionnaire.items if SIGNAL_TAG in item.tags]
            if items:
                signals[version_id] = frozenset(item.key for item in items)
                # Who "agreed" scored below the middle: a reverse-keyed statement names the problem, and a
                # behaviour item (how often, how many) scores low when the problem happens.
                reversed_signals[version_id] = frozenset(
                    item.key for item in items if item.reverse or item.type in BEHAVIOUR_TYPES
                )
                behaviour.update(item.key for item in items if item.type in BEHAVIOUR_TYPES)
                for item in items:
                    if item.dimension is not None:
                        dimensions.setdefault(item.key, item.dimension)
            if questionnaire.nps_item is not None:
                nps[version_id] = frozenset({questionnaire.nps_item.key})
            question = questionnaire.advice_question
            if question is not None:
                has_advice = True
                advice[version_id] = frozenset({question.key})
                options += [option.key for option in question.options or () if option.key not in options]
        return cls(
            signals=signals,
            nps=nps,
            reversed_signals=reversed_signals,
            advice=advice,
            advice_options=tuple(options) if has_advice else None,
            signal_dimensions=dimensions,
            behaviour_signals=frozenset(behaviour),
        )


def core_connection(session: Session) -> Connection:
    """The session's connection for Core execution of a statement with many rows (the ORM's row handling
    costs more than the statement then), after the autoflush that `session.execute` would have done, so
    the rows are the same as through the session."""
    if session.autoflush:
        session.flush()
    return session.connection()


def perspective_of(value: object) -> Perspective:
    return value if isinstance(value, Perspective) else Perspective(str(value))


# A perspective by its text (or by itself: a StrEnum member hashes and compares as its value).
PERSPECTIVES: dict[str, Perspective] = {perspective.value: perspective for perspective in Perspective}


def answers_to(counted: CTE, keys: Mapping[int, frozenset[str]]) -> ColumnElement[bool]:
    """Answers to the given item keys of the given questionnaire versions (the item keys of all versions
    are repeated on their own, so the database can seek them in the (response, item) index)."""
    return and_(
        Answer.item_key.in_(sorted(frozenset().union(*keys.values()))),
        or_(
            *(
                and_(counted.c.questionnaire_version_id == version_id, Answer.item_key.in_(sorted(item_keys)))
                for version_id, item_keys in sorted(keys.items())
            )
        ),
    )
