"""Forms for logging in, passwords and user administration."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    EmailField,
    HiddenField,
    PasswordField,
    SelectChoice,
    SelectField,
    StringField,
)
from wtforms.validators import DataRequired, Email, EqualTo, Length, Optional

from surveyapp.auth.passwords import MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH
from surveyapp.enums import Role
from surveyapp.i18n import _l
from surveyapp.widgets import MultiCheckboxField

ROLE_LABELS = {
    Role.ADMIN: _l("Admin"),
    Role.RESEARCHER: _l("Researcher"),
    Role.ACCOUNT_TEAM: _l("Account team"),
    Role.SALES: _l("Sales"),
}
LANGUAGE_CHOICES = [
    SelectChoice("", _l("Browser language")),
    SelectChoice("nl", "Nederlands"),
    SelectChoice("en", "English"),
]


class LoginForm(FlaskForm):
    email = EmailField(_l("Email"), validators=[DataRequired(), Length(max=254)])
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=MAX_PASSWORD_LENGTH)])
    next = HiddenField()


class NewPasswordMixin:
    new_password = PasswordField(
        _l("New password"),
        validators=[DataRequired(), Length(min=MIN_PASSWORD_LENGTH, max=MAX_PASSWORD_LENGTH)],
        description=_l(
            "At least %(n)d characters. A sentence of a few words is easy to remember.", n=MIN_PASSWORD_LENGTH
        ),
    )
    confirm = PasswordField(
        _l("Repeat the new password"),
        validators=[
            DataRequired(),
            EqualTo("new_password", message=_l("The two passwords are not the same.")),
        ],
    )


class PasswordChangeForm(NewPasswordMixin, FlaskForm):
    current_password = PasswordField(
        _l("Current password"), validators=[DataRequired(), Length(max=MAX_PASSWORD_LENGTH)]
    )


class PasswordSetForm(NewPasswordMixin, FlaskForm):
    pass


class ForgotPasswordForm(FlaskForm):
    email = EmailField(_l("Email"), validators=[DataRequired(), Length(max=254)])


class UserForm(FlaskForm):
    email = EmailField(_l("Email"), validators=[DataRequired(), Email(), Length(max=254)])
    name = StringField(_l("Name"), validators=[Optional(), Length(max=200)])
    role = SelectField(
        _l("Role"), choices=[SelectChoice(role.value, label) for role, label in ROLE_LABELS.items()]
    )
    all_suppliers = BooleanField(
        _l("Access to all suppliers"),
        description=_l("Researchers only. Leave unticked to grant only the suppliers chosen below."),
    )
    suppliers = MultiCheckboxField(_l("Suppliers"), coerce=int)
    language = SelectField(_l("Language"), choices=LANGUAGE_CHOICES)
    active = BooleanField(_l("Active"), default=True)
