"""E-mail forms: the wording of a kind of message, and asking for a password reset."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField, StringField, TextAreaField
from wtforms.validators import DataRequired, Email, Length

REQUIRED = _l("Trường này là bắt buộc.")


class WordingForm(FlaskForm):
    subject = StringField(_l("Tiêu đề thư"), validators=[DataRequired(REQUIRED), Length(max=300)])
    body = TextAreaField(_l("Nội dung thư"), validators=[DataRequired(REQUIRED), Length(max=5000)])


class ForgotPasswordForm(FlaskForm):
    email = EmailField(
        _l("E-mail của tài khoản"),
        validators=[DataRequired(REQUIRED), Email(_l("Địa chỉ e-mail không hợp lệ.")), Length(max=254)],
    )
