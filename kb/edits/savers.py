"""Every kind's saver by its table name, so the admin views save any record the same way."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from sqlalchemy.orm import Session

from kb.edits import affiliations, evidence, records, stances, statements

# entity -> its saver: (session, the record or None, form data, expected version) -> the record
SAVERS: dict[str, Callable[[Session, Any, Mapping[str, Any], Any], Any]] = {
    "person": records.save_person,
    "source": records.save_source,
    "quote": records.save_quote,
    "topic": records.save_topic,
    "claim": records.save_claim,
    "stance": stances.save_stance,
    "claim_relation": records.save_relation,
    "statement": statements.save_statement,
    "signature": statements.save_signature,
    "affiliation": affiliations.save_affiliation,
    "reply": evidence.save_reply,
}


def save(
    session: Session, entity: str, obj: Any, data: Mapping[str, Any], version: Any = None
) -> Any:
    """Create or update a record of `entity` (a table name). Raises Invalid or Conflict."""
    return SAVERS[entity](session, obj, data, version)
