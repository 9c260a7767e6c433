"""Exhibit forms: the unit's registration form, review decisions, categories and imports."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import MultipleFileField
from wtforms import BooleanField, FieldList, Form, FormField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional, ValidationError

from festival.models import MAX_AUTHORS, ApplicationScope
from festival.spreadsheets.values import Noted, read_money
from festival.util.formatting import festival_today, format_number
from festival.util.urls import optional_record_id

REQUIRED = _l("Trường này là bắt buộc.")


class AuthorForm(Form):
    """One author row (a plain sub-form: the CSRF token lives on the outer form)."""

    full_name = StringField(_l("Họ và tên"), validators=[Optional(), Length(max=200)])
    job_title = StringField(_l("Chức danh, nghề nghiệp"), validators=[Optional(), Length(max=200)])
    department = StringField(_l("Phòng ban, tổ sản xuất"), validators=[Optional(), Length(max=200)])
    # Consent is asked separately from the registration (the service), never ticked for the author.
    gallery_consent = BooleanField(_l("Đồng ý hiển thị tên và ảnh trong thư viện công khai và áp phích"))


class MoneyField(StringField):
    """An amount of đồng read as the spreadsheet import reads it (`1.500.000`, `1500000`, `1,5 tỷ`, `850 triệu`);
    `.data` is an int or None, `.note` says how words were read (shown to the unit, as the import's preview does)."""

    note = None

    def process_formdata(self, valuelist):
        typed = valuelist[0] if valuelist else ""
        self.data, self.note = None, None
        if typed.strip():
            try:
                amount = read_money(typed)
            except ValueError as error:
                raise ValueError(str(error.args[0])) from None
            if isinstance(amount, Noted):
                self.data, self.note = amount.value, amount.note
            else:
                self.data = amount

    def _value(self):
        if self.raw_data:
            return self.raw_data[0]  # what was typed, even when it was refused
        return format_number(self.data) if self.data is not None else ""


def _year(form, field):
    if field.data is not None and not 1975 <= field.data <= festival_today().year + 1:
        raise ValidationError(_l("Năm không hợp lệ."))


class ExhibitForm(FlaskForm):
    title = StringField(_l("Tên sáng kiến"), validators=[DataRequired(REQUIRED), Length(max=300)])
    # Starts on an empty choice: a unit that overlooks the field is asked, never given the first category.
    # The view checks the category is one of the festival's (the empty choice is not a value to validate).
    category_id = SelectField(
        _l("Lĩnh vực"), coerce=optional_record_id, validate_choice=False, validators=[DataRequired(REQUIRED)]
    )
    authors = FieldList(FormField(AuthorForm), label=_l("Tác giả"), min_entries=MAX_AUTHORS, max_entries=MAX_AUTHORS)
    summary = TextAreaField(_l("Tóm tắt"), validators=[Optional(), Length(max=3000)])
    problem = TextAreaField(_l("Vấn đề cần giải quyết"), validators=[Optional(), Length(max=5000)])
    solution = TextAreaField(_l("Giải pháp"), validators=[Optional(), Length(max=5000)])
    results = TextAreaField(_l("Kết quả đạt được"), validators=[Optional(), Length(max=5000)])
    benefit = MoneyField(_l("Giá trị làm lợi (đồng/năm)"))
    applied_since = IntegerField(_l("Năm bắt đầu áp dụng"), validators=[Optional(), _year])
    scope = SelectField(
        _l("Phạm vi áp dụng"),
        choices=lambda: [("", "—")] + [(s.value, s.label) for s in ApplicationScope],
        validators=[Optional()],
    )
    files = MultipleFileField(_l("Thêm ảnh hoặc tài liệu"))

    def validate_authors(self, field):
        names = [entry.form.full_name.data for entry in field.entries]
        if not any(name and name.strip() for name in names):
            raise ValidationError(_l("Sáng kiến cần ít nhất một tác giả."))
        for entry in field.entries:
            if not (entry.form.full_name.data or "").strip() and (
                (entry.form.job_title.data or "").strip() or (entry.form.department.data or "").strip()
            ):
                raise ValidationError(_l("Mỗi dòng tác giả cần có họ và tên."))


class AcceptForm(FlaskForm):
    code = StringField(_l("Mã sáng kiến"), validators=[Optional(), Length(max=20)])
    booth = StringField(_l("Gian trưng bày"), validators=[Optional(), Length(max=20)])
    zone = StringField(_l("Khu trong hội trường"), validators=[Optional(), Length(max=40)])


class CommentForm(FlaskForm):
    comment = TextAreaField(_l("Nhận xét cho đơn vị"), validators=[DataRequired(REQUIRED), Length(max=3000)])


class CategoryForm(FlaskForm):
    code = StringField(_l("Mã lĩnh vực"), validators=[DataRequired(REQUIRED), Length(max=10)])
    name_vi = StringField(_l("Tên tiếng Việt"), validators=[DataRequired(REQUIRED), Length(max=200)])
    name_en = StringField(_l("Tên tiếng Anh"), validators=[Optional(), Length(max=200)])
