"""Suppliers, their accounts and contacts, studies, the accounts in scope, staff assignments, questionnaires."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    Numeric,
    String,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from surveyapp.db import UTCDateTime, edit_version_column, enum_type, utcnow
from surveyapp.enums import Language, Perspective, Phase, Purpose, Side
from surveyapp.extensions import db

if TYPE_CHECKING:
    from surveyapp.questionnaires.models import QuestionnaireVersion

HOURS = Numeric(12, 2)
MONEY = Numeric(16, 2)


class Supplier(db.Model):
    """A supplier of B2B services whose client fit is studied."""

    __tablename__ = "suppliers"
    __table_args__ = (
        CheckConstraint("brand_colour IS NULL OR length(brand_colour) = 7", name="brand_colour_hex"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    report_language: Mapped[Language] = mapped_column(
        enum_type(Language, "supplier_report_language"), default=Language.NL
    )
    brand_colour: Mapped[str | None] = mapped_column(String(7), nullable=True)
    logo: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True, deferred=True)
    logo_mime: Mapped[str | None] = mapped_column(String(32), nullable=True)
    # Where replies to a study's emails go when the study has no reply address of its own (before the
    # operator's SURVEYAPP_MAIL_REPLY_TO): the agency's researcher for this supplier.
    research_contact_email: Mapped[str | None] = mapped_column(String(254), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    def __repr__(self) -> str:
        return f"<Supplier {self.id} {self.name!r}>"


class Account(db.Model):
    """A client company of a supplier. Imports match `external_id` before the name, so renames keep history."""

    __tablename__ = "accounts"
    __table_args__ = (
        UniqueConstraint("supplier_id", "name"),
        UniqueConstraint("supplier_id", "external_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    supplier_id: Mapped[int] = mapped_column(ForeignKey("suppliers.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    external_id: Mapped[str | None] = mapped_column(String(100), nullable=True)
    segment: Mapped[str] = mapped_column(String(100), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    supplier: Mapped[Supplier] = relationship()

    def __repr__(self) -> str:
        return f"<Account {self.id} {self.name!r}>"


class Contact(db.Model):
    """A person at a client (side client, on exactly one account) or at the supplier (side supplier, staff).

    Contacts belong to a supplier: opting out is per supplier. Erasure blanks the personal fields and sets
    `erased_at`; the row stays so anonymous scores keep their respondent.
    """

    __tablename__ = "contacts"
    __table_args__ = (
        UniqueConstraint("supplier_id", "email"),
        CheckConstraint(
            "(side = 'client' AND account_id IS NOT NULL) OR (side = 'supplier' AND account_id IS NULL)",
            name="account_matches_side",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    supplier_id: Mapped[int] = mapped_column(ForeignKey("suppliers.id", ondelete="CASCADE"), index=True)
    account_id: Mapped[int | None] = mapped_column(
        ForeignKey("accounts.id", ondelete="CASCADE"), nullable=True, index=True
    )
    side: Mapped[Side] = mapped_column(enum_type(Side, "contact_side"))
    email: Mapped[str | None] = mapped_column(String(254), nullable=True)
    name: Mapped[str] = mapped_column(String(200), default="")
    role: Mapped[str] = mapped_column(String(100), default="")
    language: Mapped[Language] = mapped_column(enum_type(Language, "contact_language"), default=Language.NL)
    opted_out_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    erased_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    account: Mapped[Account | None] = relationship()

    @property
    def label(self) -> str:
        return self.name or self.email or f"#{self.id}"

    def __repr__(self) -> str:
        return f"<Contact {self.id} {self.side} {self.email!r}>"


class Study(db.Model):
    """One wave of fit research for a supplier, moving through prepare -> interview -> analyse -> act."""

    __tablename__ = "studies"
    __table_args__ = (
        CheckConstraint("max_reminders >= 0 AND max_reminders <= 10", name="max_reminders_range"),
        CheckConstraint("previous_study_id IS NULL OR previous_study_id <> id", name="not_own_previous"),
        CheckConstraint("retention_days IS NULL OR retention_days >= 1", name="retention_days_positive"),
        CheckConstraint(
            "reminder_min_interval_days >= 1 AND reminder_min_interval_days <= 30",
            name="reminder_interval_range",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    supplier_id: Mapped[int] = mapped_column(ForeignKey("suppliers.id", ondelete="CASCADE"), index=True)
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    phase: Mapped[Phase] = mapped_column(enum_type(Phase, "study_phase"), default=Phase.PREPARE)
    time_zone: Mapped[str] = mapped_column(String(64), default="Europe/Amsterdam")
    deadline: Mapped[date | None] = mapped_column(Date, nullable=True)
    # Days after the first send on which non-responders are reminded, e.g. [4, 9].
    reminder_days: Mapped[list[int]] = mapped_column(JSON, default=lambda: [4, 9])
    max_reminders: Mapped[int] = mapped_column(Integer, default=2)
    # The fewest days between two reminders to one person, whatever the schedule or how often reminders run.
    reminder_min_interval_days: Mapped[int] = mapped_column(Integer, default=3, server_default=text("3"))
    previous_study_id: Mapped[int | None] = mapped_column(
        ForeignKey("studies.id", ondelete="SET NULL"), nullable=True, unique=True
    )
    lead_contact_id: Mapped[int | None] = mapped_column(
        ForeignKey("contacts.id", ondelete="SET NULL"), nullable=True
    )
    scoring_version_id: Mapped[int | None] = mapped_column(
        ForeignKey("scoring_versions.id", ondelete="RESTRICT"), nullable=True
    )
    keep_anonymous_scores: Mapped[bool] = mapped_column(Boolean, default=True)
    # Days after the end of fieldwork that personal data is kept (None: until erased by hand); see
    # surveyapp.privacy.retention. The two times make the notice and the erasure happen once.
    retention_days: Mapped[int | None] = mapped_column(Integer, nullable=True)
    retention_notified_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    retention_applied_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    phase_changed_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    # Optimistic locking of the settings form (see surveyapp.db.claim_edit).
    edit_version: Mapped[int] = edit_version_column()

    supplier: Mapped[Supplier] = relationship()
    previous_study: Mapped[Study | None] = relationship(remote_side=[id], foreign_keys=[previous_study_id])
    lead_contact: Mapped[Contact | None] = relationship(foreign_keys=[lead_contact_id])
    questionnaires: Mapped[list[StudyQuestionnaire]] = relationship(
        back_populates="study", cascade="all, delete-orphan", order_by="StudyQuestionnaire.id"
    )

    def questionnaire_for(self, perspective: Perspective, purpose: Purpose) -> StudyQuestionnaire | None:
        return next(
            (q for q in self.questionnaires if q.perspective == perspective and q.purpose == purpose), None
        )

    def __repr__(self) -> str:
        return f"<Study {self.id} {self.slug} {self.phase}>"


class StudyAccount(db.Model):
    """An account in a study's scope, with the period's figures (used for coverage and the cost of mismatch)."""

    __tablename__ = "study_accounts"
    __table_args__ = (
        CheckConstraint("annual_revenue IS NULL OR annual_revenue >= 0", name="revenue_not_negative"),
        CheckConstraint("effort_hours IS NULL OR effort_hours >= 0", name="effort_not_negative"),
        CheckConstraint("billable_hours IS NULL OR billable_hours >= 0", name="billable_not_negative"),
        CheckConstraint(
            "effort_hours IS NULL OR billable_hours IS NULL OR billable_hours <= effort_hours",
            name="billable_within_effort",
        ),
    )

    study_id: Mapped[int] = mapped_column(ForeignKey("studies.id", ondelete="CASCADE"), primary_key=True)
    account_id: Mapped[int] = mapped_column(
        ForeignKey("accounts.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    annual_revenue: Mapped[Decimal | None] = mapped_column(MONEY, nullable=True)
    effort_hours: Mapped[Decimal | None] = mapped_column(HOURS, nullable=True)
    billable_hours: Mapped[Decimal | None] = mapped_column(HOURS, nullable=True)

    account: Mapped[Account] = relationship()

    def __repr__(self) -> str:
        return f"<StudyAccount study={self.study_id} account={self.account_id}>"


class Assignment(db.Model):
    """A supplier staff member rating an account in a study."""

    __tablename__ = "assignments"

    study_id: Mapped[int] = mapped_column(ForeignKey("studies.id", ondelete="CASCADE"), primary_key=True)
    contact_id: Mapped[int] = mapped_column(ForeignKey("contacts.id", ondelete="CASCADE"), primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"), primary_key=True)

    contact: Mapped[Contact] = relationship()
    account: Mapped[Account] = relationship()

    def __repr__(self) -> str:
        return f"<Assignment study={self.study_id} contact={self.contact_id} account={self.account_id}>"


class StudyQuestionnaire(db.Model):
    """A questionnaire a study uses, pinned to a stored version: at most one per (perspective, purpose)."""

    __tablename__ = "study_questionnaires"
    __table_args__ = (UniqueConstraint("study_id", "perspective", "purpose"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    study_id: Mapped[int] = mapped_column(ForeignKey("studies.id", ondelete="CASCADE"), index=True)
    slug: Mapped[str] = mapped_column(String(80))
    perspective: Mapped[Perspective] = mapped_column(
        enum_type(Perspective, "study_questionnaire_perspective")
    )
    purpose: Mapped[Purpose] = mapped_column(enum_type(Purpose, "study_questionnaire_purpose"))
    version_id: Mapped[int] = mapped_column(ForeignKey("questionnaire_versions.id", ondelete="RESTRICT"))

    study: Mapped[Study] = relationship(back_populates="questionnaires")
    version: Mapped[QuestionnaireVersion] = relationship()

    def __repr__(self) -> str:
        return f"<StudyQuestionnaire study={self.study_id} {self.slug} {self.perspective}/{self.purpose}>"


Index("ix_contacts_supplier_side", Contact.supplier_id, Contact.side)

# Checked import files waiting for their confirmation live in their own module; importing it here registers
# their table with the others.
from surveyapp.studies import uploads as _uploads  # noqa: E402,F401
