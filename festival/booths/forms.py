"""Booth award forms: the rubric's rows and the prize quotas (tier changes and reasons reuse judging's)."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DecimalField, FieldList, Form, FormField, IntegerField, StringField, TextAreaField
from wtforms.validators import InputRequired, Length, NumberRange, Optional
from wtforms.widgets import HiddenInput

from festival.booths.results import MAX_PRIZES
from festival.booths.services import MAX_CRITERIA

REQUIRED = _l("Trường này là bắt buộc.")


class BoothCriterionForm(Form):
    """One row of the booth rubric (a plain sub-form: the CSRF token is on the outer form)."""

    id = IntegerField(_l("Mã tiêu chí"), widget=HiddenInput(), validators=[Optional()])
    name_vi = StringField(_l("Tiêu chí"), validators=[Optional(), Length(max=200)])
    name_en = StringField(_l("Tên tiếng Anh"), validators=[Optional(), Length(max=200)])
    guidance = TextAreaField(_l("Hướng dẫn chấm"), validators=[Optional(), Length(max=2000)])
    max_points = IntegerField(_l("Điểm tối đa"), validators=[Optional(), NumberRange(1, 1000)])
    weight = DecimalField(_l("Trọng số"), places=None, validators=[Optional(), NumberRange(0, 1000)])


class BoothRubricForm(FlaskForm):
    criteria = FieldList(
        FormField(BoothCriterionForm), label=_l("Tiêu chí chấm"), min_entries=MAX_CRITERIA, max_entries=MAX_CRITERIA
    )


def _prizes(label):
    return IntegerField(label, validators=[InputRequired(REQUIRED), NumberRange(0, MAX_PRIZES)])


class BoothQuotaForm(FlaskForm):
    first_prizes = _prizes(_l("Số giải Nhất"))
    second_prizes = _prizes(_l("Số giải Nhì"))
    third_prizes = _prizes(_l("Số giải Ba"))
    honourable_prizes = _prizes(_l("Số giải Khuyến khích"))
