"""Suppliers (the studies issue adds accounts, contacts and studies here)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from surveyapp.db import UTCDateTime, enum_type, utcnow
from surveyapp.enums import Language
from surveyapp.extensions import db


class Supplier(db.Model):
    """A supplier of B2B services whose client fit is studied."""

    __tablename__ = "suppliers"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    report_language: Mapped[Language] = mapped_column(
        enum_type(Language, "supplier_report_language"), default=Language.NL
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    def __repr__(self) -> str:
        return f"<Supplier {self.id} {self.name!r}>"
