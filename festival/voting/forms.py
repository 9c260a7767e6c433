"""Organizer forms of the visitors' choice vote."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, DateTimeLocalField, IntegerField, SelectMultipleField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, NumberRange, Optional
from wtforms.widgets import CheckboxInput, ListWidget

REQUIRED = _l("Trường này là bắt buộc.")
DATETIME_FORMAT = "%Y-%m-%dT%H:%M"


class VoteSettingsForm(FlaskForm):
    is_enabled = BooleanField(_l("Tổ chức bình chọn của khán giả"))
    opens_at = DateTimeLocalField(_l("Mở bình chọn"), format=DATETIME_FORMAT, validators=[Optional()])
    closes_at = DateTimeLocalField(_l("Đóng bình chọn"), format=DATETIME_FORMAT, validators=[Optional()])
    voter_roles = SelectMultipleField(
        _l("Vai trò được bình chọn"), option_widget=CheckboxInput(), widget=ListWidget(prefix_label=False)
    )
    per_category = BooleanField(_l("Mỗi lĩnh vực một phiếu (thay vì một phiếu cho cả ngày hội)"))
    own_unit_allowed = BooleanField(_l("Cho phép bình chọn sáng kiến của chính đơn vị mình"))
    winners = IntegerField(
        _l("Số sáng kiến được trao giải (mỗi lĩnh vực nếu bình chọn theo lĩnh vực)"),
        default=1,
        validators=[DataRequired(REQUIRED), NumberRange(1, 20)],
    )
    reason = TextAreaField(_l("Lý do đóng sớm hơn (cần khi đã có phiếu)"), validators=[Optional(), Length(max=500)])


class ReasonForm(FlaskForm):
    reason = TextAreaField(_l("Lý do"), validators=[DataRequired(REQUIRED), Length(max=500)])


class PaperBallotsForm(FlaskForm):
    exhibit_id = IntegerField(_l("Sáng kiến"), validators=[DataRequired(REQUIRED)])
    count = IntegerField(_l("Số phiếu"), validators=[DataRequired(REQUIRED), NumberRange(1, 100000)])
    note = StringField(_l("Ghi chú (ví dụ: thùng phiếu số 2)"), validators=[Optional(), Length(max=200)])


class KioskBadgeForm(FlaskForm):
    code = StringField(_l("Mã trên thẻ"), validators=[DataRequired(REQUIRED), Length(max=500)])
