"""Forms for the retention periods and the breach register."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateTimeLocalField, IntegerField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from festival.privacy.inventory import PURGED

REQUIRED = _l("Trường này là bắt buộc.")
DATETIME_FORMAT = "%Y-%m-%dT%H:%M"


def retention_form(maximum: int, data: dict, submitted: bool, language: str = "vi") -> FlaskForm:
    """A form with one period (days) per purged category, between its minimum and `maximum`, labelled in
    `language`."""

    class RetentionForm(FlaskForm):
        pass

    for category in PURGED:
        field = IntegerField(
            category.text(category.what, language),
            validators=[
                InputRequired(REQUIRED),
                NumberRange(
                    category.min_days,
                    maximum,
                    _l("Từ %(min)s đến %(max)s ngày.", min=category.min_days, max=maximum),
                ),
            ],
        )
        setattr(RetentionForm, category.key, field)
    return RetentionForm(data=data) if submitted else RetentionForm(formdata=None, data=data)


class BreachForm(FlaskForm):
    what_happened = TextAreaField(_l("Sự việc"), validators=[DataRequired(REQUIRED), Length(max=5000)])
    found_at = DateTimeLocalField(_l("Phát hiện lúc"), format=DATETIME_FORMAT, validators=[DataRequired(REQUIRED)])
    people_affected = IntegerField(_l("Số người bị ảnh hưởng"), validators=[Optional(), NumberRange(0, 10_000_000)])
    people_description = TextAreaField(_l("Những ai bị ảnh hưởng"), validators=[Optional(), Length(max=2000)])
    data_affected = TextAreaField(_l("Dữ liệu bị ảnh hưởng"), validators=[Optional(), Length(max=2000)])
    actions_taken = TextAreaField(_l("Biện pháp đã làm"), validators=[Optional(), Length(max=5000)])
    authority_name = StringField(_l("Cơ quan đã được thông báo"), validators=[Optional(), Length(max=200)])
    authority_notified_at = DateTimeLocalField(
        _l("Thông báo cơ quan chức năng lúc"), format=DATETIME_FORMAT, validators=[Optional()]
    )
    people_notified_at = DateTimeLocalField(
        _l("Thông báo người bị ảnh hưởng lúc"), format=DATETIME_FORMAT, validators=[Optional()]
    )
    people_notice = TextAreaField(_l("Đã thông báo cho họ thế nào"), validators=[Optional(), Length(max=2000)])
