"""Judging forms: rubric rows, panels, assignment, conflicts, reopen reasons, policy, tier changes."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    DateTimeLocalField,
    DecimalField,
    FieldList,
    Form,
    FormField,
    IntegerField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional, ValidationError
from wtforms.widgets import HiddenInput

from festival.models import JUDGED_TIERS, Combination, CriterionKind, ResultsMethod, RoundKind
from festival.util.urls import optional_record_id

REQUIRED = _l("Trường này là bắt buộc.")
MAX_CRITERIA = 10
MAX_TIMER_MINUTES = 60
# As the browser's datetime-local input sends it.
DATETIME_FORMAT = "%Y-%m-%dT%H:%M"


class CriterionForm(Form):
    """One rubric row (a plain sub-form: the CSRF token is on the outer form)."""

    id = IntegerField(_l("Mã tiêu chí"), widget=HiddenInput(), validators=[Optional()])
    name_vi = StringField(_l("Tiêu chí"), validators=[Optional(), Length(max=200)])
    name_en = StringField(_l("Tên tiếng Anh"), validators=[Optional(), Length(max=200)])
    guidance = TextAreaField(_l("Hướng dẫn chấm"), validators=[Optional(), Length(max=2000)])
    guidance_en = TextAreaField(_l("Hướng dẫn chấm (tiếng Anh)"), validators=[Optional(), Length(max=2000)])
    kind = SelectField(
        _l("Loại"),
        choices=lambda: [
            (CriterionKind.POINTS.value, _l("Tính điểm")),
            (CriterionKind.YES_NO.value, _l("Câu hỏi có/không (không tính điểm)")),
        ],
    )
    max_points = IntegerField(_l("Điểm tối đa"), validators=[Optional(), NumberRange(1, 1000)])
    weight = DecimalField(_l("Trọng số"), places=None, validators=[Optional(), NumberRange(0, 1000)])
    levels = StringField(_l("Các mức (điểm – mô tả / tiếng Anh; …)"), validators=[Optional(), Length(max=1000)])


class RubricForm(FlaskForm):
    criteria = FieldList(
        FormField(CriterionForm), label=_l("Tiêu chí chấm"), min_entries=MAX_CRITERIA, max_entries=MAX_CRITERIA
    )


class AssignForm(FlaskForm):
    per_exhibit = IntegerField(
        _l("Số giám khảo mỗi sáng kiến"), default=3, validators=[DataRequired(REQUIRED), NumberRange(1, 10)]
    )


class AddJudgeForm(FlaskForm):
    judge_id = SelectField(_l("Giám khảo"), coerce=int, validators=[DataRequired(REQUIRED)])


class ConflictForm(FlaskForm):
    # Starts on an empty choice; the view checks the exhibit is one of the festival's accepted ones.
    exhibit_id = SelectField(
        _l("Sáng kiến"), coerce=optional_record_id, validate_choice=False, validators=[DataRequired(REQUIRED)]
    )
    judge_id = SelectField(_l("Giám khảo"), coerce=int, validators=[Optional()])
    reason = StringField(_l("Lý do"), validators=[Optional(), Length(max=300)])


class ReasonForm(FlaskForm):
    reason = TextAreaField(_l("Lý do"), validators=[DataRequired(REQUIRED), Length(max=1000)])


class PolicyForm(FlaskForm):
    method = SelectField(_l("Cách xếp hạng"), choices=lambda: [(m.value, m.label) for m in ResultsMethod])
    shrinkage = DecimalField(
        _l("Hệ số co (giám khảo chấm ít sáng kiến)"), places=2, validators=[DataRequired(REQUIRED), NumberRange(0, 100)]
    )
    spread_flag = DecimalField(
        _l("Cảnh báo khi chênh lệch điểm từ"), places=2, validators=[DataRequired(REQUIRED), NumberRange(1, 100)]
    )
    tie_break = StringField(
        _l("Thứ tự tiêu chí xét khi bằng điểm (số thứ tự, cách nhau bằng dấu phẩy)"),
        validators=[Optional(), Length(max=100)],
    )
    first_prizes = IntegerField(_l("Số giải Nhất mỗi lĩnh vực"), validators=[NumberRange(0, 50)])
    second_prizes = IntegerField(_l("Số giải Nhì mỗi lĩnh vực"), validators=[NumberRange(0, 50)])
    third_prizes = IntegerField(_l("Số giải Ba mỗi lĩnh vực"), validators=[NumberRange(0, 50)])
    honourable_percent = IntegerField(
        _l("Khuyến khích: đến hết top (%) sáng kiến của lĩnh vực"), validators=[NumberRange(0, 100)]
    )
    presentation_minutes = IntegerField(
        _l("Thời gian trình bày (phút)"),
        validators=[
            InputRequired(REQUIRED),
            NumberRange(0, MAX_TIMER_MINUTES, _l("Thời gian trình bày là số phút từ 0 đến 60 (0 = không bấm giờ).")),
        ],
    )
    questions_minutes = IntegerField(
        _l("Thời gian hỏi đáp (phút)"),
        validators=[
            InputRequired(REQUIRED),
            NumberRange(0, MAX_TIMER_MINUTES, _l("Thời gian hỏi đáp là số phút từ 0 đến 60.")),
        ],
    )

    def validate_questions_minutes(self, field):
        if field.data and not self.presentation_minutes.data:
            raise ValidationError(_l("Hãy đặt thời gian trình bày: phần hỏi đáp bắt đầu khi hết giờ trình bày."))


class TierForm(FlaskForm):
    tier = SelectField(
        _l("Giải"), choices=lambda: [("", _l("Không giải"))] + [(t.value, t.label) for t in JUDGED_TIERS]
    )
    reason = StringField(_l("Lý do điều chỉnh"), validators=[DataRequired(REQUIRED), Length(max=500)])


class RoundForm(FlaskForm):
    """One judging round: its name, where it is judged, its own window (empty: the festival's), its weight and,
    from round 2, how finalists are proposed."""

    name_vi = StringField(_l("Tên vòng"), validators=[DataRequired(REQUIRED), Length(max=120)])
    name_en = StringField(_l("Tên tiếng Anh"), validators=[Optional(), Length(max=120)])
    kind = SelectField(_l("Hình thức chấm"), choices=lambda: [(k.value, k.label) for k in RoundKind])
    opens_at = DateTimeLocalField(_l("Mở chấm"), format=DATETIME_FORMAT, validators=[Optional()])
    closes_at = DateTimeLocalField(_l("Đóng chấm"), format=DATETIME_FORMAT, validators=[Optional()])
    weight = IntegerField(
        _l("Trọng số khi cộng điểm các vòng (%)"),
        validators=[InputRequired(REQUIRED), NumberRange(0, 100, _l("Trọng số là số từ 0 đến 100."))],
    )
    finalist_rule = SelectField(
        _l("Đề xuất vào vòng"),
        choices=lambda: [("quota", _l("Số sáng kiến đứng đầu mỗi lĩnh vực")), ("threshold", _l("Điểm tối thiểu"))],
    )
    finalist_quota = IntegerField(_l("Số sáng kiến mỗi lĩnh vực"), validators=[Optional(), NumberRange(0, 500)])
    finalist_threshold = DecimalField(
        _l("Điểm tối thiểu (thang 100)"), places=2, validators=[Optional(), NumberRange(0, 100)]
    )


class CombinationForm(FlaskForm):
    combination = SelectField(_l("Điểm cuối cùng"), choices=lambda: [(c.value, c.label) for c in Combination])


class ScheduleForm(FlaskForm):
    changeover = IntegerField(
        _l("Thời gian chuyển giữa hai lượt (phút)"),
        default=5,
        validators=[InputRequired(REQUIRED), NumberRange(0, 60, _l("Thời gian chuyển là số phút từ 0 đến 60."))],
    )
