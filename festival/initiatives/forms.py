"""The register's forms: an initiative with its authors, its files, and the steps to recognition."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import MultipleFileField
from wtforms import (
    BooleanField,
    DateField,
    FieldList,
    Form,
    FormField,
    IntegerField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional, ValidationError

from festival.initiatives.services import MAX_AUTHORS
from festival.models import Application, AuthorCategory, InitiativeField, RecognitionLevel
from festival.util.urls import optional_record_id

REQUIRED = _l("Trường này là bắt buộc.")


class AuthorForm(Form):
    """One author row (a plain sub-form: the CSRF token lives on the outer form)."""

    full_name = StringField(_l("Họ và tên"), validators=[Optional(), Length(max=200)])
    job_title = StringField(_l("Chức danh, nghề nghiệp"), validators=[Optional(), Length(max=200)])
    department = StringField(_l("Phòng ban, tổ sản xuất"), validators=[Optional(), Length(max=200)])
    phone = StringField(_l("Điện thoại"), validators=[Optional(), Length(max=30)])
    category = SelectField(
        _l("Đối tượng"), choices=lambda: [(c.value, c.label) for c in AuthorCategory], default="worker"
    )
    is_graduate = BooleanField(_l("Có trình độ đại học trở lên"))
    share_percent = IntegerField(
        _l("Tỷ lệ đóng góp (%)"),
        validators=[Optional(), NumberRange(1, 100, _l("Tỷ lệ đóng góp từ 1 đến 100%."))],
    )

    def is_blank(self) -> bool:
        return (
            not any(
                (field.data or "").strip() for field in (self.full_name, self.job_title, self.department, self.phone)
            )
            and self.share_percent.data is None
        )


class InitiativeForm(FlaskForm):
    """An initiative as the unit, its support team or an organizer enters it."""

    # Organizers choose the unit; a unit's accounts always enter their own (the field is then left out).
    unit_id = SelectField(_l("Đơn vị"), coerce=optional_record_id, validate_choice=False)
    year = IntegerField(_l("Năm của sổ"), validators=[Optional(), NumberRange(2000, 2100, _l("Năm không hợp lệ."))])
    title = StringField(_l("Tên sáng kiến"), validators=[DataRequired(REQUIRED), Length(max=300)])
    field = SelectField(_l("Lĩnh vực"), choices=lambda: [(f.value, f.label) for f in InitiativeField])
    team_id = SelectField(_l("Tổ sản xuất"), coerce=optional_record_id, validate_choice=False)
    team_name = StringField(_l("Hoặc ghi tên tổ, nhóm"), validators=[Optional(), Length(max=200)])
    department = StringField(_l("Phòng ban, phân xưởng"), validators=[Optional(), Length(max=200)])
    authors = FieldList(FormField(AuthorForm), label=_l("Tác giả"), min_entries=MAX_AUTHORS, max_entries=MAX_AUTHORS)
    problem = TextAreaField(_l("Thực trạng, vấn đề cần giải quyết"), validators=[Optional(), Length(max=5000)])
    solution = TextAreaField(_l("Nội dung giải pháp"), validators=[Optional(), Length(max=5000)])
    effect_summary = TextAreaField(_l("Tóm tắt hiệu quả"), validators=[Optional(), Length(max=3000)])
    first_applied_on = DateField(_l("Ngày áp dụng lần đầu"), validators=[Optional()])
    application = SelectField(
        _l("Hình thức áp dụng"),
        choices=lambda: [("", "—")] + [(a.value, a.label) for a in Application],
        validators=[Optional()],
    )
    is_trade_secret = BooleanField(_l("Là bí mật kinh doanh (không công bố, chỉ báo tên và tóm tắt hiệu quả)"))
    is_published = BooleanField(_l("Công bố trên trang công khai khi được công nhận"))

    def validate_authors(self, field):
        rows = [entry.form for entry in field.entries if not entry.form.is_blank()]
        if not rows:
            raise ValidationError(_l("Sáng kiến cần ít nhất một tác giả."))
        if any(not (row.full_name.data or "").strip() for row in rows):
            raise ValidationError(_l("Mỗi dòng tác giả cần có họ và tên."))


class FilesForm(FlaskForm):
    """Photos and documents added to an initiative."""

    files = MultipleFileField(_l("Thêm ảnh hoặc tài liệu"))


class ApplyForm(FlaskForm):
    """The initiative is applied, on trial or in full, since a date."""

    application = RadioField(
        _l("Hình thức áp dụng"),
        choices=lambda: [(a.value, a.label) for a in Application],
        validators=[InputRequired(REQUIRED)],
    )
    first_applied_on = DateField(_l("Ngày áp dụng lần đầu"), validators=[InputRequired(REQUIRED)])


class RequestForm(FlaskForm):
    """The authors' request for recognition."""

    requested_on = DateField(_l("Ngày nộp đơn yêu cầu công nhận"), validators=[InputRequired(REQUIRED)])


class DecisionForm(FlaskForm):
    """The council's three findings and its decision."""

    is_new_in_unit = BooleanField(_l("Có tính mới trong phạm vi đơn vị"))
    is_applied_with_benefit = BooleanField(_l("Đã được áp dụng và mang lại lợi ích"))
    is_not_excluded = BooleanField(_l("Không thuộc đối tượng bị loại trừ"))
    outcome = RadioField(
        _l("Quyết định"),
        choices=lambda: [("recognised", _l("Công nhận")), ("not_recognised", _l("Không công nhận"))],
        validators=[InputRequired(REQUIRED)],
    )
    decision_number = StringField(_l("Số quyết định"), validators=[Optional(), Length(max=60)])
    decided_on = DateField(_l("Ngày quyết định"), validators=[InputRequired(REQUIRED)])
    level = SelectField(
        _l("Cấp công nhận"),
        choices=lambda: [("", "—")] + [(level.value, level.label) for level in RecognitionLevel],
        validators=[Optional()],
    )
    refusal_reason = TextAreaField(_l("Lý do không công nhận"), validators=[Optional(), Length(max=3000)])
