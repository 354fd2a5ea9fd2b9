"""The mail settings services need, read once from the app's configuration."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

from surveyapp.mail.headers import Sender, parse_sender


@dataclass(frozen=True, slots=True)
class MailSettings:
    """Where links point (SURVEYAPP_BASE_URL, the only source of links in emails) and who mail comes from."""

    base_url: str
    sender: Sender
    time_zone: str = "Europe/Amsterdam"


def mail_settings(config: Mapping[str, Any]) -> MailSettings:
    reply_to = str(config.get("MAIL_REPLY_TO") or "").strip() or None
    return MailSettings(
        base_url=str(config["BASE_URL"]).rstrip("/"),
        sender=replace(parse_sender(str(config["MAIL_FROM"])), reply_to=reply_to),
        time_zone=str(config.get("BABEL_DEFAULT_TIMEZONE") or "Europe/Amsterdam"),
    )
