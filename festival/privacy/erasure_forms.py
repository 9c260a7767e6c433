"""Forms for correcting a person's data (one per row: an author, an attendee, an account) and for erasing it."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional, ValidationError

from festival.util.formatting import fold

REQUIRED = _l("Trường này là bắt buộc.")
CONFIRM_WORD = "XOÁ"


class CorrectionForm(FlaskForm):
    class Meta:
        # Several of these forms share a page, each with its own prefix; the one CSRF field the page posts is
        # checked for every POST by the app's CSRFProtect.
        csrf = False


class AuthorCorrectionForm(CorrectionForm):
    full_name = StringField(_l("Họ và tên"), validators=[DataRequired(REQUIRED), Length(max=200)])
    job_title = StringField(_l("Chức danh"), validators=[Optional(), Length(max=200)])
    department = StringField(_l("Bộ phận"), validators=[Optional(), Length(max=200)])


class AttendeeCorrectionForm(CorrectionForm):
    full_name = StringField(_l("Họ và tên"), validators=[DataRequired(REQUIRED), Length(max=200)])
    phone = StringField(_l("Điện thoại"), validators=[Optional(), Length(max=40)])
    email = StringField(_l("E-mail"), validators=[Optional(), Length(max=254)])
    organisation = StringField(_l("Tổ chức"), validators=[Optional(), Length(max=200)])


class UserCorrectionForm(CorrectionForm):
    full_name = StringField(_l("Họ và tên"), validators=[DataRequired(REQUIRED), Length(max=200)])


def _typed_confirmation(form, field):
    # Either spelling (XOÁ, XÓA), with or without its accent: the point is typing it on purpose.
    if fold(field.data or "").strip() != fold(CONFIRM_WORD):
        raise ValidationError(_l("Hãy gõ %(word)s để xác nhận.", word=CONFIRM_WORD))


class ErasureForm(FlaskForm):
    reason = TextAreaField(
        _l("Lý do (yêu cầu nào của người đó)"), validators=[DataRequired(REQUIRED), Length(max=1000)]
    )
    confirm = StringField(
        _l("Gõ %(word)s để xác nhận", word=CONFIRM_WORD), validators=[DataRequired(REQUIRED), _typed_confirmation]
    )
