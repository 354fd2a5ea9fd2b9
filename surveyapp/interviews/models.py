"""Guided interviews: the appointment, the consent given, the notes and quotes, and who has the screen open.

An interview produces one `Response` (mode `interview`) pinned to the study's interview questionnaire for
the contact's perspective; its answers are ordinary `Answer` rows, scored exactly like a survey's. Notes and
quotes are the conversation's richer material and live here, per question.

Erasure: `InterviewNote.text`, `InterviewQuote.text` and `Interview.location` hold personal free text;
`services.erase_contact_texts` blanks them while the scores stay.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from enum import StrEnum

from sqlalchemy import Boolean, CheckConstraint, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from surveyapp.auth.models import User
from surveyapp.db import UTCDateTime, enum_type, utcnow
from surveyapp.enums import Perspective
from surveyapp.extensions import db
from surveyapp.mail.models import OutboxMessage
from surveyapp.responses.models import Response
from surveyapp.studies.models import Account, Contact, Study


class InterviewChannel(StrEnum):
    ON_SITE = "on_site"
    PHONE = "phone"
    VIDEO = "video"
    #: Held on paper and entered afterwards, with the date it took place.
    PAPER = "paper"


class InterviewStatus(StrEnum):
    PLANNED = "planned"
    IN_PROGRESS = "in_progress"
    COMPLETED = "completed"
    CANCELLED = "cancelled"


class QuoteConsent(StrEnum):
    """Whether the contact may be quoted: with their name and company, anonymously, or not at all."""

    NAMED = "named"
    ANONYMOUS = "anonymous"
    NO = "no"


#: The statuses in which an interview is still to be held or being held.
OPEN_STATUSES = (InterviewStatus.PLANNED, InterviewStatus.IN_PROGRESS)
MIN_MINUTES = 5
MAX_MINUTES = 480


class Interview(db.Model):
    """One conversation with one contact about one account, by one researcher."""

    __tablename__ = "interviews"
    __table_args__ = (
        CheckConstraint(
            f"planned_minutes >= {MIN_MINUTES} AND planned_minutes <= {MAX_MINUTES}", name="minutes_range"
        ),
        CheckConstraint("perspective IN ('client', 'supplier')", name="perspective_side"),
        CheckConstraint("started_at IS NULL OR consent_participate = true", name="started_with_consent"),
        CheckConstraint(
            "status NOT IN ('in_progress', 'completed') "
            "OR (started_at IS NOT NULL AND response_id IS NOT NULL)",
            name="started_has_response",
        ),
        CheckConstraint(
            "ended_at IS NULL OR (started_at IS NOT NULL AND ended_at >= started_at)", name="ends_after_start"
        ),
        CheckConstraint("status <> 'cancelled' OR cancelled_at IS NOT NULL", name="cancelled_has_time"),
        Index("ix_interviews_researcher_status", "researcher_id", "status", "scheduled_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    study_id: Mapped[int] = mapped_column(ForeignKey("studies.id", ondelete="CASCADE"), index=True)
    contact_id: Mapped[int] = mapped_column(ForeignKey("contacts.id", ondelete="CASCADE"), index=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"), index=True)
    perspective: Mapped[Perspective] = mapped_column(enum_type(Perspective, "interview_perspective"))
    researcher_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), nullable=True
    )
    # The language the questions are asked in (nl or en); the screen shows the questionnaire texts in it.
    language: Mapped[str] = mapped_column(String(2))
    scheduled_at: Mapped[datetime] = mapped_column(UTCDateTime())
    planned_minutes: Mapped[int] = mapped_column(Integer, default=45)
    channel: Mapped[InterviewChannel] = mapped_column(enum_type(InterviewChannel, "interview_channel"))
    # Where or how: an address, a phone number or a video link (free text, shown escaped).
    location: Mapped[str] = mapped_column(String(500), default="")
    status: Mapped[InterviewStatus] = mapped_column(
        enum_type(InterviewStatus, "interview_status"), default=InterviewStatus.PLANNED
    )
    consent_participate: Mapped[bool | None] = mapped_column(Boolean, nullable=True)
    # None: not asked yet (the guide may ask it at the end, in its `quote_consent` question).
    consent_quote: Mapped[QuoteConsent | None] = mapped_column(
        enum_type(QuoteConsent, "interview_consent_quote"), nullable=True
    )
    consent_record: Mapped[bool | None] = mapped_column(Boolean, nullable=True)
    consent_recorded_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    response_id: Mapped[int | None] = mapped_column(
        ForeignKey("responses.id", ondelete="SET NULL"), nullable=True, unique=True
    )
    # The calendar event's UID and SEQUENCE (RFC 5545): a cancellation updates the same event.
    ics_uid: Mapped[str] = mapped_column(String(120), unique=True)
    ics_sequence: Mapped[int] = mapped_column(Integer, default=0)
    confirmation_message_id: Mapped[int | None] = mapped_column(
        ForeignKey("outbox_messages.id", ondelete="SET NULL"), nullable=True
    )
    cancel_reason: Mapped[str | None] = mapped_column(Text, nullable=True)
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    created_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), nullable=True
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    study: Mapped[Study] = relationship()
    contact: Mapped[Contact] = relationship()
    account: Mapped[Account] = relationship()
    researcher: Mapped[User | None] = relationship(foreign_keys=[researcher_id])
    response: Mapped[Response | None] = relationship()
    confirmation_message: Mapped[OutboxMessage | None] = relationship()

    @property
    def is_paper(self) -> bool:
        return self.channel == InterviewChannel.PAPER

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    @property
    def duration(self) -> timedelta | None:
        """How long the conversation took, once it ended (None when unknown)."""
        if self.started_at is None or self.ended_at is None or self.ended_at <= self.started_at:
            return None
        return self.ended_at - self.started_at

    @property
    def scheduled_end(self) -> datetime:
        return self.scheduled_at + timedelta(minutes=self.planned_minutes)

    def __repr__(self) -> str:
        return f"<Interview {self.id} study={self.study_id} contact={self.contact_id} {self.status}>"


class InterviewNote(db.Model):
    """The researcher's notes on one question; `version` guards against overwriting someone else's edit."""

    __tablename__ = "interview_notes"
    __table_args__ = (
        UniqueConstraint("interview_id", "question_key"),
        CheckConstraint("version >= 1", name="version_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    interview_id: Mapped[int] = mapped_column(ForeignKey("interviews.id", ondelete="CASCADE"), index=True)
    question_key: Mapped[str] = mapped_column(String(120))
    text: Mapped[str] = mapped_column(Text, default="")
    version: Mapped[int] = mapped_column(Integer, default=1)
    updated_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), nullable=True
    )
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    updated_by: Mapped[User | None] = relationship()

    def __repr__(self) -> str:
        return f"<InterviewNote {self.id} interview={self.interview_id} {self.question_key} v{self.version}>"


class InterviewQuote(db.Model):
    """A passage of a question's notes marked as a quote, with the attribution the researcher chose.

    The attribution may not exceed the consent when the quote is marked; should the consent be narrowed later,
    `effective_attribution` narrows the quote with it (and `no` makes it unusable).
    """

    __tablename__ = "interview_quotes"
    __table_args__ = (CheckConstraint("attribution IN ('named', 'anonymous')", name="attribution_known"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    interview_id: Mapped[int] = mapped_column(ForeignKey("interviews.id", ondelete="CASCADE"), index=True)
    question_key: Mapped[str] = mapped_column(String(120))
    text: Mapped[str] = mapped_column(Text)
    attribution: Mapped[QuoteConsent] = mapped_column(enum_type(QuoteConsent, "interview_quote_attribution"))
    created_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), nullable=True
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    interview: Mapped[Interview] = relationship()

    def effective_attribution(self, consent: QuoteConsent | None) -> QuoteConsent:
        """How the quote may be used under the consent as it is now."""
        if consent is None or consent == QuoteConsent.NO:
            return QuoteConsent.NO
        if consent == QuoteConsent.ANONYMOUS:
            return QuoteConsent.ANONYMOUS
        return self.attribution

    def __repr__(self) -> str:
        return f"<InterviewQuote {self.id} interview={self.interview_id} {self.question_key}>"


class InterviewPresence(db.Model):
    """Who has an interview open: a row per (interview, user), its time moved by page loads and autosaves."""

    __tablename__ = "interview_presence"

    interview_id: Mapped[int] = mapped_column(
        ForeignKey("interviews.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    user: Mapped[User] = relationship()

    def __repr__(self) -> str:
        return f"<InterviewPresence interview={self.interview_id} user={self.user_id}>"
