"""Forms of the invitation pages."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import EmailField, Field, SelectChoice, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Email, Length, Optional, ValidationError

from surveyapp.i18n import _l
from surveyapp.mail.headers import has_control_characters

LANGUAGES = [SelectChoice("nl", "Nederlands"), SelectChoice("en", "English")]
STATUS_LABELS = {
    "created": _l("created"),
    "queued": _l("queued"),
    "sent": _l("sent"),
    "failed": _l("failed"),
    "opened": _l("opened"),
    "started": _l("started"),
    "completed": _l("completed"),
    "expired": _l("expired"),
    "opted_out": _l("opted out"),
}
MESSAGE_STATUS_LABELS = {
    "pending": _l("waiting to be sent"),
    "sending": _l("being sent"),
    "sent": _l("sent"),
    "failed": _l("failed"),
    "cancelled": _l("cancelled"),
}


def no_control_characters(form: FlaskForm, field: Field) -> None:
    """Refuse line breaks and other control characters in anything that becomes a mail header."""
    if field.data and has_control_characters(field.data):
        raise ValidationError(_l("Line breaks and other control characters are not allowed here."))


class ActionForm(FlaskForm):
    """A button that changes something: only the CSRF token."""


class AddressForm(FlaskForm):
    email = EmailField(
        _l("Corrected email address"),
        validators=[DataRequired(), Email(message=_l("Enter a valid email address.")), Length(max=254)],
    )


class TestSendForm(FlaskForm):
    contact = SelectField(_l("Write it as for"), coerce=int)
    language = SelectField(_l("Language"), choices=LANGUAGES)


class EmailSettingsForm(FlaskForm):
    subject_nl = StringField(
        _l("Subject (Dutch)"),
        validators=[Optional(), Length(max=200), no_control_characters],
        description=_l("Leave empty for the default. {supplier} is replaced by the supplier's name."),
    )
    subject_en = StringField(
        _l("Subject (English)"),
        validators=[Optional(), Length(max=200), no_control_characters],
        description=_l("Leave empty for the default. {supplier} is replaced by the supplier's name."),
    )
    intro_nl = TextAreaField(
        _l("Introduction (Dutch)"),
        validators=[Optional(), Length(max=4000)],
        description=_l(
            "The opening paragraphs, before the personal link. A blank line starts a new paragraph."
        ),
    )
    intro_en = TextAreaField(
        _l("Introduction (English)"),
        validators=[Optional(), Length(max=4000)],
        description=_l(
            "The opening paragraphs, before the personal link. A blank line starts a new paragraph."
        ),
    )
    sender_name_nl = StringField(
        _l("Sender name (Dutch)"),
        validators=[Optional(), Length(max=100), no_control_characters],
        description=_l("Shown as the sender; the default is the supplier's name."),
    )
    sender_name_en = StringField(
        _l("Sender name (English)"),
        validators=[Optional(), Length(max=100), no_control_characters],
        description=_l("Shown as the sender; the default is the supplier's name."),
    )
    reply_to = EmailField(
        _l("Replies go to"),
        validators=[Optional(), Email(message=_l("Enter a valid email address.")), Length(max=254)],
        description=_l("The researcher's address. Empty: the address of whoever sends the invitations."),
    )


class PreviewForm(FlaskForm):
    class Meta:
        csrf = False

    contact = SelectField(_l("Preview for"), coerce=int)
