"""Rendering email bodies from `templates/email/`: a text and an HTML version per kind and language.

Email templates are written per language (`invitation.nl.txt`, `invitation.en.html`, ...), not through the
translation catalogue: an email's language is the recipient's, whatever the language of the request that
sent it. HTML templates are autoescaped like every page; text templates are plain text.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from flask import current_app

LANGUAGES = ("nl", "en")


@dataclass(frozen=True, slots=True)
class RenderedBody:
    text: str
    html: str


def body_template(kind: str, language: str) -> str:
    """The HTML body fragment of an email (also included by the preview page)."""
    return f"email/{kind}.{language}.html"


def render_body(kind: str, language: str, context: Mapping[str, Any]) -> RenderedBody:
    if language not in LANGUAGES:
        raise ValueError(f"no email templates for language {language!r}")
    env = current_app.jinja_env
    text = env.get_template(f"email/{kind}.{language}.txt").render(**context)
    html = env.get_template("email/_document.html").render(
        body_template=body_template(kind, language), language=language, **context
    )
    return RenderedBody(text=text.strip() + "\n", html=html)


def absolute_url(base_url: str, endpoint: str, **values: Any) -> str:
    """A link for an email: SURVEYAPP_BASE_URL plus the route's path, never the Host of a request."""
    path = current_app.url_map.bind("localhost").build(endpoint, values)
    return base_url.rstrip("/") + path
