"""Attendee, role and print forms."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, SelectField, StringField
from wtforms.validators import DataRequired, Length, Optional

REQUIRED = _l("Trường này là bắt buộc.")
CONFIRM_ADDRESS = _l("Tôi hiểu điện thoại sẽ không mở được mã QR với địa chỉ này, vẫn in")


class AttendeeForm(FlaskForm):
    full_name = StringField(_l("Họ và tên"), validators=[DataRequired(REQUIRED), Length(max=200)])
    role_id = SelectField(_l("Vai trò"), coerce=int)
    unit_id = SelectField(_l("Đơn vị"), coerce=int, validators=[Optional()])
    organisation = StringField(_l("Cơ quan (khách mời, báo chí…)"), validators=[Optional(), Length(max=200)])
    email = EmailField(_l("E-mail"), validators=[Optional(), Length(max=254)])
    phone = StringField(_l("Số điện thoại"), validators=[Optional(), Length(max=30)])


class DelegateForm(FlaskForm):
    full_name = StringField(_l("Họ và tên"), validators=[DataRequired(REQUIRED), Length(max=200)])
    email = EmailField(_l("E-mail"), validators=[Optional(), Length(max=254)])
    phone = StringField(_l("Số điện thoại"), validators=[Optional(), Length(max=30)])


class RoleForm(FlaskForm):
    name_vi = StringField(_l("Tên tiếng Việt"), validators=[DataRequired(REQUIRED), Length(max=60)])
    name_en = StringField(_l("Tên tiếng Anh"), validators=[Optional(), Length(max=60)])
    colour = StringField(_l("Màu dải vai trò"), validators=[DataRequired(REQUIRED), Length(max=7)])


class PrintForm(FlaskForm):
    layout = SelectField(
        _l("Khổ in"),
        choices=lambda: [
            ("a6", _l("A6, mỗi trang một thẻ (bao đeo thẻ)")),
            ("a4", _l("A4, bốn thẻ A6 mỗi trang, có dấu cắt")),
        ],
    )
    unit_id = SelectField(_l("Đơn vị"), coerce=int, validators=[Optional()])
    role_id = SelectField(_l("Vai trò"), coerce=int, validators=[Optional()])
    only_new = BooleanField(_l("Chỉ những thẻ chưa in (rồi đánh dấu đã in)"))
    confirm_address = BooleanField(CONFIRM_ADDRESS)


class ReissueForm(FlaskForm):
    reason = StringField(_l("Lý do cấp lại"), validators=[DataRequired(REQUIRED), Length(max=200)])
