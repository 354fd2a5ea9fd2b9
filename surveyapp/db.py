"""Column types and helpers shared by every domain's models."""

from __future__ import annotations

from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import DateTime, Enum, Integer, TypeDecorator, text, update
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import Mapped, Session, mapped_column


def utcnow() -> datetime:
    """The current time in UTC, timezone-aware."""
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """A timestamp stored in UTC and always returned timezone-aware.

    SQLite keeps no offset, so values are normalised to naive UTC on the way in and tagged UTC on the way out;
    PostgreSQL gets a `timestamptz` and behaves the same.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetimes are not stored: pass an aware datetime in UTC")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def enum_type(enum_cls: type[StrEnum], name: str) -> Enum:
    """A portable enum column: VARCHAR plus a named CHECK constraint listing the values."""
    return Enum(
        enum_cls,
        name=name,
        native_enum=False,
        create_constraint=True,
        length=max(len(m.value) for m in enum_cls) + 8,
        values_callable=lambda cls: [m.value for m in cls],
        validate_strings=True,
    )


def edit_version_column() -> Mapped[int]:
    """`edit_version`: bumped by every save through a row's edit form, which carries the version it showed."""
    return mapped_column(Integer, default=1, server_default=text("1"))


def claim_edit(*, session: Session, model: Any, row_id: int, expected: int | None) -> bool:
    """Optimistic locking for edit forms: move the row's `edit_version` on from `expected` (the version the
    form showed) in one compare-and-set; False when someone else saved the row in the meantime. The row stays
    locked until the commit, so of two simultaneous saves of the same version exactly one wins.
    None skips the check (scripts and the command line, which show no form)."""
    column = model.edit_version
    statement = update(model).where(model.id == row_id)
    if expected is not None:
        statement = statement.where(column == expected)
    result = session.execute(
        statement.values(edit_version=column + 1).execution_options(synchronize_session=False)
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]


def shown_version(raw: object) -> int:
    """The edit_version a form sent back; 0 (matches no saved row) when it is missing or not a number."""
    text_value = str(raw or "").strip()
    return int(text_value) if text_value.isdigit() and len(text_value) < 10 else 0
