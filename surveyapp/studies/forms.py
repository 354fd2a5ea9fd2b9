"""Forms for suppliers."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import SelectChoice, SelectField, StringField
from wtforms.validators import DataRequired, Length

from surveyapp.i18n import _l


class SupplierForm(FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=200)])
    report_language = SelectField(
        _l("Report language"), choices=[SelectChoice("nl", "Nederlands"), SelectChoice("en", "English")], default="nl"
    )
