"""Forms for prospects, decisions, account links, personal links, and the check itself (every section on one
page, built by the questionnaire engine)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask_wtf import FlaskForm
from wtforms import (
    DecimalField,
    EmailField,
    Form,
    RadioField,
    SelectChoice,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Email, Length, NumberRange, Optional

from surveyapp.enums import DealAdvice, DealRater, OfferDecision, ProspectStage
from surveyapp.i18n import _l
from surveyapp.questionnaires.forms import QuestionView, build_section_form
from surveyapp.questionnaires.schema import Questionnaire

STAGE_LABELS = {
    ProspectStage.LEAD.value: _l("Lead"),
    ProspectStage.QUALIFYING.value: _l("Qualifying"),
    ProspectStage.PROPOSAL.value: _l("Proposal"),
    ProspectStage.WON.value: _l("Won: now a client"),
    ProspectStage.LOST.value: _l("Lost or dropped"),
}
ADVICE_LABELS = {
    DealAdvice.GO.value: _l("Go: make the offer"),
    DealAdvice.GO_WITH_CONDITIONS.value: _l("Go with conditions: agree these first"),
    DealAdvice.NO_GO.value: _l("No-go: do not make an offer"),
}
SHORT_ADVICE = {
    DealAdvice.GO.value: _l("Go"),
    DealAdvice.GO_WITH_CONDITIONS.value: _l("Go with conditions"),
    DealAdvice.NO_GO.value: _l("No-go"),
}
DECISION_LABELS = {
    OfferDecision.OFFER_MADE.value: _l("Offer made"),
    OfferDecision.OFFER_DECLINED.value: _l("Offer declined"),
}
LANGUAGES = [SelectChoice("nl", "Nederlands"), SelectChoice("en", "English")]
#: As whom a check is answered (docs/method.md section 12: a deal needs both sales and delivery).
RATER_LABELS = {DealRater.SALES.value: _l("Sales"), DealRater.DELIVERY.value: _l("Delivery")}
RATERS = [SelectChoice(value, label) for value, label in RATER_LABELS.items()]


class ProspectForm(FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=200)])
    segment = StringField(_l("Segment"), validators=[Length(max=100)])
    sales_owner = StringField(_l("Sales owner"), validators=[Length(max=200)])
    stage = SelectField(
        _l("Stage"), choices=[SelectChoice(k, v) for k, v in STAGE_LABELS.items()], default="lead"
    )
    expected_value = DecimalField(
        _l("Expected value per year (EUR)"),
        places=2,
        validators=[Optional(), NumberRange(min=0, message=_l("Enter an amount of 0 or more."))],
        description=_l("Optional; digits, with a decimal point, e.g. 125000 or 12500.50."),
    )


class DecisionForm(FlaskForm):
    decision = RadioField(
        _l("Decision"),
        choices=[SelectChoice(k, v) for k, v in DECISION_LABELS.items()],
        validators=[DataRequired(message=_l("Choose whether the offer was made or declined."))],
    )
    note = TextAreaField(
        _l("Note"), validators=[Length(max=4000)], description=_l("Why, and what was agreed with the client.")
    )


class LinkForm(FlaskForm):
    # The service checks the account (same supplier, not linked elsewhere) and says what is wrong.
    account = SelectField(
        _l("Account"),
        coerce=int,
        validate_choice=False,
        validators=[DataRequired(message=_l("Choose an account."))],
    )


class InviteForm(FlaskForm):
    email = EmailField(_l("Email address"), validators=[DataRequired(), Email(), Length(max=254)])
    rater = SelectField(
        _l("Answers as"),
        choices=RATERS,
        default=DealRater.SALES.value,
        description=_l("Sales judges the deal as it is sold; delivery as it will be done."),
    )
    # The check, its page and its PDF name the rater: a name, not an email address.
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=200)])
    language = SelectField(_l("Language of the email and the check"), choices=LANGUAGES, default="nl")


class PdfForm(FlaskForm):
    language = SelectField(_l("Language"), choices=LANGUAGES, default="nl")


class PostForm(FlaskForm):
    """A button-only form (CSRF)."""


class RaterForm(PostForm):
    """The CSRF token and, for a check answered in the app, as whom it is answered."""

    rater = SelectField(
        _l("You answer as"),
        choices=RATERS,
        default=DealRater.SALES.value,
        description=_l("Sales judges the deal as it is sold; delivery as it will be done."),
    )


class CheckForm:
    """Every section of the deal fit check on one page: one engine-built form per section, one CSRF token;
    `ask_rater`: the page asks as whom the check is answered (a personal link knows it)."""

    def __init__(
        self,
        questionnaire: Questionnaire,
        *,
        lang: str,
        placeholders: Mapping[str, str],
        formdata: Any = None,
        ask_rater: bool = False,
    ) -> None:
        kind = RaterForm if ask_rater else PostForm
        self.csrf = kind(formdata=formdata) if formdata is not None else kind()
        self.sections = [
            build_section_form(
                questionnaire, section.key, lang=lang, placeholders=placeholders, base=Form, answers={}
            )(formdata=formdata)
            for section in questionnaire.sections
        ]

    def validate(self) -> bool:
        valid = self.csrf.validate()
        for section in self.sections:
            valid = section.validate() and valid
        return valid

    @property
    def rater(self) -> DealRater | None:
        """As whom the check is answered, when the page asked."""
        field = getattr(self.csrf, "rater", None)
        return None if field is None else DealRater(field.data)

    def answers(self) -> dict[str, str | None]:
        merged: dict[str, str | None] = {}
        for section in self.sections:
            merged.update(section.answers())
        return merged

    @property
    def views(self) -> list[QuestionView]:
        return [view for section in self.sections for view in section.views]
