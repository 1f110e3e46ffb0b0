"""The admin forms (Flask-WTF, so every one carries a CSRF token).

A form checks each field on its own: required, length, format, enumeration, number range.
Checks that need the database (unique slugs, references, duplicates) are kb.edits' job. Each
edit form carries the record's `version`, so a save over a newer version is caught.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlsplit

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    FloatField,
    HiddenField,
    IntegerField,
    PasswordField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import InputRequired, Length, NumberRange, Optional, ValidationError

from kb import models as m
from kb.auth import MIN_PASSWORD_LENGTH, USERNAME_RE
from kb.dates import parse_partial
from kb.pickers import MultiPickerField, PickerField

SLUG_HELP = "Lowercase letters, digits and hyphens. Left blank, it is made from the name."


def _choices(values: tuple[str, ...]) -> dict[str, str]:
    # {value: label}: the shorthand WTForms keeps (tuples are deprecated from 3.3).
    return {v: v.replace("_", " ") for v in values}


def http_url(_form: Any, field: Any) -> None:
    """Only absolute http(s) URLs: a javascript: or data: link must never reach a page."""
    value = (field.data or "").strip()
    if not value:
        return
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.netloc or " " in value:
        raise ValidationError("must be a full http:// or https:// address")


def slug_format(_form: Any, field: Any) -> None:
    value = (field.data or "").strip()
    if value and not re.fullmatch(r"[a-z0-9]+(?:-[a-z0-9]+)*", value):
        raise ValidationError(
            "use lowercase letters, digits and single hyphens (e.g. ada-lovelace)"
        )


def partial_date(_form: Any, field: Any) -> None:
    value = (field.data or "").strip()
    if value:
        try:
            parse_partial(value)
        except ValueError as exc:
            raise ValidationError(str(exc)) from None


def _text(label: str, max_len: int, required: bool = False, **kw: Any) -> StringField:
    validators = [InputRequired("is required") if required else Optional(), Length(max=max_len)]
    return StringField(label, validators, **kw)


def _area(
    label: str, max_len: int | None = None, required: bool = False, **kw: Any
) -> TextAreaField:
    validators: list[Any] = [InputRequired("is required") if required else Optional()]
    if max_len:
        validators.append(Length(max=max_len))
    return TextAreaField(label, validators, **kw)


def _picker(
    label: str, kind: str, max_len: int, required: bool = False, description: str = ""
) -> PickerField:
    """A record named by slug or name (kb.pickers): a text input, never a list of them all."""
    validators = [InputRequired("is required") if required else Optional(), Length(max=max_len)]
    return PickerField(label, validators, kind=kind, description=description)


def _url(label: str, **kw: Any) -> StringField:
    return StringField(label, [Optional(), Length(max=2000), http_url], **kw)


def _slug(**kw: Any) -> StringField:
    return StringField(
        "Slug", [Optional(), Length(max=m.SLUG_MAX), slug_format], description=SLUG_HELP, **kw
    )


class KbForm(FlaskForm):
    """A form that also refuses NUL characters in any field: PostgreSQL cannot store them in
    text, and no honest record contains one."""

    def validate(self, extra_validators: Any = None) -> bool:
        ok = super().validate(extra_validators)
        for field in self:
            values = field.data if isinstance(field.data, list) else [field.data]
            if any(isinstance(v, str) and "\x00" in v for v in values):
                field.errors = [*field.errors, "must not contain NUL characters"]
                ok = False
        return ok


class LoginForm(KbForm):
    username = StringField("Username", [InputRequired("is required"), Length(max=80)])
    password = PasswordField("Password", [InputRequired("is required"), Length(max=1000)])
    next = HiddenField()


class VersionedForm(KbForm):
    version = HiddenField()


class PersonForm(VersionedForm):
    name = _text("Name", 200, required=True)
    slug = _slug()
    description = _area("Description")
    affiliation = _text("Affiliation or role", 500)
    birth_year = IntegerField("Birth year", [Optional(), NumberRange(1, 2200)])
    death_year = IntegerField("Death year", [Optional(), NumberRange(1, 2200)])
    url = _url("Web page", description="The person's own page or a reliable profile.")


class SourceForm(VersionedForm):
    title = _text("Title", 500, required=True)
    slug = _slug()
    kind = SelectField("Kind", choices=_choices(m.SOURCE_KINDS))
    url = _url("URL")
    publisher = _text("Publisher or venue", 500)
    published = StringField(
        "Published",
        [Optional(), partial_date],
        description="As precise as the evidence allows: 2003, 2017-02 or 2017-07-17.",
    )
    date_note = _text(
        "Date as given",
        500,
        description="When the source says more than a date can, e.g. “c. 2017-07-16”.",
    )
    archived_url = _url("Archived copy")
    authors = StringField(
        "Authors",
        [Optional(), Length(max=5000)],
        description="Slugs of people, separated by commas.",
    )
    note = _area("Note")


class QuoteForm(VersionedForm):
    text = _area("Verbatim text", 10000, required=True)
    speaker = _picker("Speaker", "person", 200, True, "Type to search; a person's slug or name.")
    source = _picker("Source", "source", 500, True, "Type to search; a source's slug or title.")
    locator = _text("Where in the source", 200, description="Page, timestamp or paragraph.")
    speaker_affiliation = _text("Speaker's affiliation at the time", 500)
    attribution = SelectField("Attribution", choices=_choices(m.ATTRIBUTIONS))
    checked = SelectField(
        "How it was checked",
        choices=_choices(m.CHECKED_HOW),
        description="primary: seen in the original; reprint: a faithful copy; widely reported: "
        "the same words in several reports; secondary: only as quoted by one report.",
    )
    check_note = _area("Checking note")
    note = _area("Note")


class TopicForm(VersionedForm):
    name = _text("Name", 200, required=True)
    slug = _slug()
    description = _area("Description")


class ClaimForm(VersionedForm):
    text = _area("Claim", 2000, required=True, description="One proposition, stated plainly.")
    slug = _slug()
    summary = _area("Summary")
    topics = MultiPickerField(
        "Topics", kind="topic", description="Type to search; topics' slugs or names, by commas."
    )


class RelationForm(VersionedForm):
    from_claim = _picker("From claim", "claim", 2000, True, "Type to search; a claim's slug.")
    kind = SelectField("Relation", choices=_choices(m.RELATION_KINDS))
    to_claim = _picker("To claim", "claim", 2000, True, "Type to search; a claim's slug.")
    note = _area("Note")


class StanceForm(VersionedForm):
    person = _picker("Person", "person", 200, True, "Type to search; a person's slug or name.")
    claim = _picker("Claim", "claim", 2000, True, "Type to search; a claim's slug or text.")
    position = SelectField("Position", choices=_choices(m.POSITIONS))
    basis = SelectField(
        "Basis",
        choices=_choices(m.BASES),
        description="explicit: the person said so; inferred: it follows from what they said.",
    )
    as_of = DateField("As of", [Optional()], description="The date of the view, if known.")
    probability = FloatField(
        "Probability",
        [Optional(), NumberRange(0, 1, "must be between 0 and 1")],
        description="Only when the person gave one, as a number from 0 to 1.",
    )
    horizon = _text("Horizon", 200, description="The time frame the probability is about.")
    note = _area("Note")
    evidence = SelectMultipleField(
        "Evidence: existing quotes",
        coerce=int,
        validate_choice=False,
        description="Hold Ctrl (⌘ on a Mac) to choose several.",
    )
    new_quote_text = _area("New quote: verbatim text", 10000)
    new_quote_locator = _text("Where in the source", 200)
    # Checked by kb.edits only when a new quote is given, so an unused part cannot fail.
    new_quote_attribution = SelectField(
        "Attribution", choices=_choices(m.ATTRIBUTIONS), validate_choice=False
    )
    new_quote_checked = SelectField(
        "How it was checked", choices=_choices(m.CHECKED_HOW), validate_choice=False
    )
    new_quote_check_note = _area("Checking note")
    new_quote_source = _picker(
        "Source of the new quote",
        "source",
        500,
        description="An existing source's slug or title; or describe a new source below.",
    )
    new_source_title = _text("New source: title", 500)
    new_source_slug = _slug()
    new_source_kind = SelectField("Kind", choices=_choices(m.SOURCE_KINDS), validate_choice=False)
    new_source_url = _url("URL")
    new_source_publisher = _text("Publisher or venue", 500)
    new_source_published = StringField(
        "Published", [Optional(), partial_date], description="2003, 2017-02 or 2017-07-17."
    )
    new_source_date_note = _text("Date as given", 500)


class DeleteForm(VersionedForm):
    """Confirms a delete; the version catches a record that changed since the page was shown."""


class RevertForm(KbForm):
    """Only the CSRF token: reverting is a POST."""


class LogoutForm(KbForm):
    pass


def _password(required: bool) -> PasswordField:
    validators: list[Any] = [InputRequired("is required")] if required else [Optional()]
    validators.append(
        Length(
            min=MIN_PASSWORD_LENGTH,
            max=1000,
            message=f"must be {MIN_PASSWORD_LENGTH} to 1000 characters",
        )
    )
    return PasswordField("Password", validators)


def username_format(_form: Any, field: Any) -> None:
    if field.data and not USERNAME_RE.match(field.data.strip()):
        raise ValidationError("use 1 to 80 letters, digits, dots, hyphens or underscores")


class NewUserForm(KbForm):
    username = StringField(
        "Username", [InputRequired("is required"), Length(max=80), username_format]
    )
    role = SelectField("Role", choices=_choices(m.ROLES))
    password = _password(required=True)


class EditUserForm(VersionedForm):
    role = SelectField("Role", choices=_choices(m.ROLES))
    active = BooleanField("Active (may log in)")
    password = _password(required=False)


FORMS: dict[str, type[VersionedForm]] = {
    "person": PersonForm,
    "source": SourceForm,
    "quote": QuoteForm,
    "topic": TopicForm,
    "claim": ClaimForm,
    "stance": StanceForm,
    "claim_relation": RelationForm,
}
