"""Rebuilding the stored scores of a study's answers, and repinning a study to the current files.

An Answer's score, dimension, weight and not-applicable flag are a cache of what the questionnaire version
says about its raw value (DESIGN.md, "Answer"). `rescore` rebuilds that cache for every answer of the study
from the version each response is scored on (`queries.scoring_questionnaires`: the study's pinned version of
the questionnaire). `repin` first pins the current files' questionnaire versions and scoring version — a
deliberate change, recorded in the audit log. Both flush; the caller commits once.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import bindparam, select, update
from sqlalchemy.orm import Session

from surveyapp.analysis.queries import scoring_questionnaires
from surveyapp.audit.services import record
from surveyapp.questionnaires.models import ScoringVersion
from surveyapp.questionnaires.schema import Questionnaire
from surveyapp.questionnaires.services import ensure_questionnaire_version, ensure_scoring_version
from surveyapp.questionnaires.types import NA, handler_for
from surveyapp.questionnaires.visibility import visibility
from surveyapp.responses.models import Answer, Response
from surveyapp.studies.models import Study

# Responses whose answers are read and written together.
BATCH_RESPONSES = 500
_ANSWERS = Answer.__table__
_UPDATE = (
    update(_ANSWERS)
    .where(_ANSWERS.c.id == bindparam("answer_id"))
    .values(
        score=bindparam("new_score"),
        dimension=bindparam("new_dimension"),
        weight=bindparam("new_weight"),
        not_applicable=bindparam("new_not_applicable"),
    )
)


class RescoreError(ValueError):
    """The study cannot be repinned or rescored; the message says why."""


@dataclass
class RescoreReport:
    """What `repin` and `rescore` changed."""

    repinned: list[str] = field(default_factory=list)
    responses: int = 0
    answers: int = 0
    scores: int = 0
    dimensions: int = 0
    weights: int = 0
    not_applicable: int = 0
    changed: int = 0
    unknown_items: int = 0
    invalid_values: int = 0

    def lines(self) -> list[str]:
        """The report as the command line prints it."""
        lines = list(self.repinned)
        lines.append(
            f"rescored {self.answers} answers of {self.responses} responses: {self.changed} changed "
            f"(score {self.scores}, dimension {self.dimensions}, weight {self.weights}, "
            f"not applicable {self.not_applicable})"
        )
        if self.unknown_items or self.invalid_values:
            lines.append(
                f"{self.unknown_items + self.invalid_values} answers have no score now: their question is "
                f"not in the pinned version ({self.unknown_items}) or their value is not valid there "
                f"({self.invalid_values})"
            )
        return lines


def repin(
    *, session: Session, study: Study, catalogue: Any, actor: Any = None, actor_label: str | None = None
) -> list[str]:
    """Pin the current files' version of each questionnaire the study uses, and the current scoring version.

    Returns one line per change (nothing when everything was pinned to the current files already); a change is
    recorded in the audit log with the old and new versions. Raises RescoreError when a questionnaire the
    study uses is no longer in the questionnaire folder.
    """
    changes = []
    details: dict[str, list[str]] = {}
    for row in study.questionnaires:
        current = catalogue.questionnaires.get(row.slug)
        if current is None:
            raise RescoreError(f"questionnaire {row.slug} is not in the questionnaire folder any more")
        version = ensure_questionnaire_version(session=session, questionnaire=current)
        if version.id != row.version_id:
            old = row.version.version
            changes.append(f"repinned {row.slug}: {old[:12]} -> {version.version[:12]}")
            details[row.slug] = [old, version.version]
            row.version = version
    scoring = ensure_scoring_version(session=session, scoring=catalogue.scoring)
    if study.scoring_version_id != scoring.id:
        old_scoring = study.scoring_version_id
        label = "none (provisional)" if old_scoring is None else _scoring_label(session, old_scoring)
        changes.append(f"repinned the scoring version: {label} -> {scoring.version[:12]}")
        details["scoring"] = [label, scoring.version]
        study.scoring_version_id = scoring.id
    session.flush()
    if changes:
        record(
            session=session,
            action="study.repinned",
            actor=actor,
            actor_label=actor_label,
            obj=study,
            supplier_id=study.supplier_id,
            details=details,
        )
    return changes


def _scoring_label(session: Session, version_id: int) -> str:
    row = session.get(ScoringVersion, version_id)
    return row.version[:12] if row is not None else f"#{version_id}"


def _batches(session: Session, study: Study) -> Iterator[list[tuple[int, int]]]:
    ids = session.execute(
        select(Response.id, Response.questionnaire_version_id)
        .where(Response.study_id == study.id)
        .order_by(Response.id)
    ).all()
    for start in range(0, len(ids), BATCH_RESPONSES):
        yield [(response_id, version_id) for response_id, version_id in ids[start : start + BATCH_RESPONSES]]


def _derived(
    questionnaire: Questionnaire, key: str, raw: str | None, shown: Mapping[str, str], report: RescoreReport
) -> tuple[float | None, str | None, float, bool]:
    """(score, dimension, weight, not_applicable) of one stored answer under the scoring questionnaire."""
    try:
        item = questionnaire.item(key)
    except KeyError:
        report.unknown_items += 1
        return None, None, 1.0, raw == NA
    handler = handler_for(item)
    not_applicable = raw == NA and handler.na_is_special
    if raw is None or key not in shown:
        return None, item.dimension, item.weight, not_applicable
    try:
        score = handler.score(item, raw)
    except ValueError:
        report.invalid_values += 1
        score = None
    return score, item.dimension, item.weight, not_applicable


def rescore(
    *, session: Session, study: Study, actor: Any = None, actor_label: str | None = None
) -> RescoreReport:
    """Rebuild score, dimension, weight and not_applicable of every answer of the study (see module doc).

    A hidden answer (by the scoring version's `show_if`) gets no score; an answer to a question that version
    does not have gets no score and no dimension; a value the version rejects gets no score. Changes are
    written in batches and recorded in the audit log with their counts.
    """
    report = RescoreReport()
    versions = scoring_questionnaires(session=session, study=study)
    for batch in _batches(session, study):
        version_of = dict(batch)
        rows = session.execute(
            select(
                Answer.id,
                Answer.response_id,
                Answer.item_key,
                Answer.value,
                Answer.score,
                Answer.dimension,
                Answer.weight,
                Answer.not_applicable,
            )
            .where(Answer.response_id.in_(version_of))
            .order_by(Answer.response_id, Answer.id)
        ).all()
        raw_by_response: dict[int, dict[str, str]] = {}
        for _id, response_id, key, value, *_ in rows:
            if value is not None:
                raw_by_response.setdefault(response_id, {})[key] = value
        shown = {
            response_id: visibility(versions[version_of[response_id]], raw).answers
            for response_id, raw in raw_by_response.items()
        }
        updates = []
        for answer_id, response_id, key, value, score, dimension, weight, not_applicable in rows:
            new = _derived(versions[version_of[response_id]], key, value, shown.get(response_id, {}), report)
            report.answers += 1
            changes = (new[0] != score, new[1] != dimension, new[2] != weight, new[3] != not_applicable)
            if any(changes):
                report.changed += 1
                report.scores += changes[0]
                report.dimensions += changes[1]
                report.weights += changes[2]
                report.not_applicable += changes[3]
                updates.append(
                    {
                        "answer_id": answer_id,
                        "new_score": new[0],
                        "new_dimension": new[1],
                        "new_weight": new[2],
                        "new_not_applicable": new[3],
                    }
                )
        report.responses += len(batch)
        if updates:
            session.execute(_UPDATE, updates)
    session.flush()
    if report.changed:
        record(
            session=session,
            action="study.rescored",
            actor=actor,
            actor_label=actor_label,
            obj=study,
            supplier_id=study.supplier_id,
            details={
                "answers": report.answers,
                "changed": report.changed,
                "score": report.scores,
                "dimension": report.dimensions,
                "weight": report.weights,
                "not_applicable": report.not_applicable,
            },
        )
    return report
