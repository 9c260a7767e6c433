"""E-mail forms: the wording of a kind of message."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import StringField, TextAreaField
from wtforms.validators import DataRequired, Length

REQUIRED = _l("Trường này là bắt buộc.")


class WordingForm(FlaskForm):
    subject = StringField(_l("Tiêu đề thư"), validators=[DataRequired(REQUIRED), Length(max=300)])
    body = TextAreaField(_l("Nội dung thư"), validators=[DataRequired(REQUIRED), Length(max=5000)])
