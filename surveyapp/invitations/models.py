"""Invitations to answer a questionnaire, their personal-link tokens and their status history."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, Integer, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from surveyapp.db import UTCDateTime, enum_type, utcnow
from surveyapp.enums import InvitationStatus
from surveyapp.extensions import db
from surveyapp.mail.models import OutboxMessage
from surveyapp.studies.models import Account, Contact, Study, StudyQuestionnaire


class Invitation(db.Model):
    """One per (study, contact, account, questionnaire). The brief has no account."""

    __tablename__ = "invitations"
    __table_args__ = (
        Index(
            "uq_invitations_with_account",
            "study_id",
            "contact_id",
            "account_id",
            "study_questionnaire_id",
            unique=True,
            sqlite_where=text("account_id IS NOT NULL"),
            postgresql_where=text("account_id IS NOT NULL"),
        ),
        Index(
            "uq_invitations_without_account",
            "study_id",
            "contact_id",
            "study_questionnaire_id",
            unique=True,
            sqlite_where=text("account_id IS NULL"),
            postgresql_where=text("account_id IS NULL"),
        ),
        CheckConstraint("reminders_sent >= 0", name="reminders_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    study_id: Mapped[int] = mapped_column(ForeignKey("studies.id", ondelete="CASCADE"), index=True)
    contact_id: Mapped[int] = mapped_column(ForeignKey("contacts.id", ondelete="CASCADE"), index=True)
    account_id: Mapped[int | None] = mapped_column(
        ForeignKey("accounts.id", ondelete="CASCADE"), nullable=True
    )
    study_questionnaire_id: Mapped[int] = mapped_column(
        ForeignKey("study_questionnaires.id", ondelete="CASCADE")
    )
    status: Mapped[InvitationStatus] = mapped_column(
        enum_type(InvitationStatus, "invitation_status"), default=InvitationStatus.CREATED
    )
    last_error: Mapped[str | None] = mapped_column(Text, nullable=True)
    reminders_sent: Mapped[int] = mapped_column(Integer, default=0)
    first_sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    last_sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    # When an email carrying this invitation was last put in the outbox (first send, reminder or resend).
    last_queued_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    opened_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    study: Mapped[Study] = relationship()
    contact: Mapped[Contact] = relationship()
    account: Mapped[Account | None] = relationship()
    study_questionnaire: Mapped[StudyQuestionnaire] = relationship()
    events: Mapped[list[InvitationEvent]] = relationship(
        back_populates="invitation", cascade="all, delete-orphan", order_by="InvitationEvent.id"
    )

    def __repr__(self) -> str:
        return f"<Invitation {self.id} study={self.study_id} contact={self.contact_id} {self.status}>"


class InvitationToken(db.Model):
    """A personal-link token; only its SHA-256 is stored. Each email (first send, reminder) carries a fresh
    random token, so no raw token ever needs to be kept; all of an invitation's tokens lead to it."""

    __tablename__ = "invitation_tokens"
    __table_args__ = (
        # One token per email an invitation went out in: its n-th send and its n-th reminder. Queuing the same
        # email twice therefore fails here, whatever races the application code loses.
        UniqueConstraint("invitation_id", "purpose", "number"),
        CheckConstraint("purpose IN ('send', 'reminder')", name="purpose_known"),
        CheckConstraint("number >= 1", name="number_positive"),
        CheckConstraint("length(token_hash) = 64", name="hash_length"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    invitation_id: Mapped[int] = mapped_column(ForeignKey("invitations.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    purpose: Mapped[str] = mapped_column(String(16), default="send")
    number: Mapped[int] = mapped_column(Integer, default=1)
    # The email that carried this token (a staff member's email carries one token per account).
    outbox_message_id: Mapped[int | None] = mapped_column(
        ForeignKey("outbox_messages.id", ondelete="SET NULL"), nullable=True, index=True
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)

    invitation: Mapped[Invitation] = relationship()
    outbox_message: Mapped[OutboxMessage | None] = relationship()

    def __repr__(self) -> str:
        return f"<InvitationToken {self.id} invitation={self.invitation_id} {self.purpose} {self.number}>"


class InvitationEvent(db.Model):
    """One step in an invitation's history (status, time, and the error for a failure)."""

    __tablename__ = "invitation_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    invitation_id: Mapped[int] = mapped_column(ForeignKey("invitations.id", ondelete="CASCADE"), index=True)
    status: Mapped[InvitationStatus] = mapped_column(enum_type(InvitationStatus, "invitation_event_status"))
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    # For queued, sent and failed: which email (the n-th send or the n-th reminder).
    purpose: Mapped[str | None] = mapped_column(String(16), nullable=True)
    number: Mapped[int | None] = mapped_column(Integer, nullable=True)
    # The error of a failure, or what a researcher did (e.g. the address was corrected).
    detail: Mapped[str | None] = mapped_column(Text, nullable=True)

    invitation: Mapped[Invitation] = relationship(back_populates="events")

    def __repr__(self) -> str:
        return f"<InvitationEvent {self.invitation_id} {self.status}>"


class StudyEmailSettings(db.Model):
    """A study's wording of the client invitation: subject, intro and sender name per language, and Reply-To.

    Empty fields mean the built-in default for that language. Subjects and sender names go into mail headers:
    line breaks and other control characters are refused when they are entered.
    """

    __tablename__ = "study_email_settings"

    study_id: Mapped[int] = mapped_column(ForeignKey("studies.id", ondelete="CASCADE"), primary_key=True)
    subject_nl: Mapped[str] = mapped_column(String(200), default="")
    subject_en: Mapped[str] = mapped_column(String(200), default="")
    intro_nl: Mapped[str] = mapped_column(Text, default="")
    intro_en: Mapped[str] = mapped_column(Text, default="")
    sender_name_nl: Mapped[str] = mapped_column(String(100), default="")
    sender_name_en: Mapped[str] = mapped_column(String(100), default="")
    reply_to: Mapped[str | None] = mapped_column(String(254), nullable=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    def value(self, field: str, language: str) -> str:
        return str(getattr(self, f"{field}_{language}") or "")

    def __repr__(self) -> str:
        return f"<StudyEmailSettings study={self.study_id}>"
