"""Template helpers: the current language, dates in the study's time zone, the navigation."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from flask import Flask, request
from babel.dates import format_datetime
from flask_babel import get_locale
from flask_login import current_user

from surveyapp.auth.permissions import is_staff
from surveyapp.enums import Role


def local_datetime(value: datetime | None, tz: str = "Europe/Amsterdam", fmt: str = "medium") -> str:
    """A UTC timestamp shown in a time zone, formatted for the current language."""
    if value is None:
        return ""
    return format_datetime(value, fmt, tzinfo=ZoneInfo(tz), locale=str(get_locale() or "en"))


def register_template_helpers(app: Flask) -> None:
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True
    app.jinja_env.filters["local_datetime"] = local_datetime
    app.jinja_env.globals["Role"] = Role

    @app.context_processor
    def inject() -> dict[str, Any]:
        return {
            "current_language": str(get_locale() or "en"),
            "is_staff": current_user.is_authenticated and is_staff(current_user),
            "current_path": request.full_path.rstrip("?") if request else "/",
        }
