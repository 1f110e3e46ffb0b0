"""Turning refusals into messages a person can act on.

The database is the last line of defence (see kb.models); when it refuses a row, the driver's
message names a constraint, not a reason. `explain_integrity_error` maps constraint names (stable,
thanks to the naming convention) to sentences, on SQLite and PostgreSQL alike.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy.exc import IntegrityError

from kb import rules


@dataclass(frozen=True)
class Problem:
    """One thing wrong with one record: where (record, line, field) and why."""

    record: str
    field: str | None
    message: str
    line: int | None = None
    file: str | None = None

    def __str__(self) -> str:
        where = []
        if self.file:
            where.append(self.file)
        if self.line is not None:
            where.append(f"line {self.line}")
        where.append(self.record)
        if self.field:
            where.append(f"field {self.field!r}")
        return f"{', '.join(where)}: {self.message}"


class DataError(Exception):
    """Raised with every problem found; nothing has been written when it is raised."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


_MESSAGES = {
    "uq_person_slug": ("slug", "another person already has this slug"),
    "uq_source_slug": ("slug", "another source already has this slug"),
    "uq_claim_slug": ("slug", "another claim already has this slug"),
    "uq_topic_slug": ("slug", "another topic already has this slug"),
    "uq_user_account_username": ("username", "this username is taken"),
    "uq_stance_person_id_claim_id_as_of": (
        "as_of",
        "this person already has a stance on this claim with the same as-of date",
    ),
    "uq_stance_person_id_claim_id_undated": (
        "as_of",
        "this person already has an undated stance on this claim",
    ),
    "uq_claim_relation_from_claim_id_to_claim_id_kind": (
        "to",
        "this relation between these two claims already exists",
    ),
    "ck_stance_position_valid": ("position", "must be one of supports, opposes, mixed"),
    "ck_stance_basis_valid": ("basis", "must be explicit or inferred"),
    "ck_stance_probability_range": ("probability", rules.PROBABILITY_MESSAGE),
    "ck_stance_probability_high_range": ("probability_high", rules.HIGH_BELOW_LOW),
    "ck_source_kind_valid": ("kind", "is not a known kind of source"),
    "ck_source_date_precision_valid": ("date_precision", "must be year, month or day"),
    "ck_source_date_has_precision": ("published", "a date needs its precision"),
    "ck_quote_said_precision_valid": ("said_precision", "must be year, month or day"),
    "ck_quote_said_has_precision": ("said", "a date needs its precision"),
    "ck_quote_attribution_valid": ("attribution", "must be verbatim, paraphrase or translation"),
    "ck_quote_checked_valid": ("checked", "must be primary, reprint, widely_reported or secondary"),
    "ck_claim_relation_kind_valid": ("kind", "must be supports or contradicts"),
    "ck_claim_relation_not_self": ("to", "a claim cannot relate to itself"),
    "ck_person_death_after_birth": ("death_year", rules.DEATH_BEFORE_BIRTH),
    "ck_user_account_role_valid": ("role", "must be admin or editor"),
}

# SQLite names the columns of a failed UNIQUE, not the constraint.
_SQLITE_UNIQUE_COLUMNS = {
    "person.slug": "uq_person_slug",
    "source.slug": "uq_source_slug",
    "claim.slug": "uq_claim_slug",
    "topic.slug": "uq_topic_slug",
    "user_account.username": "uq_user_account_username",
    "stance.person_id, stance.claim_id, stance.as_of": "uq_stance_person_id_claim_id_as_of",
    "stance.person_id, stance.claim_id": "uq_stance_person_id_claim_id_undated",
    "claim_relation.from_claim_id, claim_relation.to_claim_id, claim_relation.kind": (
        "uq_claim_relation_from_claim_id_to_claim_id_kind"
    ),
}


def constraint_name(exc: IntegrityError) -> str | None:
    """The name of the constraint the database refused a row for, if it can be told."""
    diag = getattr(exc.orig, "diag", None)  # psycopg
    if diag is not None and getattr(diag, "constraint_name", None):
        return diag.constraint_name
    text = str(exc.orig)
    m = re.search(r"UNIQUE constraint failed: (.+)$", text, re.M)
    if m:
        return _SQLITE_UNIQUE_COLUMNS.get(m.group(1).strip())
    m = re.search(r"CHECK constraint failed: (\w+)", text)
    if m:
        return m.group(1)
    if "FOREIGN KEY constraint failed" in text or "foreign key constraint" in text:
        return "foreign_key"
    if "NOT NULL constraint failed" in text or "null value in column" in text:
        return "not_null"
    return None


def explain_integrity_error(exc: IntegrityError, record: str = "record") -> Problem:
    """A Problem naming the field and the rule a refused row broke."""
    name = constraint_name(exc)
    if name in _MESSAGES:
        field, message = _MESSAGES[name]
        return Problem(record, field, message)
    if name == "foreign_key" or (name or "").startswith("fk_"):
        return Problem(record, None, "refers to a record that does not exist (or is still in use)")
    if name == "not_null":
        m = re.search(r"NOT NULL constraint failed: \w+\.(\w+)|column \"(\w+)\"", str(exc.orig))
        column = next((g for g in (m.groups() if m else ()) if g), None)
        return Problem(record, column, "is required")
    return Problem(record, None, f"the database refused it ({name or 'unknown rule'})")
