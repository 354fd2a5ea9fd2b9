"""The act phase: a decision per account per study, and the action items that carry it out."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Boolean, CheckConstraint, Date, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from surveyapp.auth.models import User
from surveyapp.db import UTCDateTime, edit_version_column, enum_type, utcnow
from surveyapp.enums import ActionStatus, DecisionKind, Language
from surveyapp.extensions import db
from surveyapp.studies.models import Account, Study


class Decision(db.Model):
    """Continue, realign or exit for one account in one study, with the analysis it rested on.

    `proposal` is what the system proposed from the quadrant (null for an incomplete account); a decision
    that differs from it carries the researcher's `override_reason`. `quadrant`, `overall`, `gaps`,
    `signals` and `scoring_version` are copied from the analysis JSON when the decision is recorded, so a later rescore
    does not rewrite what the decision was based on. `needs_review` is set when the study moves back from act
    to analyse; recording the decision again (in act) clears it.
    """

    __tablename__ = "decisions"
    __table_args__ = (
        UniqueConstraint("study_id", "account_id"),
        CheckConstraint("length(rationale) > 0", name="rationale_required"),
        CheckConstraint(
            "proposal IS NULL OR kind = proposal OR length(coalesce(override_reason, '')) > 0",
            name="override_needs_reason",
        ),
        CheckConstraint(
            "kind <> 'exit' OR length(coalesce(handover_plan, '')) > 0", name="exit_needs_handover_plan"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    study_id: Mapped[int] = mapped_column(ForeignKey("studies.id", ondelete="CASCADE"), index=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"), index=True)
    kind: Mapped[DecisionKind] = mapped_column(enum_type(DecisionKind, "decision_kind"))
    proposal: Mapped[DecisionKind | None] = mapped_column(
        enum_type(DecisionKind, "decision_proposal"), nullable=True
    )
    rationale: Mapped[str] = mapped_column(Text)
    override_reason: Mapped[str | None] = mapped_column(Text, nullable=True)
    handover_plan: Mapped[str | None] = mapped_column(Text, nullable=True)
    quadrant: Mapped[str] = mapped_column(String(32))
    overall: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    gaps: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    signals: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    scoring_version: Mapped[str] = mapped_column(String(64))
    provisional: Mapped[bool] = mapped_column(Boolean, default=False)
    needs_review: Mapped[bool] = mapped_column(Boolean, default=False)
    decided_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), nullable=True
    )
    decided_by_label: Mapped[str] = mapped_column(String(100))
    decided_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    # Optimistic locking of the decision form (see surveyapp.db.claim_edit).
    edit_version: Mapped[int] = edit_version_column()

    study: Mapped[Study] = relationship()
    account: Mapped[Account] = relationship()
    decided_by: Mapped[User | None] = relationship()
    actions: Mapped[list[ActionItem]] = relationship(
        back_populates="decision", cascade="all, delete-orphan", order_by="ActionItem.id"
    )

    def __repr__(self) -> str:
        return f"<Decision {self.id} study={self.study_id} account={self.account_id} {self.kind}>"


class ActionItem(db.Model):
    """Something to do to carry out a decision: owned by a user, or by a contact named with an email.

    `reminded_soon_for` / `reminded_overdue_for` hold the due date a reminder was queued for, so `tick` sends
    each reminder once per due date (a new due date may be reminded again).
    """

    __tablename__ = "action_items"
    __table_args__ = (
        CheckConstraint("length(title) > 0", name="title_required"),
        CheckConstraint("owner_user_id IS NULL OR owner_email IS NULL", name="one_owner"),
        CheckConstraint("dimension IS NULL OR signal IS NULL", name="one_link"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    decision_id: Mapped[int] = mapped_column(ForeignKey("decisions.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(String(500))
    dimension: Mapped[str | None] = mapped_column(String(64), nullable=True)
    signal: Mapped[str | None] = mapped_column(String(120), nullable=True)
    owner_user_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), nullable=True, index=True
    )
    owner_name: Mapped[str] = mapped_column(String(200), default="")
    owner_email: Mapped[str | None] = mapped_column(String(254), nullable=True)
    owner_language: Mapped[Language] = mapped_column(
        enum_type(Language, "action_owner_language"), default=Language.NL
    )
    due: Mapped[date] = mapped_column(Date)
    status: Mapped[ActionStatus] = mapped_column(
        enum_type(ActionStatus, "action_status"), default=ActionStatus.OPEN
    )
    notes: Mapped[str] = mapped_column(Text, default="")
    reminded_soon_for: Mapped[date | None] = mapped_column(Date, nullable=True)
    reminded_overdue_for: Mapped[date | None] = mapped_column(Date, nullable=True)
    created_by_label: Mapped[str] = mapped_column(String(100), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    decision: Mapped[Decision] = relationship(back_populates="actions")
    owner_user: Mapped[User | None] = relationship()

    @property
    def owner_label(self) -> str:
        if self.owner_user is not None:
            return self.owner_user.display_name
        return self.owner_name or self.owner_email or "—"

    @property
    def is_open(self) -> bool:
        return self.status in (ActionStatus.OPEN, ActionStatus.DOING)

    def is_overdue(self, today: date) -> bool:
        return self.is_open and self.due < today

    def __repr__(self) -> str:
        return f"<ActionItem {self.id} decision={self.decision_id} {self.status} due={self.due}>"


Index("ix_action_items_status_due", ActionItem.status, ActionItem.due)
