"""Form fields shared by several domains."""

from __future__ import annotations

from wtforms import SelectMultipleField
from wtforms.widgets import CheckboxInput, ListWidget


class MultiCheckboxField(SelectMultipleField):
    """A multiple choice shown as checkboxes (usable without JavaScript, unlike a multi-select box)."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()
