"""Users and one-time password links."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from flask_login import UserMixin
from sqlalchemy import Boolean, CheckConstraint, Column, ForeignKey, Integer, String, Table
from sqlalchemy.orm import Mapped, mapped_column, relationship

from surveyapp.db import UTCDateTime, enum_type, utcnow
from surveyapp.enums import Language, Role
from surveyapp.extensions import db

if TYPE_CHECKING:
    from surveyapp.studies.models import Supplier

user_suppliers = Table(
    "user_suppliers",
    db.metadata,
    Column("user_id", ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
    Column("supplier_id", ForeignKey("suppliers.id", ondelete="CASCADE"), primary_key=True),
)


class User(UserMixin, db.Model):
    """Someone who logs in: an admin, a researcher, an account-team member or a sales manager."""

    __tablename__ = "users"
    __table_args__ = (CheckConstraint("email = lower(email)", name="email_lowercase"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(200), default="")
    role: Mapped[Role] = mapped_column(enum_type(Role, "user_role"))
    language: Mapped[Language | None] = mapped_column(enum_type(Language, "user_language"), nullable=True)
    password_hash: Mapped[str | None] = mapped_column(String(255), nullable=True)
    is_active_user: Mapped[bool] = mapped_column("active", Boolean, default=True)
    # A researcher either sees every supplier or only those granted in `suppliers`.
    all_suppliers: Mapped[bool] = mapped_column(Boolean, default=False)
    # Bumped at logout and password change: a session cookie carries the version it was issued for.
    session_version: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)

    suppliers: Mapped[list[Supplier]] = relationship(secondary=user_suppliers, order_by="Supplier.name")

    @property
    def is_active(self) -> bool:  # Flask-Login refuses inactive users
        return self.is_active_user

    def get_id(self) -> str:
        return f"{self.id}:{self.session_version}"

    @property
    def display_name(self) -> str:
        return self.name or self.email

    def __repr__(self) -> str:
        return f"<User {self.id} {self.email} {self.role}>"


class PasswordToken(db.Model):
    """A one-time link to set or reset a password; only the token's hash is stored."""

    __tablename__ = "password_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    purpose: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)

    user: Mapped[User] = relationship()

    def __repr__(self) -> str:
        return f"<PasswordToken {self.id} user={self.user_id} {self.purpose}>"
