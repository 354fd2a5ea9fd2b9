"""Template helpers: the current language, dates in the study's time zone, the navigation."""

from __future__ import annotations

from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any
from zoneinfo import ZoneInfo

from babel.dates import format_date, format_datetime
from babel.numbers import format_decimal
from flask import Flask, request
from flask_babel import get_locale
from flask_login import current_user

from surveyapp.analysis.rounding import readable_decimal
from surveyapp.auth.permissions import can_create_suppliers, is_staff
from surveyapp.enums import Role


def local_datetime(value: datetime | None, tz: str = "Europe/Amsterdam", fmt: str = "medium") -> str:
    """A UTC timestamp shown in a time zone, formatted for the current language."""
    if value is None:
        return ""
    return format_datetime(value, fmt, tzinfo=ZoneInfo(tz), locale=str(get_locale() or "en"))


def local_date(value: date | None, fmt: str = "medium") -> str:
    """A calendar date (deadlines are local dates) formatted for the current language."""
    return "" if value is None else format_date(value, fmt, locale=str(get_locale() or "en"))


def number(value: float | Decimal | None, digits: int = 1) -> str:
    """A number with a fixed count of decimals, rounded half-up, in the current language's notation."""
    if value is None:
        return "—"
    quantum = Decimal(1).scaleb(-digits)
    rounded = readable_decimal(value).quantize(quantum, rounding=ROUND_HALF_UP)
    pattern = "#,##0" + ("." + "0" * digits if digits else "")
    return format_decimal(rounded, pattern, locale=str(get_locale() or "en"))


def register_template_helpers(app: Flask) -> None:
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True
    app.jinja_env.filters["local_datetime"] = local_datetime
    app.jinja_env.filters["format_date"] = local_date
    app.jinja_env.filters["number"] = number
    app.jinja_env.globals["Role"] = Role

    @app.context_processor
    def inject() -> dict[str, Any]:
        return {
            "current_language": str(get_locale() or "en"),
            "is_staff": current_user.is_authenticated and is_staff(current_user),
            "may_create_suppliers": current_user.is_authenticated and can_create_suppliers(current_user),
            "current_path": request.full_path.rstrip("?") if request else "/",
        }
