"""The organizers' forms for people's requests: logging one, and the reasons and outcomes of its steps."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, DateTimeLocalField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from festival.models import RequestChannel, RequestRight
from festival.privacy.forms import DATETIME_FORMAT, REQUIRED


class DataRequestForm(FlaskForm):
    subject_name = StringField(_l("Họ tên người yêu cầu"), validators=[DataRequired(REQUIRED), Length(max=200)])
    subject_contact = StringField(_l("E-mail hoặc điện thoại"), validators=[Optional(), Length(max=200)])
    right = SelectField(
        _l("Quyền được yêu cầu"),
        choices=lambda: [("", _l("— Chọn quyền —"))] + [(right.value, right.label) for right in RequestRight],
        validators=[DataRequired(REQUIRED)],
    )
    received_at = DateTimeLocalField(_l("Nhận lúc"), format=DATETIME_FORMAT, validators=[DataRequired(REQUIRED)])
    channel = SelectField(
        _l("Nhận qua"),
        choices=lambda: [(channel.value, channel.label) for channel in RequestChannel],
        default=RequestChannel.EMAIL.value,
    )
    processor_involved = BooleanField(_l("Có bên xử lý dữ liệu tham gia (thời hạn dài hơn cho một số quyền)"))
    details = TextAreaField(_l("Nội dung yêu cầu"), validators=[Optional(), Length(max=5000)])


class ExtendForm(FlaskForm):
    extension_reason = TextAreaField(_l("Lý do gia hạn"), validators=[DataRequired(REQUIRED), Length(max=2000)])


class CompleteForm(FlaskForm):
    outcome = TextAreaField(_l("Kết quả đã thực hiện"), validators=[DataRequired(REQUIRED), Length(max=5000)])


class RefuseForm(FlaskForm):
    refusal_reason = TextAreaField(_l("Lý do từ chối"), validators=[DataRequired(REQUIRED), Length(max=5000)])
