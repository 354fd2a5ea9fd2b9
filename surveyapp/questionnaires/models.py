"""Stored, immutable snapshots of questionnaire and scoring definitions, keyed by their content hash."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from surveyapp.db import UTCDateTime, utcnow
from surveyapp.extensions import db


class QuestionnaireVersion(db.Model):
    """The full definition of a questionnaire as it was when first used; responses point here."""

    __tablename__ = "questionnaire_versions"
    __table_args__ = (UniqueConstraint("slug", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(80), index=True)
    version: Mapped[str] = mapped_column(String(64))
    title: Mapped[str] = mapped_column(String(300))
    content: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    def __repr__(self) -> str:
        return f"<QuestionnaireVersion {self.id} {self.slug} {self.version[:12]}>"


class ScoringVersion(db.Model):
    """The full scoring model (dimensions, weights, thresholds) as it was when first used."""

    __tablename__ = "scoring_versions"

    id: Mapped[int] = mapped_column(primary_key=True)
    version: Mapped[str] = mapped_column(String(64), unique=True)
    content: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    def __repr__(self) -> str:
        return f"<ScoringVersion {self.id} {self.version[:12]}>"
