"""Picker fields: a text input that takes a record's slug or name, for forms that name records.

A select of every person, claim or topic grows with the database (a million topics made the
claim form 34 MB), so a picker is a plain text input instead. Without JavaScript it works as a
form: the server resolves what was typed (kb.queries.suggest.resolve) and, when the value is
ambiguous or unknown, shows the form again with the problem and a few candidates (radio buttons
for a one-record field, so choosing one and saving again is enough). With JavaScript,
static/pickers.js fills the input's <datalist> from /api/suggest/<kind> while one types.

Only WTForms here (no Flask): the forms of kb.web.admin.forms use these fields, kb.web the resolver.
"""

from __future__ import annotations

from typing import Any

from markupsafe import Markup, escape
from sqlalchemy.orm import Session
from wtforms import Field, StringField
from wtforms.validators import ValidationError
from wtforms.widgets import TextInput, html_params

from kb.queries import suggest

# Records one multiple picker may name, and how many candidates it shows per unknown name.
MAX_ITEMS = 100
CANDIDATES_PER_ITEM = 5


class PickerInput(TextInput):
    """The text input, its (empty) datalist for suggestions and, after an ambiguous or unknown
    value, the candidates."""

    def __call__(self, field: Any, **kwargs: Any) -> Markup:
        list_id = f"{field.id}-suggestions"
        kwargs.setdefault("list", list_id)
        kwargs.setdefault("autocomplete", "off")
        kwargs["data-suggest"] = field.kind
        if field.multiple:
            kwargs["data-suggest-multiple"] = "true"
        html = [
            super().__call__(field, **kwargs),
            Markup(f'<datalist id="{escape(list_id)}"></datalist>'),
        ]
        if field.candidates:
            html.append(_candidates(field))
        return Markup("").join(html)


def _candidates(field: Any) -> Markup:
    """A one-record field offers radio buttons with the field's own name: the browser sends
    them after the text input, and the last value wins (PickerField.process_formdata). A
    multiple field lists the slugs to type instead."""
    items = []
    for c in field.candidates:
        text = Markup('{} <span class="muted">({})</span>').format(c.label, c.value)
        if field.multiple:
            items.append(Markup("<li>{}</li>").format(text))
        else:
            attrs = html_params(type="radio", name=field.name, value=c.value)
            items.append(
                Markup("<li><label><input {}> {}</label></li>").format(Markup(attrs), text)
            )
    title = "Type one of these slugs instead:" if field.multiple else "Choose one, then save again:"
    return Markup(
        '<div class="picker-candidates" id="{}-candidates"><p>{}</p><ul>{}</ul></div>'
    ).format(field.id, title, Markup("").join(items))


class PickerField(StringField):
    """One record of `kind` (see kb.queries.suggest.KINDS), by slug or name."""

    widget = PickerInput()
    multiple = False

    def __init__(self, label: str | None = None, validators: Any = None, *, kind: str, **kw: Any):
        super().__init__(label, validators, **kw)
        self.kind = kind
        self.candidates: list[suggest.Suggestion] = []

    def process_formdata(self, valuelist: list[str]) -> None:
        # A candidate radio, when one is chosen, comes after the text input: it wins.
        chosen = [v for v in valuelist if v and v.strip()]
        self.data = chosen[-1] if chosen else (valuelist[0] if valuelist else None)


class MultiPickerField(Field):
    """Several records of `kind`, separated by commas in one input (or sent as several values
    of the field, as a multiple select would). The data is a list of slugs or names."""

    widget = PickerInput()
    multiple = True

    def __init__(self, label: str | None = None, validators: Any = None, *, kind: str, **kw: Any):
        super().__init__(label, validators, **kw)
        self.kind = kind
        self.candidates: list[suggest.Suggestion] = []

    def process_formdata(self, valuelist: list[str]) -> None:
        self.data = [t.strip() for v in valuelist for t in (v or "").split(",") if t.strip()]

    def process_data(self, value: Any) -> None:
        if isinstance(value, str):
            value = value.split(",")
        self.data = [str(v).strip() for v in (value or []) if v and str(v).strip()]

    def _value(self) -> str:
        return ", ".join(self.data or [])

    def pre_validate(self, form: Any) -> None:
        if len(self.data or []) > MAX_ITEMS:
            raise ValidationError(f"at most {MAX_ITEMS} {suggest.PLURALS[self.kind]}")
        if len(self._value()) > 5000:
            raise ValidationError("is too long (at most 5000 characters)")


def resolve_form(session: Session, form: Any) -> bool:
    """Turn every picker's typed names into slugs. A value that names no record, or several,
    becomes an error on its field with candidates; returns False when any did. Fields that
    already failed their own checks are left as they are."""
    ok = True
    for f in form:
        if not isinstance(f, PickerField | MultiPickerField) or f.errors:
            continue
        typed: list[str | None] = f.data if isinstance(f, MultiPickerField) else [f.data]
        values: list[str | None] = []
        per_item = suggest.MAX_LIMIT if not f.multiple else CANDIDATES_PER_ITEM
        for item in typed:
            if item is None or not suggest.clean(item) or "\x00" in item:
                values.append(item)
                continue
            found = suggest.resolve(session, f.kind, item)
            if found.value is not None:
                values.append(found.value)
                continue
            values.append(item)
            f.errors = [*f.errors, found.problem or ""]  # set: the name was not found
            have = {c.value for c in f.candidates}
            f.candidates += [c for c in found.candidates[:per_item] if c.value not in have]
            ok = False
        f.data = values if f.multiple else values[0]
    return ok
