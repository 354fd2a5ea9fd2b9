"""Prospects, their deal fit checks, the decisions taken on offers, personal check links and check PDFs."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from sqlalchemy import (
    JSON,
    CheckConstraint,
    Float,
    ForeignKey,
    Integer,
    LargeBinary,
    Numeric,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, deferred, mapped_column, relationship

from surveyapp.db import UTCDateTime, enum_type, utcnow
from surveyapp.enums import DealAdvice, DealPdfStatus, DealRater, Language, OfferDecision, ProspectStage
from surveyapp.extensions import db

if TYPE_CHECKING:
    from surveyapp.studies.models import Account, Supplier

MONEY = Numeric(16, 2)


class Prospect(db.Model):
    """A company a supplier considers making an offer to; linked to its `Account` once it became a client.

    The account must belong to the same supplier (checked by the service: the accounts table has no key on
    (id, supplier_id) to point a composite foreign key at). One prospect per account.
    """

    __tablename__ = "prospects"
    __table_args__ = (
        UniqueConstraint("supplier_id", "name"),
        UniqueConstraint("account_id"),
        CheckConstraint("expected_value IS NULL OR expected_value >= 0", name="expected_value_not_negative"),
        CheckConstraint("length(name) > 0", name="name_not_empty"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    supplier_id: Mapped[int] = mapped_column(ForeignKey("suppliers.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    segment: Mapped[str] = mapped_column(String(100), default="")
    sales_owner: Mapped[str] = mapped_column(String(200), default="")
    stage: Mapped[ProspectStage] = mapped_column(
        enum_type(ProspectStage, "prospect_stage"), default=ProspectStage.LEAD
    )
    expected_value: Mapped[Decimal | None] = mapped_column(MONEY, nullable=True)
    account_id: Mapped[int | None] = mapped_column(
        ForeignKey("accounts.id", ondelete="SET NULL"), nullable=True
    )
    linked_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    supplier: Mapped[Supplier] = relationship()
    account: Mapped[Account | None] = relationship()
    checks: Mapped[list[DealCheck]] = relationship(
        back_populates="prospect", order_by="DealCheck.completed_at", cascade="all, delete-orphan"
    )
    decisions: Mapped[list[ProspectDecision]] = relationship(
        back_populates="prospect", order_by="ProspectDecision.decided_at", cascade="all, delete-orphan"
    )

    def __repr__(self) -> str:
        return f"<Prospect {self.id} {self.name!r} supplier={self.supplier_id}>"


class DealCheck(db.Model):
    """One completed deal fit check: the raw answers, pinned to the questionnaire and scoring versions used.

    `score`, `advice` and `knockouts` are what advice.py computed from exactly these answers and versions
    (stored so that lists and comparisons can query them); reasons and conditions are derived again from the
    answers when shown, with the same pure function.
    """

    __tablename__ = "deal_checks"
    # No constraint that a user or a link answered: both are SET NULL when removed; the label stays.
    __table_args__ = (CheckConstraint("score >= 0 AND score <= 100", name="score_range"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    prospect_id: Mapped[int] = mapped_column(ForeignKey("prospects.id", ondelete="CASCADE"), index=True)
    questionnaire_version_id: Mapped[int] = mapped_column(
        ForeignKey("questionnaire_versions.id", ondelete="RESTRICT")
    )
    scoring_version_id: Mapped[int] = mapped_column(ForeignKey("scoring_versions.id", ondelete="RESTRICT"))
    answers: Mapped[dict[str, Any]] = mapped_column(JSON)
    score: Mapped[float] = mapped_column(Float)
    advice: Mapped[DealAdvice] = mapped_column(enum_type(DealAdvice, "deal_check_advice"))
    knockouts: Mapped[list[str]] = mapped_column(JSON, default=list)
    respondent_user_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), nullable=True
    )
    invitation_id: Mapped[int | None] = mapped_column(
        ForeignKey("deal_check_invitations.id", ondelete="SET NULL"), nullable=True
    )
    # Who answered, as text: kept when the user or the link is removed (erasure blanks it).
    respondent_label: Mapped[str] = mapped_column(String(254), default="")
    # As whom: sales or delivery (docs/method.md section 12: a deal needs both).
    rater: Mapped[DealRater] = mapped_column(
        enum_type(DealRater, "deal_check_rater"),
        default=DealRater.SALES,
        server_default=DealRater.SALES.value,
    )
    completed_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    prospect: Mapped[Prospect] = relationship(back_populates="checks")

    def __repr__(self) -> str:
        return f"<DealCheck {self.id} prospect={self.prospect_id} {self.advice} {self.score:.1f}>"


class ProspectDecision(db.Model):
    """The decision actually taken on an offer (made or declined), with a note, usually after a check."""

    __tablename__ = "prospect_decisions"

    id: Mapped[int] = mapped_column(primary_key=True)
    prospect_id: Mapped[int] = mapped_column(ForeignKey("prospects.id", ondelete="CASCADE"), index=True)
    check_id: Mapped[int | None] = mapped_column(
        ForeignKey("deal_checks.id", ondelete="SET NULL"), nullable=True
    )
    decision: Mapped[OfferDecision] = mapped_column(enum_type(OfferDecision, "prospect_decision"))
    note: Mapped[str] = mapped_column(Text, default="")
    decided_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), nullable=True
    )
    decided_by_label: Mapped[str] = mapped_column(String(254), default="")
    decided_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    prospect: Mapped[Prospect] = relationship(back_populates="decisions")

    def __repr__(self) -> str:
        return f"<ProspectDecision {self.id} prospect={self.prospect_id} {self.decision}>"


class DealCheckInvitation(db.Model):
    """A personal link for a sales manager without a login: one check for one prospect; only the hash is kept."""

    __tablename__ = "deal_check_invitations"

    id: Mapped[int] = mapped_column(primary_key=True)
    prospect_id: Mapped[int] = mapped_column(ForeignKey("prospects.id", ondelete="CASCADE"), index=True)
    email: Mapped[str] = mapped_column(String(254))
    name: Mapped[str] = mapped_column(String(200), default="")
    language: Mapped[Language] = mapped_column(enum_type(Language, "deal_invitation_language"))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    rater: Mapped[DealRater] = mapped_column(
        enum_type(DealRater, "deal_invitation_rater"),
        default=DealRater.SALES,
        server_default=DealRater.SALES.value,
    )
    created_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), nullable=True
    )
    outbox_message_id: Mapped[int | None] = mapped_column(
        ForeignKey("outbox_messages.id", ondelete="SET NULL"), nullable=True
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)

    prospect: Mapped[Prospect] = relationship()

    def __repr__(self) -> str:
        return f"<DealCheckInvitation {self.id} prospect={self.prospect_id}>"


class DealCheckPdf(db.Model):
    """The one-page PDF of a check in one language, rendered in the renderer child; with its SHA-256."""

    __tablename__ = "deal_check_pdfs"
    __table_args__ = (
        CheckConstraint(
            "status <> 'ready' OR (pdf IS NOT NULL AND sha256 IS NOT NULL)", name="ready_has_pdf"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    check_id: Mapped[int] = mapped_column(ForeignKey("deal_checks.id", ondelete="CASCADE"), index=True)
    language: Mapped[Language] = mapped_column(enum_type(Language, "deal_pdf_language"))
    status: Mapped[DealPdfStatus] = mapped_column(
        enum_type(DealPdfStatus, "deal_pdf_status"), default=DealPdfStatus.QUEUED
    )
    pdf: Mapped[bytes | None] = deferred(mapped_column(LargeBinary, nullable=True))
    sha256: Mapped[str | None] = mapped_column(String(64), nullable=True)
    pages: Mapped[int | None] = mapped_column(Integer, nullable=True)
    failure: Mapped[str] = mapped_column(String(2000), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    rendered_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)

    check: Mapped[DealCheck] = relationship()

    def __repr__(self) -> str:
        return f"<DealCheckPdf {self.id} check={self.check_id} {self.language} {self.status}>"
