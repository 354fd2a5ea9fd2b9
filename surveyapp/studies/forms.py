"""Forms for suppliers, studies, accounts, contacts and imports."""

from __future__ import annotations

from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    BooleanField,
    DateField,
    DecimalField,
    EmailField,
    HiddenField,
    IntegerField,
    SelectChoice,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, NumberRange, Optional, Regexp, ValidationError

from surveyapp.i18n import _l
from surveyapp.studies.phases import PHASE_NAMES

LANGUAGES = [SelectChoice("nl", "Nederlands"), SelectChoice("en", "English")]
SIDES = [SelectChoice("client", _l("Client contact")), SelectChoice("supplier", _l("Supplier staff"))]
PHASE_LABELS = {phase.value: label for phase, label in PHASE_NAMES.items()}


def parse_days(text: str) -> list[int]:
    """'4, 9' -> [4, 9]; raises ValueError on anything else."""
    parts = [p for p in text.replace(";", ",").replace(" ", ",").split(",") if p]
    return [int(p) for p in parts]


class SupplierForm(FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=200)])
    report_language = SelectField(_l("Report language"), choices=LANGUAGES, default="nl")


class SupplierSettingsForm(FlaskForm):
    report_language = SelectField(_l("Report language"), choices=LANGUAGES)
    brand_colour = StringField(
        _l("Brand colour"),
        validators=[
            Optional(),
            Regexp(r"^#[0-9a-fA-F]{6}$", message=_l("Use # and six hexadecimal digits, e.g. #1f5f99.")),
        ],
        description=_l("Used for headings in reports, e.g. #1f5f99."),
    )
    logo = FileField(_l("Logo (PNG or JPEG, at most 512 kB)"))
    remove_logo = BooleanField(_l("Remove the current logo"))
    research_contact_email = StringField(
        _l("Research contact (email address)"),
        validators=[Optional(), Length(max=254)],
        description=_l(
            "Replies to the emails of this supplier's studies go here when a study has no reply address of its "
            "own. Empty: the installation's default."
        ),
    )


class StudySettingsMixin:
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=200)])
    time_zone = StringField(
        _l("Time zone"), default="Europe/Amsterdam", validators=[DataRequired(), Length(max=64)]
    )
    deadline = DateField(_l("Deadline (last day to answer)"), validators=[Optional()])
    reminder_days = StringField(
        _l("Reminders (days after the first send)"),
        default="4, 9",
        validators=[Optional(), Length(max=50)],
        description=_l("Whole numbers separated by commas, e.g. 4, 9. Leave empty for no reminders."),
    )
    max_reminders = IntegerField(
        _l("At most this many reminders"), default=2, validators=[NumberRange(min=0, max=10)]
    )
    reminder_min_interval_days = IntegerField(
        _l("Days between two reminders to one person, at least"),
        default=3,
        validators=[DataRequired(), NumberRange(min=1, max=30)],
        description=_l(
            "However often reminders run, nobody gets two within this many days, nor one within a day of "
            "their invitation."
        ),
    )

    def validate_reminder_days(self, field: StringField) -> None:
        try:
            parse_days(field.data or "")
        except ValueError:
            raise ValidationError(_l("Use whole numbers separated by commas, e.g. 4, 9.")) from None


class StudyForm(StudySettingsMixin, FlaskForm):
    supplier = SelectField(_l("Supplier"), coerce=int)
    slug = StringField(
        _l("Short name"),
        validators=[DataRequired(), Length(max=80)],
        description=_l(
            "Used in links and on the command line: lower-case letters, digits and hyphens, e.g. acme-2026."
        ),
    )
    previous = SelectField(_l("Previous wave"), coerce=int, default=0)


class StudySettingsForm(StudySettingsMixin, FlaskForm):
    # The study's edit_version when the form was shown: a save over someone else's is refused (optimistic lock).
    edit_version = HiddenField()


class PhaseForm(FlaskForm):
    target = HiddenField(validators=[DataRequired()])
    reason = TextAreaField(_l("Reason for moving back"), validators=[Optional(), Length(max=2000)])


class AccountForm(FlaskForm):
    name = StringField(_l("Account name"), validators=[DataRequired(), Length(max=200)])
    external_id = StringField(
        _l("External id"),
        validators=[Optional(), Length(max=100)],
        description=_l("Optional: the id in your CRM."),
    )
    segment = StringField(_l("Segment"), validators=[Optional(), Length(max=100)])
    annual_revenue = DecimalField(_l("Annual revenue"), validators=[Optional(), NumberRange(min=0)])
    effort_hours = DecimalField(_l("Effort hours in the period"), validators=[Optional(), NumberRange(min=0)])
    billable_hours = DecimalField(
        _l("Billable hours in the period"), validators=[Optional(), NumberRange(min=0)]
    )


class FiguresForm(FlaskForm):
    segment = StringField(_l("Segment"), validators=[Optional(), Length(max=100)])
    annual_revenue = DecimalField(_l("Annual revenue"), validators=[Optional(), NumberRange(min=0)])
    effort_hours = DecimalField(_l("Effort hours in the period"), validators=[Optional(), NumberRange(min=0)])
    billable_hours = DecimalField(
        _l("Billable hours in the period"), validators=[Optional(), NumberRange(min=0)]
    )


class ContactForm(FlaskForm):
    side = SelectField(_l("Who"), choices=SIDES)
    email = EmailField(_l("Email"), validators=[DataRequired(), Length(max=254)])
    name = StringField(_l("Name"), validators=[Optional(), Length(max=200)])
    role = StringField(_l("Role or job title"), validators=[Optional(), Length(max=100)])
    language = SelectField(_l("Language"), choices=LANGUAGES)
    account = SelectField(
        _l("Account"), coerce=int, description=_l("For supplier staff: the account they rate (optional).")
    )


class AssignForm(FlaskForm):
    contact = SelectField(_l("Staff member"), coerce=int)
    account = SelectField(_l("Account to rate"), coerce=int)


class LeadForm(FlaskForm):
    contact = SelectField(_l("Study lead"), coerce=int)


class ImportForm(FlaskForm):
    kind = SelectField(
        _l("What the file holds"),
        choices=[SelectChoice("accounts", _l("Accounts")), SelectChoice("contacts", _l("Contacts"))],
    )
    file = FileField(_l("CSV file"), validators=[FileRequired(message=_l("Choose a CSV file."))])


class ConfirmImportForm(FlaskForm):
    # Checked against the stored uploads, which answer "not found" for anything else than the user's own.
    kind = HiddenField(validators=[DataRequired(), Length(max=16)])
    upload = HiddenField(validators=[DataRequired(), Length(max=64)])
