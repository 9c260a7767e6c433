"""Sign-in and password forms, and asking for a password reset."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, PasswordField, StringField
from wtforms.validators import DataRequired, Email, EqualTo, Length


class SignInForm(FlaskForm):
    # A text input with an e-mail keyboard: autocomplete="username", which password managers look for, is not
    # allowed on type="email".
    email = StringField(_l("E-mail"), validators=[DataRequired(_l("Hãy nhập e-mail.")), Length(max=254)])
    password = PasswordField(_l("Mật khẩu"), validators=[DataRequired(_l("Hãy nhập mật khẩu.")), Length(max=200)])
    remember = BooleanField(_l("Ghi nhớ đăng nhập trên thiết bị này"))


class SetPasswordForm(FlaskForm):
    password = PasswordField(_l("Mật khẩu mới"), validators=[DataRequired(_l("Hãy nhập mật khẩu.")), Length(max=200)])
    confirm = PasswordField(
        _l("Nhập lại mật khẩu mới"),
        validators=[DataRequired(_l("Hãy nhập lại mật khẩu.")), EqualTo("password", _l("Hai mật khẩu không khớp."))],
    )


class ChangePasswordForm(SetPasswordForm):
    current = PasswordField(
        _l("Mật khẩu hiện tại"), validators=[DataRequired(_l("Hãy nhập mật khẩu hiện tại.")), Length(max=200)]
    )


class ForgotPasswordForm(FlaskForm):
    email = EmailField(
        _l("E-mail của tài khoản"),
        validators=[
            DataRequired(_l("Trường này là bắt buộc.")),
            Email(_l("Địa chỉ e-mail không hợp lệ.")),
            Length(max=254),
        ],
    )
