"""Organizer forms: festival edition, programme line, unit, account."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, DateField, DateTimeLocalField, EmailField, IntegerField, SelectField, StringField
from wtforms.validators import DataRequired, Email, Length, NumberRange, Optional

from festival.models import Region, Role

REQUIRED = _l("Trường này là bắt buộc.")
DATETIME_FORMAT = "%Y-%m-%dT%H:%M"


class FestivalForm(FlaskForm):
    edition = IntegerField(_l("Lần thứ"), validators=[DataRequired(REQUIRED), NumberRange(1, 999)])
    name = StringField(_l("Tên ngày hội"), validators=[DataRequired(REQUIRED), Length(max=300)])
    venue = StringField(_l("Địa điểm"), validators=[DataRequired(REQUIRED), Length(max=300)])
    address = StringField(_l("Địa chỉ"), validators=[Optional(), Length(max=300)])
    starts_on = DateField(_l("Ngày bắt đầu"), validators=[DataRequired(REQUIRED)])
    ends_on = DateField(_l("Ngày kết thúc"), validators=[DataRequired(REQUIRED)])
    registration_opens_at = DateTimeLocalField(
        _l("Mở đăng ký"), format=DATETIME_FORMAT, validators=[DataRequired(REQUIRED)]
    )
    registration_closes_at = DateTimeLocalField(
        _l("Đóng đăng ký"), format=DATETIME_FORMAT, validators=[DataRequired(REQUIRED)]
    )
    judging_opens_at = DateTimeLocalField(
        _l("Bắt đầu chấm"), format=DATETIME_FORMAT, validators=[DataRequired(REQUIRED)]
    )
    judging_closes_at = DateTimeLocalField(
        _l("Kết thúc chấm"), format=DATETIME_FORMAT, validators=[DataRequired(REQUIRED)]
    )
    exhibit_quota = IntegerField(
        _l("Số sáng kiến tối đa mỗi đơn vị"), default=10, validators=[DataRequired(REQUIRED), NumberRange(1, 500)]
    )


class ProgrammeItemForm(FlaskForm):
    starts_at = DateTimeLocalField(_l("Bắt đầu"), format=DATETIME_FORMAT, validators=[DataRequired(REQUIRED)])
    ends_at = DateTimeLocalField(_l("Kết thúc"), format=DATETIME_FORMAT, validators=[Optional()])
    title = StringField(_l("Nội dung"), validators=[DataRequired(REQUIRED), Length(max=300)])
    location = StringField(_l("Nơi diễn ra"), validators=[Optional(), Length(max=200)])


def region_choices():
    return [("", _l("— Chọn khu vực —"))] + [(r.value, r.label) for r in Region]


class UnitForm(FlaskForm):
    code = StringField(_l("Mã đơn vị"), validators=[DataRequired(REQUIRED), Length(max=20)])
    name = StringField(_l("Tên đầy đủ"), validators=[DataRequired(REQUIRED), Length(max=300)])
    short_name = StringField(_l("Tên ngắn"), validators=[Optional(), Length(max=100)])
    region = SelectField(_l("Khu vực"), choices=region_choices, validators=[DataRequired(REQUIRED)])


class UserForm(FlaskForm):
    email = EmailField(
        _l("E-mail"), validators=[DataRequired(REQUIRED), Email(_l("E-mail không hợp lệ.")), Length(max=254)]
    )
    full_name = StringField(_l("Họ và tên"), validators=[DataRequired(REQUIRED), Length(max=200)])
    role = SelectField(_l("Vai trò"), choices=lambda: [(r.value, r.label) for r in Role])
    unit_id = SelectField(_l("Đơn vị"), coerce=int, validators=[Optional()])
    is_active = BooleanField(_l("Đang hoạt động"), default=True)
