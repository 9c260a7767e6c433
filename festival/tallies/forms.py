"""Forms of the programme's targets and of the portal export."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, FieldList, Form, FormField, HiddenField, IntegerField, SelectField, StringField
from wtforms.validators import DataRequired, Length, NumberRange, Optional, ValidationError

from festival.tallies.services import MAX_MEMBERS
from festival.util.urls import optional_record_id


class TargetRowForm(Form):
    """One unit's row of the bulk targets form (a plain sub-form: the CSRF token lives on the outer form)."""

    unit_id = HiddenField(_l("Đơn vị"))
    members = IntegerField(
        _l("Số đoàn viên"),
        validators=[Optional(), NumberRange(0, MAX_MEMBERS, _l("Số đoàn viên từ 0 đến 10.000.000."))],
    )
    target = IntegerField(
        _l("Chỉ tiêu"),
        validators=[Optional(), NumberRange(0, MAX_MEMBERS, _l("Chỉ tiêu từ 0 đến 10.000.000."))],
    )
    emulation_group = StringField(_l("Cụm/khối thi đua"), validators=[Optional(), Length(max=100)])

    def validate_target(self, field):
        if field.data is not None and self.members.data is None:
            raise ValidationError(_l("Hãy nhập số đoàn viên trước khi đặt chỉ tiêu."))

    def validate_emulation_group(self, field):
        if (field.data or "").strip() and self.members.data is None:
            raise ValidationError(_l("Hãy nhập số đoàn viên trước khi xếp cụm/khối."))

    def validate_unit_id(self, field):
        try:
            unit_id = optional_record_id(field.data)
        except ValueError:
            unit_id = None
        if unit_id is None:
            raise ValidationError(_l("Dòng không gắn với đơn vị nào. Hãy tải lại trang."))


class TargetsForm(FlaskForm):
    """Every unit's membership, target and emulation group for a year, on one page."""

    rows = FieldList(FormField(TargetRowForm), label=_l("Chỉ tiêu các đơn vị"), max_entries=5000)


class CopyTargetsForm(FlaskForm):
    """Copy last year's targets to the units that have none this year (the CSRF token only)."""


class PortalForm(FlaskForm):
    """The period (decision dates, both included) and, for organizers, the unit of a portal export."""

    class Meta:
        csrf = False  # a GET form: it reads, never changes anything

    date_from = DateField(_l("Quyết định từ ngày"), validators=[DataRequired(_l("Hãy chọn ngày bắt đầu."))])
    date_to = DateField(_l("đến ngày"), validators=[DataRequired(_l("Hãy chọn ngày kết thúc."))])
    unit = SelectField(_l("Đơn vị"), coerce=optional_record_id, validate_choice=False)

    def validate_date_to(self, field):
        if self.date_from.data and field.data and field.data < self.date_from.data:
            raise ValidationError(_l("Ngày kết thúc phải sau ngày bắt đầu."))
