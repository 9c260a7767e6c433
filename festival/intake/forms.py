"""Intake's forms: a production team, a worker's idea from the phone, a support-team invitation."""

import re

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import EmailField, StringField, TelField, TextAreaField
from wtforms.validators import DataRequired, Email, Length, Optional, ValidationError

REQUIRED = _l("Trường này là bắt buộc.")
# A Vietnamese phone number as people type it: 10 digits from 0, or +84 and 9 digits, spaces, dots and dashes allowed.
PHONE = re.compile(r"^(?:\+84|0)\d{9,10}$")


class TeamForm(FlaskForm):
    name = StringField(_l("Tên tổ"), validators=[DataRequired(REQUIRED), Length(max=200)])
    department = StringField(_l("Bộ phận, phân xưởng"), validators=[Optional(), Length(max=200)])


def _phone_number(form, field):
    if not PHONE.match(re.sub(r"[\s.\-()]", "", field.data or "")):
        raise ValidationError(_l("Số điện thoại chưa đúng: hãy ghi 10 chữ số, ví dụ 0912 345 678."))


class IdeaForm(FlaskForm):
    full_name = StringField(_l("Họ và tên"), validators=[DataRequired(REQUIRED), Length(max=200)])
    phone = TelField(_l("Số điện thoại"), validators=[DataRequired(REQUIRED), Length(max=30), _phone_number])
    title = StringField(_l("Tên ý tưởng"), validators=[DataRequired(REQUIRED), Length(max=300)])
    idea = TextAreaField(
        _l("Ý tưởng của bạn"),
        validators=[DataRequired(REQUIRED), Length(max=3000, message=_l("Hãy viết ngắn hơn (tối đa 3.000 ký tự)."))],
    )
    photo = FileField(_l("Ảnh (không bắt buộc)"))


class InviteForm(FlaskForm):
    full_name = StringField(_l("Họ và tên"), validators=[DataRequired(REQUIRED), Length(max=200)])
    email = EmailField(
        _l("E-mail"), validators=[DataRequired(REQUIRED), Email(_l("E-mail không hợp lệ.")), Length(max=254)]
    )
