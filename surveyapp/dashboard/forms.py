"""The dashboard's filter form (GET, no CSRF: it changes nothing) and the researcher's commentary form."""

from __future__ import annotations

from typing import Any

from flask_wtf import FlaskForm
from wtforms import SelectField, ValidationError

from surveyapp.i18n import _, _l
from surveyapp.reporting.forms import CommentaryForm

__all__ = ["NO_ROLE", "CommentaryForm", "FilterForm"]

#: The filter value of respondents who gave no answer to the role question.
NO_ROLE = "__none__"


class FilterForm(FlaskForm):
    """`segment` and `role` as query parameters; empty means all. Choices are set with `offer`."""

    class Meta:
        csrf = False

    segment = SelectField(_l("Segment"), validate_choice=False, default="")
    role = SelectField(_l("Respondent role"), validate_choice=False, default="")

    def offer(self, *, segments: list[str], roles: list[str], role_labels: dict[str, str]) -> FilterForm:
        """`roles`: the role groups present ("" for no answer); `role_labels`: their names."""
        self.segment.choices = [("", _("All segments"))] + [(s, s) for s in segments]
        self.role.choices = [("", _("All roles"))] + [
            (role or NO_ROLE, role_labels.get(role, role) if role else _("Role not given")) for role in roles
        ]
        return self

    def _check(self, field: Any) -> None:
        values = {value for value, _label in field.choices}
        if (field.data or "") not in values:
            raise ValidationError(_("There is no such choice in this study. Choose one from the list."))

    def validate_segment(self, field: Any) -> None:
        self._check(field)

    def validate_role(self, field: Any) -> None:
        self._check(field)

    @property
    def chosen_segment(self) -> str | None:
        return self.segment.data or None

    @property
    def chosen_role(self) -> str | None:
        """None for all roles, "" for respondents without a role, else the role."""
        if not self.role.data:
            return None
        return "" if self.role.data == NO_ROLE else self.role.data
