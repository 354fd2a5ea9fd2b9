"""Translation helpers usable from services and forms (evaluated lazily, in the language of the request)."""

from __future__ import annotations

from typing import Any

from flask_babel import gettext, ngettext
from flask_babel.speaklater import LazyString

_ = gettext


class LazyText(LazyString):
    """A lazily translated message that templates escape like any other text.

    flask-babel's LazyString declares `__html__`, which makes Jinja trust it as markup; our messages often carry
    values people typed (an email address in an import error), so they must be escaped, never trusted.
    """

    @property
    def __html__(self) -> Any:
        raise AttributeError("__html__")


def lazy_gettext(string: str, **variables: Any) -> LazyText:
    """Translate `string` when it is shown, in the language of that moment."""
    return LazyText(gettext, string, **variables)


_l = lazy_gettext

__all__ = ["LazyText", "_", "_l", "gettext", "lazy_gettext", "ngettext"]
