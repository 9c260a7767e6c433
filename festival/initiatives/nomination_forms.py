"""The nomination form: the category of the current festival an initiative is shown in."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectField
from wtforms.validators import DataRequired

from festival.util.urls import optional_record_id


class NominationForm(FlaskForm):
    category = SelectField(
        _l("Lĩnh vực trưng bày"),
        coerce=optional_record_id,
        validators=[DataRequired(_l("Hãy chọn lĩnh vực trưng bày."))],
    )
