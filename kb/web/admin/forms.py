"""The admin forms (Flask-WTF, so every one carries a CSRF token).

A form checks each field on its own: required, length, format, enumeration, number range, with
validators built from kb.rules, the rules the importer applies too (so whatever a form saves
exports and imports again). Checks that need the database (unique slugs, references,
duplicates) are kb.edits' job. Each edit form carries the record's `version`, so a save over a
newer version is caught.
"""

from __future__ import annotations

from typing import Any

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
from wtforms.validators import InputRequired, Length, Optional, ValidationError

from kb import models as m
from kb import rules
from kb.web.admin.fields import MultiPickerField, PickerField
from kb.web.auth import MIN_PASSWORD_LENGTH, USERNAME_RE

SLUG_HELP = "Lowercase letters, digits and hyphens. Left blank, it is made from the name."
L = rules.limit  # L("people", "name"): a stored field's length limit, by its kb/1 name
EDITORS_ONLY = "For editors: how the record was made. Never shown on the public pages."
FOR_READERS = "Shown to readers on the public pages, in plain words (no internal ids)."


def _choices(values: tuple[str, ...]) -> dict[str, str]:
    # {value: label}: the shorthand WTForms keeps (tuples are deprecated from 3.3).
    return {v: v.replace("_", " ") for v in values}


def _stored(field: Any) -> str:
    # What kb.edits will store: the value without surrounding blanks.
    return (field.data or "").strip() if isinstance(field.data, str) else ""


def _rule(check: Any) -> Any:
    """A WTForms validator from a kb.rules check (value -> message or None)."""

    def validate(_form: Any, field: Any) -> None:
        value = _stored(field)
        problem = check(value) if value else None
        if problem:
            raise ValidationError(problem)

    return validate


def text_rule(max_len: int) -> Any:
    return _rule(lambda value: rules.text_problem(value, max_len))


http_url = _rule(rules.url_problem)
slug_format = _rule(rules.slug_problem)


def _parsed(parse: Any) -> Any:
    return _rule(lambda value: _refusal(parse, value))


def _refusal(parse: Any, value: str) -> str | None:
    try:
        parse(value)
    except rules.RuleError as exc:
        return str(exc)
    return None


partial_date = _parsed(rules.parse_partial)


class _RuleField:
    """A field whose typed text is read by a kb.rules parser (ASCII digits, real dates,
    probabilities that are plain decimals), not by int(), float() or strptime, which take
    full-width digits, "1_000" or "1e-400"."""

    parse: Any

    def process_formdata(self, valuelist: list[Any]) -> None:
        if not valuelist:
            return
        raw = valuelist[0]
        if not isinstance(raw, str) or not raw.strip():
            self.data = None
            return
        try:
            self.data = type(self).parse(raw)
        except rules.RuleError as exc:
            self.data = None
            raise ValueError(str(exc)) from None


class YearField(_RuleField, IntegerField):
    parse = staticmethod(rules.parse_year)


class DayField(_RuleField, DateField):
    parse = staticmethod(rules.parse_day)


class ProbabilityField(_RuleField, FloatField):
    parse = staticmethod(rules.parse_probability)


def _text(label: str, max_len: int, required: bool = False, **kw: Any) -> StringField:
    validators = [InputRequired("is required") if required else Optional(), text_rule(max_len)]
    return StringField(label, validators, **kw)


def _area(label: str, max_len: int, required: bool = False, **kw: Any) -> TextAreaField:
    validators = [InputRequired("is required") if required else Optional(), text_rule(max_len)]
    return TextAreaField(label, validators, **kw)


def _picker(
    label: str, kind: str, max_len: int, required: bool = False, description: str = ""
) -> PickerField:
    """A record named by slug or name (kb.web.admin.fields): a text input, never a list of them all."""
    validators = [InputRequired("is required") if required else Optional(), Length(max=max_len)]
    return PickerField(label, validators, kind=kind, description=description)


def _url(label: str, **kw: Any) -> StringField:
    return StringField(label, [Optional(), text_rule(rules.URL_MAX), http_url], **kw)


def _slug(**kw: Any) -> StringField:
    return StringField("Slug", [Optional(), slug_format], description=SLUG_HELP, **kw)


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
    name = _text("Name", L("people", "name"), required=True)
    slug = _slug()
    description = _area("Description", L("people", "description"))
    affiliation = _text("Affiliation or role", L("people", "affiliation"))
    birth_year = YearField("Birth year", [Optional()])
    death_year = YearField("Death year", [Optional()])
    url = _url("Web page", description="The person's own page or a reliable profile.")


class SourceForm(VersionedForm):
    title = _text("Title", L("sources", "title"), required=True)
    slug = _slug()
    kind = SelectField("Kind", choices=_choices(m.SOURCE_KINDS))
    url = _url("URL")
    publisher = _text("Publisher or venue", L("sources", "publisher"))
    published = StringField(
        "Published",
        [Optional(), partial_date],
        description="As precise as the evidence allows: 2003, 2017-02 or 2017-07-17.",
    )
    date_note = _text(
        "Date as given",
        L("sources", "date_note"),
        description="When the source says more than a date can, e.g. “c. 2017-07-16”.",
    )
    archived_url = _url("Archived copy")
    authors = StringField(
        "Authors",
        [Optional(), Length(max=5000)],
        description="People, by slug or exact name, separated by commas.",
    )
    note = _area("Editors' note", L("sources", "note"), description=EDITORS_ONLY)
    reader_note = _area("Note for readers", L("sources", "reader_note"), description=FOR_READERS)


SAID_HINT = (
    "When the words were said or first published, if known: 2003, 2017-02 or 2017-07-17 "
    "(it may differ from the source's date)."
)


class QuoteForm(VersionedForm):
    text = _area("Verbatim text", L("quotes", "text"), required=True)
    speaker = _picker("Speaker", "person", 200, True, "Type to search; a person's slug or name.")
    source = _picker("Source", "source", 500, True, "Type to search; a source's slug or title.")
    said = StringField("Said on", [Optional(), partial_date], description=SAID_HINT)
    locator = _text(
        "Where in the source", L("quotes", "locator"), description="Page, timestamp or paragraph."
    )
    anchor_exact = _area(
        "Anchor: the exact words in the source",
        L("quotes", "anchor_exact"),
        description="Optional, a W3C text quote selector as Hypothesis uses: the words as the "
        "page has them (they may differ from the quote's, e.g. where it leaves words out). "
        "kb verify looks for these.",
    )
    anchor_prefix = _text(
        "Anchor: text just before",
        L("quotes", "anchor_prefix"),
        description="A few words before them on the page, to tell repeated words apart.",
    )
    anchor_suffix = _text(
        "Anchor: text just after", L("quotes", "anchor_suffix"), description="A few words after."
    )
    speaker_affiliation = _text(
        "Speaker's affiliation at the time", L("quotes", "speaker_affiliation")
    )
    attribution = SelectField("Attribution", choices=_choices(m.ATTRIBUTIONS))
    checked = SelectField(
        "How it was checked",
        choices=_choices(m.CHECKED_HOW),
        description="primary: seen in the original; reprint: a faithful copy; widely reported: "
        "the same words in several reports; secondary: only as quoted by one report.",
    )
    check_note = _area("Checking note", L("quotes", "check_note"))
    note = _area("Note", L("quotes", "note"))


class TopicForm(VersionedForm):
    name = _text("Name", L("topics", "name"), required=True)
    slug = _slug()
    description = _area("Description", L("topics", "description"))


class ClaimForm(VersionedForm):
    text = _area(
        "Claim", L("claims", "text"), required=True, description="One proposition, stated plainly."
    )
    slug = _slug()
    summary = _area("Summary", L("claims", "summary"))
    topics = MultiPickerField(
        "Topics", kind="topic", description="Type to search; topics' slugs or names, by commas."
    )


class RelationForm(VersionedForm):
    from_claim = _picker("From claim", "claim", 2000, True, "Type to search; a claim's slug.")
    kind = SelectField("Relation", choices=_choices(m.RELATION_KINDS))
    to_claim = _picker("To claim", "claim", 2000, True, "Type to search; a claim's slug.")
    note = _area("Editors' note", L("claim_relations", "note"), description=EDITORS_ONLY)
    reader_note = _area(
        "Note for readers", L("claim_relations", "reader_note"), description=FOR_READERS
    )


class AffiliationForm(VersionedForm):
    person = _picker("Person", "person", 200, True, "Type to search; a person's slug or name.")
    organisation = _text("Organisation", L("affiliations", "organisation"), required=True)
    role = _text("Role", L("affiliations", "role"), description="e.g. Professor; may be blank.")
    started = StringField(
        "From", [Optional(), partial_date], description="If known: 1993, 1993-09 or 1993-09-01."
    )
    ended = StringField(
        "To",
        [Optional(), partial_date],
        description="If it has ended and the date is known; blank while it lasts.",
    )
    note = _area("Note", L("affiliations", "note"), description="Where the dates come from.")


class StanceForm(VersionedForm):
    person = _picker("Person", "person", 200, True, "Type to search; a person's slug or name.")
    claim = _picker("Claim", "claim", 2000, True, "Type to search; a claim's slug or text.")
    position = SelectField("Position", choices=_choices(m.POSITIONS))
    basis = SelectField(
        "Basis",
        choices=_choices(m.BASES),
        description="explicit: the person said so; inferred: it follows from what they said.",
    )
    as_of = DayField(
        "As of",
        [Optional()],
        description="The date of the view, if known. A new stance on chosen quotes proposes "
        "the newest quote's date (a month or a year counts as its last day).",
    )
    probability = ProbabilityField(
        "Probability",
        [Optional()],
        description="Only when the person gave one, as a number from 0 to 1.",
    )
    probability_high = ProbabilityField(
        "Up to",
        [Optional()],
        description="For a range (10 to 20%: 0.1 above, 0.2 here); leave empty for one number.",
    )
    horizon = _text(
        "Horizon", L("stances", "horizon"), description="The time frame the probability is about."
    )
    estimate_of = _text(
        "Probability of",
        L("stances", "estimate_of"),
        description="What the number is the probability of (or, with none, what is predicted).",
    )
    forecast_url = _url(
        "Forecast question",
        description="A public forecast on the same event (a Metaculus or Manifold page), if any.",
    )
    survey_url = _url(
        "Survey", description="The survey the estimate was given in (its results page), if any."
    )
    estimate_quote = _text(
        "Quote giving the estimate",
        20,
        description="The number of one of the evidence quotes below (as in #12).",
    )
    note = _area("Editors' note", L("stances", "note"), description=EDITORS_ONLY)
    reader_note = _area("Note for readers", L("stances", "reader_note"), description=FOR_READERS)
    evidence = SelectMultipleField(
        "Evidence: existing quotes",
        coerce=int,
        validate_choice=False,
        description="Hold Ctrl (⌘ on a Mac) to choose several.",
    )
    new_quote_text = _area("New quote: verbatim text", L("quotes", "text"))
    new_quote_locator = _text("Where in the source", L("quotes", "locator"))
    new_quote_said = StringField("Said on", [Optional(), partial_date], description=SAID_HINT)
    # Checked by kb.edits only when a new quote is given, so an unused part cannot fail.
    new_quote_attribution = SelectField(
        "Attribution", choices=_choices(m.ATTRIBUTIONS), validate_choice=False
    )
    new_quote_checked = SelectField(
        "How it was checked", choices=_choices(m.CHECKED_HOW), validate_choice=False
    )
    new_quote_check_note = _area("Checking note", L("quotes", "check_note"))
    new_quote_source = _picker(
        "Source of the new quote",
        "source",
        500,
        description="An existing source's slug or title; or describe a new source below.",
    )
    new_source_title = _text("New source: title", L("sources", "title"))
    new_source_slug = _slug()
    new_source_kind = SelectField("Kind", choices=_choices(m.SOURCE_KINDS), validate_choice=False)
    new_source_url = _url("URL")
    new_source_publisher = _text("Publisher or venue", L("sources", "publisher"))
    new_source_published = StringField(
        "Published", [Optional(), partial_date], description="2003, 2017-02 or 2017-07-17."
    )
    new_source_date_note = _text("Date as given", L("sources", "date_note"))


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


class StatementForm(VersionedForm):
    title = _text("Title", L("statements", "title"), required=True)
    slug = _slug()
    issued_by = _text("By", L("statements", "by"), description="Who issued it.")
    issued = StringField(
        "Published",
        [Optional(), partial_date],
        description="As precise as the evidence allows: 2023, 2023-05 or 2023-05-30.",
    )
    url = _url("URL")
    text = _area("Key text", L("statements", "text"), description="Word for word, where seen.")
    claim = _picker(
        "Claim", "claim", 2000, False, "The claim signing it bears on; a claim's slug or text."
    )
    position = SelectField(
        "Signing it", choices={"": "(no claim)", **_choices(m.POSITIONS)}, description=""
    )
    note = _area("Note", L("statements", "note"))


class SignatureForm(VersionedForm):
    person = _picker("Person", "person", 200, True, "Type to search; a person's slug or name.")
    statement = _text(
        "Statement", 500, required=True, description="The statement's slug or exact title."
    )
    seen_in = StringField(
        "Seen in",
        [InputRequired("is required"), text_rule(rules.URL_MAX), http_url],
        description="The page where the signature was seen.",
    )
    note = _area("Note", L("signatures", "note"))


class ReplyForm(VersionedForm):
    quote = _text(
        "Quote", 20, required=True, description="The quote's number, as in its page's address."
    )
    response = SelectField("Reply", choices=_choices(m.REPLY_RESPONSES))
    replied_by = SelectField(
        "Replied by",
        choices={"person": "the speaker", "representative": "a representative"},
    )
    representative = _text(
        "Representative", L("replies", "representative"), description="Who replied for them."
    )
    source = _picker("Evidence", "source", 500, True, "The source of the reply: slug or title.")
    replied = StringField(
        "Date", [Optional(), partial_date], description="Blank: the source's date."
    )
    note = _area("Editors' note", L("replies", "note"), description=EDITORS_ONLY)


FORMS: dict[str, type[VersionedForm]] = {
    "person": PersonForm,
    "source": SourceForm,
    "quote": QuoteForm,
    "topic": TopicForm,
    "claim": ClaimForm,
    "stance": StanceForm,
    "claim_relation": RelationForm,
    "statement": StatementForm,
    "signature": SignatureForm,
    "affiliation": AffiliationForm,
    "reply": ReplyForm,
}
