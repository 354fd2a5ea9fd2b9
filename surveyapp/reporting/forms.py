"""Forms of the report pages: requesting a report, the researcher's commentary, approving and sending."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import SelectChoice, SelectField, TextAreaField
from wtforms.validators import DataRequired, Length

from surveyapp.i18n import _l
from surveyapp.reporting.services import MAX_COMMENTARY
from surveyapp.widgets import MultiCheckboxField

LANGUAGE_CHOICES = [
    SelectChoice("", _l("The supplier's report language")),
    SelectChoice("nl", "Nederlands"),
    SelectChoice("en", "English"),
]
PORTFOLIO = "portfolio"


class RequestReportForm(FlaskForm):
    """`subject` is "portfolio" or the id of an account in scope (the choices are set by the view)."""

    subject = SelectField(_l("Report"), validators=[DataRequired()])
    language = SelectField(_l("Language"), choices=LANGUAGE_CHOICES, default="")


class CommentaryForm(FlaskForm):
    text = TextAreaField(
        _l("Commentary"),
        validators=[Length(max=MAX_COMMENTARY)],
        description=_l(
            "Shown in the report as written, after the executive summary. Plain text; blank lines separate "
            "paragraphs."
        ),
    )


class ApproveForm(FlaskForm):
    pass


class SendForm(FlaskForm):
    recipients = MultiCheckboxField(_l("Send to"), coerce=int, validators=[DataRequired()])
