"""Forms of the act phase: a decision, an action item, an action's progress, and the next wave."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import DateField, HiddenField, RadioField, SelectChoice, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from surveyapp.enums import ActionStatus, DecisionKind
from surveyapp.i18n import _l

DECISION_LABELS = {
    DecisionKind.CONTINUE.value: _l("Continue: keep and strengthen"),
    DecisionKind.REALIGN.value: _l("Realign: renegotiate scope, way of working or price"),
    DecisionKind.EXIT.value: _l("Exit: end the relationship, with a clean hand-over"),
}
DECISION_NAMES = {
    DecisionKind.CONTINUE.value: _l("Continue"),
    DecisionKind.REALIGN.value: _l("Realign"),
    DecisionKind.EXIT.value: _l("Exit"),
}
STATUS_LABELS = {
    ActionStatus.OPEN.value: _l("Open"),
    ActionStatus.DOING.value: _l("Doing"),
    ActionStatus.DONE.value: _l("Done"),
    ActionStatus.DROPPED.value: _l("Dropped"),
}
LANGUAGES = [SelectChoice("nl", "Nederlands"), SelectChoice("en", "English")]


class DecisionForm(FlaskForm):
    kind = RadioField(
        _l("Decision"),
        choices=[SelectChoice(value, label) for value, label in DECISION_LABELS.items()],
        validators=[DataRequired(message=_l("Choose continue, realign or exit."))],
    )
    rationale = TextAreaField(
        _l("Rationale"),
        validators=[DataRequired(message=_l("The rationale is required.")), Length(max=5000)],
        description=_l(
            "Why this decision: what in the analysis and in your talks with the client led to it."
        ),
    )
    override_reason = TextAreaField(
        _l("Reason for overriding the proposal"),
        validators=[Optional(), Length(max=5000)],
        description=_l("Needed only when your decision differs from the proposal."),
    )
    handover_plan = TextAreaField(
        _l("Hand-over plan"),
        validators=[Optional(), Length(max=5000)],
        description=_l("Needed for an exit: how the relationship ends cleanly (notice, transfer, dates)."),
    )
    # The decision's edit_version when the form was shown (0: none yet): a save over someone else's is refused.
    edit_version = HiddenField()


class ActionForm(FlaskForm):
    title = StringField(
        _l("Action"), validators=[DataRequired(message=_l("Describe the action.")), Length(max=500)]
    )
    link = SelectField(_l("Linked dimension or warning signal"), validators=[Optional()])
    owner_user = SelectField(
        _l("Owner (a user)"),
        coerce=int,
        validators=[Optional()],
        description=_l("Or leave this empty and name a contact as owner below."),
    )
    owner_name = StringField(_l("Or a contact as owner: name"), validators=[Optional(), Length(max=200)])
    owner_email = StringField(_l("The contact's email address"), validators=[Optional(), Length(max=254)])
    owner_language = SelectField(_l("The contact's language for reminders"), choices=LANGUAGES)
    due = DateField(_l("Due date"), validators=[DataRequired(message=_l("Give the action a due date."))])
    notes = TextAreaField(_l("Notes"), validators=[Optional(), Length(max=5000)])


class ProgressForm(FlaskForm):
    status = SelectField(
        _l("Status"), choices=[SelectChoice(value, label) for value, label in STATUS_LABELS.items()]
    )
    notes = TextAreaField(_l("Notes"), validators=[Optional(), Length(max=5000)])


class NextWaveForm(FlaskForm):
    slug = StringField(
        _l("Short name of the next wave"),
        validators=[DataRequired(), Length(max=80)],
        description=_l("Lower-case letters, digits and hyphens, e.g. acme-2027."),
    )
    name = StringField(_l("Name of the next wave"), validators=[DataRequired(), Length(max=200)])
    deadline = DateField(
        _l("Deadline (last day to answer)"),
        validators=[Optional()],
        description=_l(
            "Proposed: the same day one year after this wave's deadline. You can change it later."
        ),
    )
