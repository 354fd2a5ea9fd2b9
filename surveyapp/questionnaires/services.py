"""Storing and reading questionnaire and scoring versions.

A version is stored the first time it is used (get-or-create). Two processes may use a new version at the
same moment: both try to insert, the unique constraint lets one win, and the other — inside a SAVEPOINT, so
its transaction survives — selects the winner's row. Services flush but never commit.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from surveyapp.questionnaires.loader import (
    cached_definition,
    questionnaire_from_content,
    scoring_from_content,
)
from surveyapp.questionnaires.models import QuestionnaireVersion, ScoringVersion
from surveyapp.questionnaires.schema import Questionnaire, ScoringModel


class VersionNotFound(LookupError):
    """No stored version with that id."""


def _find_questionnaire_version(session: Session, slug: str, version: str) -> QuestionnaireVersion | None:
    return session.scalar(
        select(QuestionnaireVersion).where(
            QuestionnaireVersion.slug == slug, QuestionnaireVersion.version == version
        )
    )


def ensure_questionnaire_version(*, session: Session, questionnaire: Questionnaire) -> QuestionnaireVersion:
    """The stored version of a questionnaire; stores the full definition on first use (concurrency-safe)."""
    found = _find_questionnaire_version(session, questionnaire.slug, questionnaire.version)
    if found is not None:
        return found
    row = QuestionnaireVersion(
        slug=questionnaire.slug,
        version=questionnaire.version,
        title=questionnaire.title.en[:300],
        content=questionnaire.content(),
    )
    try:
        with session.begin_nested():
            session.add(row)
            session.flush()
    except IntegrityError:
        found = _find_questionnaire_version(session, questionnaire.slug, questionnaire.version)
        if found is None:
            raise
        return found
    return row


def ensure_scoring_version(*, session: Session, scoring: ScoringModel) -> ScoringVersion:
    """The stored version of a scoring model; stores the full definition on first use (concurrency-safe)."""
    query = select(ScoringVersion).where(ScoringVersion.version == scoring.version)
    found = session.scalar(query)
    if found is not None:
        return found
    row = ScoringVersion(version=scoring.version, content=scoring.content())
    try:
        with session.begin_nested():
            session.add(row)
            session.flush()
    except IntegrityError:
        found = session.scalar(query)
        if found is None:
            raise
        return found
    return row


def load_version(*, session: Session, version_id: int) -> Questionnaire:
    """The frozen questionnaire of a stored version (shared, cached by content); raises VersionNotFound.

    A version this process has loaded before is found by its hash, without reading its content again.
    """
    version = session.scalar(
        select(QuestionnaireVersion.version).where(QuestionnaireVersion.id == version_id)
    )
    cached = None if version is None else cached_definition(Questionnaire, version)
    if cached is not None:
        return cached
    row = session.get(QuestionnaireVersion, version_id)
    if row is None:
        raise VersionNotFound(f"no questionnaire version with id {version_id}")
    return questionnaire_from_content(row.content)


def load_scoring_version(*, session: Session, version_id: int) -> ScoringModel:
    """The frozen scoring model of a stored version (shared, cached by content); raises VersionNotFound.

    A version this process has loaded before is found by its hash, without reading its content again.
    """
    version = session.scalar(select(ScoringVersion.version).where(ScoringVersion.id == version_id))
    cached = None if version is None else cached_definition(ScoringModel, version)
    if cached is not None:
        return cached
    row = session.get(ScoringVersion, version_id)
    if row is None:
        raise VersionNotFound(f"no scoring version with id {version_id}")
    return scoring_from_content(row.content)
