"""Forms of the admin privacy pages: find a contact, export, erase (typing the address to confirm), retention."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import BooleanField, HiddenField, IntegerField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, NumberRange, Optional, ValidationError

from surveyapp.i18n import _l


class FindContactForm(FlaskForm):
    email = StringField(_l("Email address"), validators=[DataRequired(), Length(max=254)])


class ExportContactForm(FlaskForm):
    email = HiddenField(validators=[DataRequired(), Length(max=254)])


class EraseContactForm(FlaskForm):
    email = HiddenField(validators=[DataRequired(), Length(max=254)])
    confirm = StringField(
        _l("Type the email address to confirm"),
        validators=[DataRequired(), Length(max=254)],
        description=_l("Erasure cannot be undone."),
    )

    def validate_confirm(self, field: StringField) -> None:
        if (field.data or "").strip().lower() != (self.email.data or "").strip().lower():
            raise ValidationError(_l("This is not the address of the contact shown."))


class RetentionForm(FlaskForm):
    retention_days = IntegerField(
        _l("Retention period in days"),
        validators=[Optional(), NumberRange(min=1, max=36500)],
        description=_l("Empty: personal data is kept until it is erased by hand."),
    )
    keep_anonymous_scores = BooleanField(_l("Keep anonymous scores when a contact is erased"))


class ErasureRequestForm(FlaskForm):
    """A respondent's request, from their personal link, to erase their personal data."""

    note = TextAreaField(
        _l("Anything we should know? (optional)"),
        validators=[Optional(), Length(max=2000)],
        description=_l("For example: which of your answers you mean, or how we can reach you."),
    )
