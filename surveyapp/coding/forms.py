"""Forms of the coding pages: a theme, deleting one, the queue's filters and reading a saved queue page."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    Form,
    HiddenField,
    IntegerField,
    RadioField,
    SelectChoice,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from surveyapp.coding.models import MAX_DESCRIPTION, MAX_NAME, PALETTE
from surveyapp.coding.queries import PERSPECTIVE_FILTERS
from surveyapp.coding.targets import Target
from surveyapp.i18n import _l

#: How each palette colour is named for people who do not see it (the swatch is decoration).
COLOUR_NAMES = {
    "#1f5fa8": _l("blue"),
    "#b3261e": _l("red"),
    "#2e7d32": _l("green"),
    "#8e24aa": _l("purple"),
    "#a05a00": _l("brown-orange"),
    "#00838f": _l("teal"),
    "#5d4037": _l("brown"),
    "#c2185b": _l("pink"),
    "#455a64": _l("slate grey"),
}
MAX_TARGETS_PER_PAGE = 200


class ThemeForm(FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=MAX_NAME)])
    description = TextAreaField(
        _l("Description"),
        validators=[Length(max=MAX_DESCRIPTION)],
        description=_l("What belongs under this theme, so that everyone codes alike. Optional."),
    )
    colour = RadioField(
        _l("Colour"),
        choices=[SelectChoice(colour, COLOUR_NAMES[colour]) for colour in PALETTE],
        default=PALETTE[0],
        validators=[InputRequired()],
    )


class EditThemeForm(ThemeForm):
    position = IntegerField(
        _l("Position"),
        validators=[InputRequired(), NumberRange(min=1, max=999)],
        description=_l("1 puts the theme first; the digit keys on the coding queue follow this order."),
    )
    # The theme's edit_version when the form was shown: a save over someone else's is refused.
    edit_version = HiddenField()


class DeleteThemeForm(FlaskForm):
    confirm = BooleanField(_l("Yes, delete this theme and all its tags"))


class QueueForm(FlaskForm):
    """Only the CSRF token: the page's checkboxes are read by `read_queue_page`."""


class QueueFilters(Form):
    """The queue's filters, from the query string (no CSRF: it changes nothing)."""

    question = SelectField(_l("Question"), validators=[Optional()], default="")
    perspective = SelectField(
        _l("Perspective"),
        choices=[
            SelectChoice("", _l("Both")),
            SelectChoice("client", _l("Client")),
            SelectChoice("supplier", _l("Supplier")),
        ],
        default="",
        validators=[Optional()],
    )
    uncoded = BooleanField(_l("Uncoded only"))
    page = IntegerField(_l("Page"), validators=[Optional(), NumberRange(min=1, max=100_000)], default=1)


def read_queue_page(
    formdata: Mapping[str, Any],
) -> tuple[dict[Target, frozenset[int]], dict[Target, bool]] | None:
    """The tags and quote selection of a saved queue page, or None when the form was tampered with.

    Each shown target has a hidden `target` field (`a12`, `q3`); its themes are `tags-<target>` checkboxes,
    its selection the `quote-<target>` checkbox.
    """
    keys = formdata.getlist("target")  # type: ignore[attr-defined]
    if not keys or len(keys) > MAX_TARGETS_PER_PAGE:
        return None
    tags: dict[Target, frozenset[int]] = {}
    selection: dict[Target, bool] = {}
    for key in keys:
        target = Target.parse(key)
        if target is None:
            return None
        values = formdata.getlist(f"tags-{key}")  # type: ignore[attr-defined]
        if not all(value.isdigit() and len(value) < 12 for value in values):
            return None
        tags[target] = frozenset(int(value) for value in values)
        selection[target] = formdata.get(f"quote-{key}") == "1"
    return tags, selection


def perspective_ok(value: str | None) -> bool:
    return not value or value in PERSPECTIVE_FILTERS
