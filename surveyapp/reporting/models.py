"""Generated PDF reports, who they were sent to, and the researcher's commentary shown in them.

Storage decision: the PDF bytes live in the database (`Report.pdf`, a deferred column, so lists never load
them). The app is stateless across machines (DESIGN "Scale"): a file in one machine's instance folder would
not be downloadable from another, while every machine shares the database.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from surveyapp.db import UTCDateTime, enum_type, utcnow
from surveyapp.enums import Language
from surveyapp.extensions import db

if TYPE_CHECKING:
    from surveyapp.auth.models import User
    from surveyapp.studies.models import Account, Study


class ReportKind(StrEnum):
    ACCOUNT = "account"
    PORTFOLIO = "portfolio"


class ReportStatus(StrEnum):
    """queued (requested, waiting for a renderer) -> rendering -> ready | failed; a report holding data of a
    contact whose data was erased becomes withdrawn (its PDF deleted, a new version queued)."""

    QUEUED = "queued"
    RENDERING = "rendering"
    READY = "ready"
    FAILED = "failed"
    WITHDRAWN = "withdrawn"


PENDING_STATUSES = (ReportStatus.QUEUED, ReportStatus.RENDERING)


class DeliveryMethod(StrEnum):
    ATTACHMENT = "attachment"
    LINK = "link"


class Report(db.Model):
    """One generated report (every version is kept). `version` counts per (study, kind, account, language).

    `analysis` is the analysis JSON the report was rendered from, so that every number in the PDF can be
    traced to it; `questionnaire_versions` maps each questionnaire slug of the study to its pinned version.
    """

    __tablename__ = "reports"
    __table_args__ = (
        CheckConstraint(
            "(kind = 'account' AND account_id IS NOT NULL) OR (kind = 'portfolio' AND account_id IS NULL)",
            name="account_matches_kind",
        ),
        CheckConstraint("status <> 'ready' OR sha256 IS NOT NULL", name="ready_has_hash"),
        CheckConstraint("approved_at IS NULL OR status = 'ready'", name="approved_is_ready"),
        Index("ix_reports_study_kind", "study_id", "kind", "account_id", "language"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    study_id: Mapped[int] = mapped_column(ForeignKey("studies.id", ondelete="CASCADE"), index=True)
    account_id: Mapped[int | None] = mapped_column(
        ForeignKey("accounts.id", ondelete="CASCADE"), nullable=True, index=True
    )
    kind: Mapped[ReportKind] = mapped_column(enum_type(ReportKind, "report_kind"))
    language: Mapped[Language] = mapped_column(enum_type(Language, "report_language"))
    version: Mapped[int] = mapped_column(Integer, default=1)
    status: Mapped[ReportStatus] = mapped_column(
        enum_type(ReportStatus, "report_status"), default=ReportStatus.QUEUED
    )
    # Why rendering failed: a stable code (`failures.py`, translated when shown) and a technical detail.
    failure_code: Mapped[str | None] = mapped_column(String(32), nullable=True)
    failure_detail: Mapped[str | None] = mapped_column(Text, nullable=True)
    scoring_version: Mapped[str | None] = mapped_column(String(64), nullable=True)
    questionnaire_versions: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    provisional: Mapped[bool] = mapped_column(Boolean, default=False)
    analysis: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True, deferred=True)
    # What it was made from, a digest per part (`reporting.sources`); None: made before this was recorded.
    source_state: Mapped[dict[str, str] | None] = mapped_column(JSON, nullable=True)
    created_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), nullable=True
    )
    created_by_label: Mapped[str] = mapped_column(String(254), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    sha256: Mapped[str | None] = mapped_column(String(64), nullable=True)
    size: Mapped[int | None] = mapped_column(Integer, nullable=True)
    pages: Mapped[int | None] = mapped_column(Integer, nullable=True)
    pdf: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True, deferred=True)
    approved_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), nullable=True
    )
    approved_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)

    study: Mapped[Study] = relationship()
    account: Mapped[Account | None] = relationship()
    created_by: Mapped[User | None] = relationship(foreign_keys=[created_by_id])
    approved_by: Mapped[User | None] = relationship(foreign_keys=[approved_by_id])
    deliveries: Mapped[list[ReportDelivery]] = relationship(
        back_populates="report", cascade="all, delete-orphan", order_by="ReportDelivery.id"
    )

    @property
    def is_pending(self) -> bool:
        return self.status in PENDING_STATUSES

    @property
    def is_approved(self) -> bool:
        return self.approved_at is not None

    def __repr__(self) -> str:
        return f"<Report {self.id} {self.kind} v{self.version} {self.language} {self.status}>"


class ReportDelivery(db.Model):
    """A report sent to one account-team member: attached, or as a link to log in and download it."""

    __tablename__ = "report_deliveries"

    id: Mapped[int] = mapped_column(primary_key=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("reports.id", ondelete="CASCADE"), index=True)
    recipient_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), nullable=True
    )
    recipient_email: Mapped[str] = mapped_column(String(254))
    method: Mapped[DeliveryMethod] = mapped_column(enum_type(DeliveryMethod, "report_delivery_method"))
    outbox_message_id: Mapped[int | None] = mapped_column(
        ForeignKey("outbox_messages.id", ondelete="SET NULL"), nullable=True
    )
    sent_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), nullable=True)
    sent_by_label: Mapped[str] = mapped_column(String(254), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    report: Mapped[Report] = relationship(back_populates="deliveries")

    def __repr__(self) -> str:
        return f"<ReportDelivery {self.id} report={self.report_id} {self.method} to={self.recipient_email!r}>"


class ReportCommentary(db.Model):
    """The researcher's commentary for one account of a study, or (account_id NULL) for the portfolio."""

    __tablename__ = "report_commentaries"
    __table_args__ = (
        UniqueConstraint("study_id", "account_id"),
        # NULLs are distinct in a unique constraint: one portfolio commentary per study needs its own index.
        Index(
            "uq_report_commentaries_portfolio",
            "study_id",
            unique=True,
            sqlite_where=db.text("account_id IS NULL"),
            postgresql_where=db.text("account_id IS NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    study_id: Mapped[int] = mapped_column(ForeignKey("studies.id", ondelete="CASCADE"), index=True)
    account_id: Mapped[int | None] = mapped_column(
        ForeignKey("accounts.id", ondelete="CASCADE"), nullable=True
    )
    text: Mapped[str] = mapped_column(Text, default="")
    updated_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), nullable=True
    )
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    def __repr__(self) -> str:
        return f"<ReportCommentary study={self.study_id} account={self.account_id}>"
