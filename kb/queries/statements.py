"""Reads of joint statements and open letters: the list, one statement with its signatories,
and the signatures shown as evidence beside a person's or a claim's stances.

A signature is evidence of its signer's stance on the statement's claim (the stance may rest on
it alone, kb.rules.evidence_problem); `signed_on` is what the stance form asks of it.
"""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from kb.models import Signature, Statement


def signed_on(session: Session, person_id: int, claim_id: int) -> int:
    """How many statements on the claim the person signed (a stance may rest on them)."""
    stmt = (
        select(func.count())
        .select_from(Signature)
        .join(Statement, Statement.id == Signature.statement_id)
        .where(Signature.person_id == person_id, Statement.claim_id == claim_id)
    )
    return session.scalar(stmt) or 0
