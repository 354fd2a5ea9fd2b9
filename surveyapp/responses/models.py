"""A response is one respondent's answers to one questionnaire about one account (or none, for the brief)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from surveyapp.db import UTCDateTime, enum_type, utcnow
from surveyapp.enums import Perspective, ResponseMode
from surveyapp.extensions import db
from surveyapp.studies.models import Account, Contact

IN_PROGRESS = "in_progress"
COMPLETED = "completed"


class Response(db.Model):
    """Answers of one contact to one questionnaire version, about one account.

    For analysis the latest completed response per (study, contact, account, perspective) counts; earlier ones
    stay, marked `superseded`.
    """

    __tablename__ = "responses"
    __table_args__ = (
        CheckConstraint("status IN ('in_progress', 'completed')", name="status_known"),
        CheckConstraint("status = 'in_progress' OR submitted_at IS NOT NULL", name="completed_has_time"),
        Index("ix_responses_counting", "study_id", "account_id", "perspective", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    study_id: Mapped[int] = mapped_column(ForeignKey("studies.id", ondelete="CASCADE"), index=True)
    contact_id: Mapped[int] = mapped_column(ForeignKey("contacts.id", ondelete="CASCADE"), index=True)
    account_id: Mapped[int | None] = mapped_column(
        ForeignKey("accounts.id", ondelete="CASCADE"), nullable=True
    )
    perspective: Mapped[Perspective] = mapped_column(enum_type(Perspective, "response_perspective"))
    mode: Mapped[ResponseMode] = mapped_column(enum_type(ResponseMode, "response_mode"))
    questionnaire_version_id: Mapped[int] = mapped_column(
        ForeignKey("questionnaire_versions.id", ondelete="RESTRICT")
    )
    # A survey response belongs to its invitation: one response per invitation, enforced here.
    invitation_id: Mapped[int | None] = mapped_column(
        ForeignKey("invitations.id", ondelete="SET NULL"), nullable=True, unique=True
    )
    status: Mapped[str] = mapped_column(String(16), default=IN_PROGRESS)
    superseded: Mapped[bool] = mapped_column(Boolean, default=False)
    knocked_out: Mapped[bool] = mapped_column(Boolean, default=False)
    # Where a survey respondent resumes: a section key, or "_review" for the check-your-answers page.
    current_section: Mapped[str | None] = mapped_column(String(100), nullable=True)
    # The language the respondent last answered in (nl or en); None for imports.
    language: Mapped[str | None] = mapped_column(String(2), nullable=True)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    contact: Mapped[Contact] = relationship()
    account: Mapped[Account | None] = relationship()
    answers: Mapped[list[Answer]] = relationship(
        back_populates="response", cascade="all, delete-orphan", order_by="Answer.id"
    )
    submissions: Mapped[list[ResponseSubmission]] = relationship(
        back_populates="response", cascade="all, delete-orphan", order_by="ResponseSubmission.number"
    )
    draft: Mapped[ResponseDraft | None] = relationship(
        back_populates="response", cascade="all, delete-orphan", passive_deletes=True
    )

    @property
    def completed(self) -> bool:
        return self.status == COMPLETED

    def __repr__(self) -> str:
        return f"<Response {self.id} study={self.study_id} {self.perspective} {self.status}>"


class Answer(db.Model):
    """One item's answer: the raw value as stored text, plus the derived score and dimension (a cache that
    `surveyapp analysis rescore` rebuilds from the pinned questionnaire and scoring versions)."""

    __tablename__ = "answers"
    __table_args__ = (
        UniqueConstraint("response_id", "item_key"),
        CheckConstraint("score IS NULL OR (score >= 0 AND score <= 100)", name="score_range"),
        CheckConstraint("weight > 0", name="weight_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    response_id: Mapped[int] = mapped_column(ForeignKey("responses.id", ondelete="CASCADE"), index=True)
    item_key: Mapped[str] = mapped_column(String(120))
    value: Mapped[str | None] = mapped_column(Text, nullable=True)
    not_applicable: Mapped[bool] = mapped_column(Boolean, default=False)
    score: Mapped[float | None] = mapped_column(Float, nullable=True)
    dimension: Mapped[str | None] = mapped_column(String(64), nullable=True, index=True)
    weight: Mapped[float] = mapped_column(Float, default=1.0)
    # Optimistic locking for interview screens where two people may edit one answer.
    version: Mapped[int] = mapped_column(Integer, default=1)
    # When the item was first answered; `updated_at` moves only when the answer itself changes.
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    response: Mapped[Response] = relationship(back_populates="answers")

    def __repr__(self) -> str:
        return f"<Answer {self.id} {self.item_key}={self.value!r}>"


class ResponseSubmission(db.Model):
    """A snapshot of a response's answers each time it was submitted, so a reopened and resubmitted survey
    never loses what was sent before. `answers` maps item keys to raw values (the same encoding as `Answer`).

    Erasure must blank the free-text values in `answers` as well as in `Answer`.
    """

    __tablename__ = "response_submissions"
    __table_args__ = (
        UniqueConstraint("response_id", "number"),
        CheckConstraint("number >= 1", name="number_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    response_id: Mapped[int] = mapped_column(ForeignKey("responses.id", ondelete="CASCADE"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime())
    language: Mapped[str | None] = mapped_column(String(2), nullable=True)
    answers: Mapped[dict[str, Any]] = mapped_column(JSON)

    response: Mapped[Response] = relationship(back_populates="submissions")

    def __repr__(self) -> str:
        return f"<ResponseSubmission response={self.response_id} #{self.number}>"


class ResponseDraft(db.Model):
    """Changes a respondent is making to a completed survey ("change my answers", rule 19).

    The completed response and its answers keep counting, untouched, until the draft is sent: then its answers
    become the response's and the draft is gone. A draft left alone changes nothing and is dropped when the
    study's answers close for analysis. `answers` maps item keys to raw values (the encoding of `Answer`);
    erasure and retention delete drafts with the free text in them.
    """

    __tablename__ = "response_drafts"

    response_id: Mapped[int] = mapped_column(ForeignKey("responses.id", ondelete="CASCADE"), primary_key=True)
    answers: Mapped[dict[str, Any]] = mapped_column(JSON)
    # Where the respondent resumes the draft: a section key, or "_review".
    current_section: Mapped[str | None] = mapped_column(String(100), nullable=True)
    language: Mapped[str | None] = mapped_column(String(2), nullable=True)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    response: Mapped[Response] = relationship(back_populates="draft")

    def __repr__(self) -> str:
        return f"<ResponseDraft response={self.response_id} {len(self.answers or {})} answers>"


class ResponseDimensionSums(db.Model):
    """Per response and dimension: the sums of its scored answers, kept equal to them by database triggers.

    Rule 3's respondent dimension score is `weighted / weights`; `total` and `squares` feed Cronbach's alpha.
    The analysis reads these rows instead of grouping every answer again (issue 8's performance target).
    Nothing in Python writes this table: the triggers in `responses.unit_sums` recompute a row from the answers
    whenever an answer of that (response, dimension) is inserted, changed or deleted, whatever code path
    does it (survey, interview, import, rescore, erasure, a migration).
    """

    __tablename__ = "response_dimension_sums"
    __table_args__ = (CheckConstraint("answered > 0", name="answered_positive"),)

    response_id: Mapped[int] = mapped_column(ForeignKey("responses.id", ondelete="CASCADE"), primary_key=True)
    dimension: Mapped[str] = mapped_column(String(64), primary_key=True)
    answered: Mapped[int] = mapped_column(Integer)
    weighted: Mapped[float] = mapped_column(Float)
    weights: Mapped[float] = mapped_column(Float)
    total: Mapped[float] = mapped_column(Float)
    squares: Mapped[float] = mapped_column(Float)

    def __repr__(self) -> str:
        return f"<ResponseDimensionSums response={self.response_id} {self.dimension} n={self.answered}>"


class AccountItemSums(db.Model):
    """Per study, account, perspective, questionnaire version and item: n and Σ of the scored answers.

    Kept equal to the answers by database triggers (`responses.item_sums`), over every response of the group
    whatever its status; the analysis reads these rows for the accounts whose responses all count (rule 2)
    and the answers themselves for the others. Cronbach's alpha needs per-item sums and the warning signals
    per-account item means (rules 9, 13): read from here, the analysis never groups every answer (issue 8).
    `dimension` is '' for an item without one. No foreign keys: the rows are derived, and a study or
    account deleted with its responses takes its rows along through the triggers on `responses`.
    """

    __tablename__ = "account_item_sums"
    __table_args__ = (
        CheckConstraint("answered > 0", name="answered_positive"),
        CheckConstraint(
            "above >= 0 AND below >= 0 AND above + below <= answered", name="sides_within_answered"
        ),
    )

    study_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    account_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    perspective: Mapped[Perspective] = mapped_column(
        enum_type(Perspective, "account_item_perspective"), primary_key=True
    )
    questionnaire_version_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    item_key: Mapped[str] = mapped_column(String(120), primary_key=True)
    dimension: Mapped[str] = mapped_column(String(64), primary_key=True)
    answered: Mapped[int] = mapped_column(Integer)
    total: Mapped[float] = mapped_column(Float)
    # Of the answered: how many scored above and below the scale's middle (`item_sums.SCALE_MIDDLE`).
    above: Mapped[int] = mapped_column(Integer, server_default="0")
    below: Mapped[int] = mapped_column(Integer, server_default="0")

    def __repr__(self) -> str:
        return (
            f"<AccountItemSums study={self.study_id} account={self.account_id} {self.perspective} "
            f"{self.item_key} n={self.answered}>"
        )


# The triggers that maintain the two summary tables register with the metadata when the models are imported.
from surveyapp.responses import item_sums as _item_sums  # noqa: E402, F401
from surveyapp.responses import unit_sums as _unit_sums  # noqa: E402, F401
