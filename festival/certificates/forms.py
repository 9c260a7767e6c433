"""Certificate forms: the template's wording and images, issuing, printing, revoking, correcting."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import BooleanField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

REQUIRED = _l("Trường này là bắt buộc.")
CONFIRM_ADDRESS = _l("Tôi hiểu điện thoại sẽ không mở được mã QR với địa chỉ này, vẫn in")


class TemplateForm(FlaskForm):
    header = TextAreaField(_l("Dòng tiêu đề cơ quan (mỗi dòng một cơ quan)"), validators=[Optional(), Length(max=500)])
    motto = TextAreaField(_l("Quốc hiệu, tiêu ngữ"), validators=[Optional(), Length(max=300)])
    title = StringField(_l("Tiêu đề"), validators=[DataRequired(REQUIRED), Length(max=200)])
    lead = StringField(_l("Dòng trước tên người nhận"), validators=[Optional(), Length(max=300)])
    body = TextAreaField(_l("Nội dung giấy chứng nhận"), validators=[DataRequired(REQUIRED), Length(max=2000)])
    place = StringField(_l("Nơi cấp"), validators=[DataRequired(REQUIRED), Length(max=100)])
    signatory_title = TextAreaField(_l("Chức danh người ký"), validators=[Optional(), Length(max=300)])
    signatory_name = StringField(_l("Họ tên người ký"), validators=[Optional(), Length(max=200)])
    signature = FileField(_l("Ảnh chữ ký (PNG nền trong)"))
    seal = FileField(_l("Ảnh con dấu (PNG nền trong)"))


class IssueForm(FlaskForm):
    kind = SelectField(
        _l("Loại"),
        choices=lambda: [
            ("award", _l("Đạt giải (tác giả)")),
            ("unit_award", _l("Đạt giải (đơn vị)")),
            ("participation", _l("Tham gia")),
            ("booth_award", _l("Giải gian hàng (đơn vị)")),
        ],
    )


class PrintForm(FlaskForm):
    kind = SelectField(
        _l("Loại"),
        choices=lambda: [
            ("", _l("Tất cả")),
            ("award", _l("Đạt giải (tác giả)")),
            ("unit_award", _l("Đạt giải (đơn vị)")),
            ("participation", _l("Tham gia")),
            ("booth_award", _l("Giải gian hàng (đơn vị)")),
        ],
        validators=[Optional()],
    )
    unit_id = SelectField(_l("Đơn vị"), coerce=int, validators=[Optional()])
    as_zip = BooleanField(_l("Tệp ZIP, mỗi đơn vị một thư mục (thay vì một tệp PDF)"))
    confirm_address = BooleanField(CONFIRM_ADDRESS)


class RevokeForm(FlaskForm):
    # Its own id: the certificate's page also holds the correction form's reason field.
    reason = StringField(_l("Lý do thu hồi"), validators=[DataRequired(REQUIRED), Length(max=500)], id="revoke-reason")


class CorrectForm(FlaskForm):
    recipient_name = StringField(_l("Tên người nhận đúng"), validators=[DataRequired(REQUIRED), Length(max=300)])
    reason = StringField(_l("Lý do đính chính"), validators=[DataRequired(REQUIRED), Length(max=500)])
