"""The form of one year's benefit and remuneration."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, SelectField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from festival.exhibits.forms import MoneyField


class BenefitYearForm(FlaskForm):
    """A year of application: its benefit (or that it cannot be computed), the remuneration decided, its payment."""

    computable = SelectField(
        _l("Tiền làm lợi"),
        choices=lambda: [("yes", _l("Tính được")), ("no", _l("Không tính được"))],
        default="yes",
        validate_choice=False,  # anything but "no" reads as computable: the amount is then asked for
    )
    benefit = MoneyField(_l("Tiền làm lợi của năm (đồng)"), validators=[Optional()])
    evaluated_on = DateField(_l("Ngày đánh giá"), validators=[DataRequired(_l("Hãy nhập ngày đánh giá."))])
    remuneration = MoneyField(_l("Thù lao đơn vị quyết định (đồng)"), validators=[Optional()])
    paid_on = DateField(_l("Ngày chi trả"), validators=[Optional()])
    note = TextAreaField(_l("Ghi chú (lý do khi thù lao thấp hơn mức tối thiểu)"), validators=[Length(max=2000)])
