"""Every field of every form is named in the page's language: none falls back to WTForms' English label made
from the field's Python name ("Authors"), which the error summary at the top of a refused form would show."""

import importlib
import pkgutil

from flask_wtf import FlaskForm
from wtforms import Form
from wtforms.fields import FieldList, FormField, HiddenField

import festival


def _subclasses(cls):
    for sub in cls.__subclasses__():
        yield sub
        yield from _subclasses(sub)


def _all_forms():
    for module in pkgutil.walk_packages(festival.__path__, "festival."):
        importlib.import_module(module.name)
    return {form for form in _subclasses(Form) if form.__module__.startswith("festival.") and form is not FlaskForm}


def _fields(form):
    for field in form:
        if isinstance(field, FieldList):
            yield field
            field = field.entries[0] if field.entries else None
        if isinstance(field, FormField):
            yield from _fields(field.form)
        elif field is not None:
            yield field


def test_no_field_falls_back_to_an_english_label_made_from_its_name(app):
    forms = _all_forms()
    assert len(forms) > 20  # the walk found the forms of every feature
    unnamed = []
    with app.test_request_context():
        for form_class in forms:
            form = form_class(meta={"csrf": False}) if issubclass(form_class, FlaskForm) else form_class()
            for field in _fields(form):
                if isinstance(field, HiddenField):
                    continue
                derived = field.short_name.replace("_", " ").title()
                if str(field.label.text) == derived:
                    unnamed.append(f"{form_class.__module__}.{form_class.__name__}.{field.short_name}")
    assert unnamed == [], unnamed
