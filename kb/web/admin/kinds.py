"""The kinds of record the admin edits (their titles, in the order the dashboard lists them,
and the URL rule that names them) and what every admin view does with them: find a record or
answer 404, read the page argument, show a value as text."""

from __future__ import annotations

from typing import Any

from flask import abort, request

from kb import models as m
from kb.edits import cleaning
from kb.store import history
from kb.web import params
from kb.web.database import get_session

PAGE_SIZE = 50
ENTITY_RULE = (
    "<any(person,source,quote,topic,claim,stance,claim_relation,statement,signature,affiliation,reply)"
    ":entity>"
)
HISTORY_ONLY_RULE = "<any(verification):entity>"
"""Kinds written only by commands and imports (`kb verify`): a history, no form."""
TITLES = {
    "person": ("Person", "People"),
    "source": ("Source", "Sources"),
    "quote": ("Quote", "Quotes"),
    "topic": ("Topic", "Topics"),
    "claim": ("Claim", "Claims"),
    "stance": ("Stance", "Stances"),
    "claim_relation": ("Claim relation", "Claim relations"),
    "statement": ("Statement", "Statements"),
    "signature": ("Signature", "Signatures"),
    "affiliation": ("Affiliation", "Affiliations"),
    "reply": ("Reply", "Replies"),
}
ENTITY_ORDER = tuple(TITLES)


def model(entity: str) -> m.EditableModel:
    return history.MODELS[entity]


def get_or_404(entity: str, record_id: int) -> Any:
    obj = get_session().get(model(entity), record_id) if record_id <= cleaning.MAX_ID else None
    if obj is None:
        abort(404, f"There is no {history.ENTITY_NAMES[entity]} #{record_id}.")
    return obj


def page_arg() -> int:
    """?page= of an admin list: a whole number from 1 to a million, else a 400."""
    return params.bounded_int(request.args, "page", 1, 1, 1_000_000)


def pages(total: int) -> int:
    """How many pages of PAGE_SIZE rows `total` rows fill (at least one, empty)."""
    return max(1, -(-total // PAGE_SIZE))


def display(value: Any) -> str:
    """A field's value as the conflict and history pages show it."""
    if value is None:
        return ""
    if isinstance(value, list | tuple):
        return ", ".join(str(v) for v in value)
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value).strip()
