"""Forms for planning, starting, cancelling and completing interviews, and local times in the study's zone."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    IntegerField,
    RadioField,
    SelectChoice,
    SelectField,
    StringField,
    TextAreaField,
    TimeField,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from surveyapp.i18n import _l
from surveyapp.interviews.models import MAX_MINUTES, MIN_MINUTES, InterviewChannel, QuoteConsent

CHANNEL_LABELS = {
    InterviewChannel.ON_SITE.value: _l("On site"),
    InterviewChannel.PHONE.value: _l("By phone"),
    InterviewChannel.VIDEO.value: _l("By video call"),
    InterviewChannel.PAPER.value: _l("On paper, entered afterwards"),
}
STATUS_LABELS = {
    "planned": _l("Planned"),
    "in_progress": _l("In progress"),
    "completed": _l("Completed"),
    "cancelled": _l("Cancelled"),
}
QUOTE_LABELS = {
    QuoteConsent.NAMED.value: _l("Yes, with name and company"),
    QuoteConsent.ANONYMOUS.value: _l("Yes, anonymously"),
    QuoteConsent.NO.value: _l("No"),
}
ATTRIBUTION_LABELS = {
    QuoteConsent.NAMED.value: _l("With name"),
    QuoteConsent.ANONYMOUS.value: _l("Anonymous"),
}
ASK_LATER = "later"
CONTACT_LANGUAGE = "contact"


class LocalTimeError(ValueError):
    """A local time that does not exist (the clocks went forward) in the study's time zone."""


def to_utc(day: date, moment: time, zone: str) -> datetime:
    """A date and time on the clock in `zone` as a UTC timestamp.

    Raises LocalTimeError for a time skipped by a change to summer time; an hour that occurs twice (autumn) is
    taken the first time."""
    tz = ZoneInfo(zone)
    local = datetime.combine(day, moment.replace(second=0, microsecond=0), tzinfo=tz)
    utc = local.astimezone(UTC)
    if utc.astimezone(tz).replace(tzinfo=None) != local.replace(tzinfo=None):
        raise LocalTimeError(zone)
    return utc


def to_local(moment: datetime, zone: str) -> datetime:
    return moment.astimezone(ZoneInfo(zone))


class PlanForm(FlaskForm):
    who = SelectField(_l("Who is interviewed"), validate_choice=False, validators=[DataRequired()])
    researcher = SelectField(_l("Researcher"), coerce=int, validate_choice=False)
    day = DateField(_l("Date"), validators=[InputRequired()])
    at = TimeField(_l("Time"), validators=[InputRequired()])
    minutes = IntegerField(
        _l("Length in minutes"),
        default=45,
        validators=[InputRequired(), NumberRange(MIN_MINUTES, MAX_MINUTES)],
    )
    channel = RadioField(
        _l("How"),
        choices=[SelectChoice(value, label) for value, label in CHANNEL_LABELS.items()],
        default=InterviewChannel.VIDEO.value,
    )
    location = StringField(
        _l("Where, phone number or video link"),
        validators=[Optional(), Length(max=500)],
        description=_l("Optional; shown in the confirmation email and the calendar appointment."),
    )
    language = RadioField(
        _l("Language of the interview"),
        choices=[
            SelectChoice(CONTACT_LANGUAGE, _l("The contact's language")),
            SelectChoice("nl", "Nederlands"),
            SelectChoice("en", "English"),
        ],
        default=CONTACT_LANGUAGE,
    )
    send_email = BooleanField(
        _l("Email the contact a confirmation with a calendar appointment"), default=True
    )


class StartForm(FlaskForm):
    participate = BooleanField(_l("The contact agrees to take part in this interview"))
    quote = RadioField(
        _l("May we quote the contact?"),
        choices=[
            *(SelectChoice(value, label) for value, label in QUOTE_LABELS.items()),
            SelectChoice(ASK_LATER, _l("Not asked yet (the guide asks at the end)")),
        ],
        default=ASK_LATER,
    )
    recording = RadioField(
        _l("May the conversation be recorded?"),
        choices=[SelectChoice("no", _l("No")), SelectChoice("yes", _l("Yes"))],
        default="no",
    )
    took_day = DateField(_l("Date it took place"), validators=[Optional()])
    took_at = TimeField(_l("Time it started"), validators=[Optional()])
    duration = IntegerField(
        _l("Duration in minutes"),
        validators=[Optional(), NumberRange(1, MAX_MINUTES)],
        description=_l("Optional."),
    )

    def quote_consent(self) -> QuoteConsent | None:
        value = self.quote.data
        return QuoteConsent(value) if value in QUOTE_LABELS else None


class CancelForm(FlaskForm):
    reason = TextAreaField(_l("Reason for cancelling"), validators=[DataRequired(), Length(max=2000)])
    notify = BooleanField(_l("Email the contact that the appointment is cancelled"), default=True)


class ActionForm(FlaskForm):
    """A button that needs nothing but the CSRF token (complete, send the confirmation again)."""


def researcher_choices(users: list[Any]) -> list[SelectChoice]:
    return [SelectChoice(user.id, user.display_name) for user in users]
