"""Themes (codes for open answers), their tags on answers and interview quotes, and the quotes chosen for reports.

A tag or a selected quote points at exactly one target: a free-text `Answer` or an `InterviewQuote` (a CHECK
says so). What may be printed of a selected quote — with a name, without, or not at all — is never stored: it is
computed from the consent as it is when the report is read (see `coding.consent`).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from surveyapp.db import UTCDateTime, edit_version_column, utcnow
from surveyapp.extensions import db

#: The theme colours: distinct hues, each with at least 4.5:1 contrast against white text and a white page.
PALETTE = ("#1f5fa8", "#b3261e", "#2e7d32", "#8e24aa", "#a05a00", "#00838f", "#5d4037", "#c2185b", "#455a64")
MAX_NAME = 80
MAX_DESCRIPTION = 1000

_ONE_TARGET = "(answer_id IS NOT NULL AND quote_id IS NULL) OR (answer_id IS NULL AND quote_id IS NOT NULL)"


class Theme(db.Model):
    """A code researchers give to open answers of one study; its name is unique per study in any case."""

    __tablename__ = "themes"
    __table_args__ = (
        UniqueConstraint("study_id", "name_key"),
        CheckConstraint("length(colour) = 7", name="colour_hex"),
        CheckConstraint("position >= 0", name="position_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    study_id: Mapped[int] = mapped_column(ForeignKey("studies.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(MAX_NAME))
    # The name in lower case with single spaces: what makes two names the same.
    name_key: Mapped[str] = mapped_column(String(MAX_NAME))
    description: Mapped[str] = mapped_column(Text, default="")
    colour: Mapped[str] = mapped_column(String(7))
    position: Mapped[int] = mapped_column(Integer, default=0)
    # Optimistic locking of the edit form (see surveyapp.db.claim_edit).
    edit_version: Mapped[int] = edit_version_column()
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    tags: Mapped[list[ThemeTag]] = relationship(back_populates="theme", cascade="all, delete-orphan")

    def __repr__(self) -> str:
        return f"<Theme {self.id} study={self.study_id} {self.name!r}>"


class ThemeTag(db.Model):
    """One theme on one free-text answer or one interview quote."""

    __tablename__ = "theme_tags"
    __table_args__ = (
        CheckConstraint(_ONE_TARGET, name="one_target"),
        UniqueConstraint("theme_id", "answer_id"),
        UniqueConstraint("theme_id", "quote_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    theme_id: Mapped[int] = mapped_column(ForeignKey("themes.id", ondelete="CASCADE"), index=True)
    answer_id: Mapped[int | None] = mapped_column(
        ForeignKey("answers.id", ondelete="CASCADE"), nullable=True, index=True
    )
    quote_id: Mapped[int | None] = mapped_column(
        ForeignKey("interview_quotes.id", ondelete="CASCADE"), nullable=True, index=True
    )
    created_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), nullable=True
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    theme: Mapped[Theme] = relationship(back_populates="tags")

    def __repr__(self) -> str:
        target = f"answer={self.answer_id}" if self.answer_id is not None else f"quote={self.quote_id}"
        return f"<ThemeTag {self.id} theme={self.theme_id} {target}>"


class ReportQuote(db.Model):
    """An answer or interview quote a researcher chose for the reports of a study (attribution at read time)."""

    __tablename__ = "report_quotes"
    __table_args__ = (
        CheckConstraint(_ONE_TARGET, name="one_target"),
        UniqueConstraint("study_id", "answer_id"),
        UniqueConstraint("study_id", "quote_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    study_id: Mapped[int] = mapped_column(ForeignKey("studies.id", ondelete="CASCADE"), index=True)
    answer_id: Mapped[int | None] = mapped_column(
        ForeignKey("answers.id", ondelete="CASCADE"), nullable=True, index=True
    )
    quote_id: Mapped[int | None] = mapped_column(
        ForeignKey("interview_quotes.id", ondelete="CASCADE"), nullable=True, index=True
    )
    selected_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), nullable=True
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    def __repr__(self) -> str:
        target = f"answer={self.answer_id}" if self.answer_id is not None else f"quote={self.quote_id}"
        return f"<ReportQuote {self.id} study={self.study_id} {target}>"
