"""The organizers' form for the privacy notice."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional


class NoticeForm(FlaskForm):
    body_vi = TextAreaField(
        _l("Nội dung tiếng Việt"), validators=[DataRequired(_l("Trường này là bắt buộc.")), Length(max=20000)]
    )
    body_en = TextAreaField(_l("Nội dung tiếng Anh"), validators=[Optional(), Length(max=20000)])
    contact = StringField(_l("Liên hệ về dữ liệu cá nhân"), validators=[Optional(), Length(max=300)])
    preview = SubmitField(_l("Xem trước"))
    publish = SubmitField(_l("Công bố phiên bản mới"))
