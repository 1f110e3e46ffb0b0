"""Deleting a record from the admin: what refuses it (records that depend on it), what goes
with it (a source's quotes, a claim's stances and relations) and what only loses a link; then
the delete itself, each record with its own revision."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Select, or_, select
from sqlalchemy.orm import Session, selectinload

from kb import models as m
from kb.edits.outcomes import Blocked, Dependent
from kb.edits.writing import check_version, flush
from kb.store.history import label_of


@dataclass
class DeletePlan:
    """What deleting a record means: what refuses it, what goes with it, what loses a link."""

    obj: Any
    blockers: list[Dependent] = field(default_factory=list)
    deleted: list[Dependent] = field(default_factory=list)
    unlinked: list[Dependent] = field(default_factory=list)
    _with: list[Any] = field(default_factory=list)

    @property
    def allowed(self) -> bool:
        return not self.blockers


def _deps(objs: Iterable[Any], how: str) -> list[Dependent]:
    return [Dependent(o.__tablename__, o.id, label_of(o), how) for o in objs]


def _stances(session: Session, *where: Any) -> list[m.Stance]:
    return list(
        session.scalars(
            select(m.Stance)
            .where(*where)
            .options(selectinload(m.Stance.person), selectinload(m.Stance.claim))
            .order_by(m.Stance.id)
        )
    )


def _quotes(session: Session, *where: Any) -> list[m.Quote]:
    return list(
        session.scalars(
            select(m.Quote)
            .where(*where)
            .options(selectinload(m.Quote.speaker))
            .order_by(m.Quote.id)
        )
    )


def _relations(session: Session, claim_id: int) -> list[m.ClaimRelation]:
    """The relations from or to a claim."""
    return list(
        session.scalars(
            select(m.ClaimRelation)
            .where(
                or_(
                    m.ClaimRelation.from_claim_id == claim_id,
                    m.ClaimRelation.to_claim_id == claim_id,
                )
            )
            .options(
                selectinload(m.ClaimRelation.from_claim),
                selectinload(m.ClaimRelation.to_claim),
            )
            .order_by(m.ClaimRelation.id)
        )
    )


def _citing(quote_ids: Select) -> Any:
    return m.Stance.id.in_(
        select(m.stance_evidence.c.stance_id).where(m.stance_evidence.c.quote_id.in_(quote_ids))
    )


def delete_plan(session: Session, obj: Any) -> DeletePlan:
    """Everything that depends on `obj`, sorted by what deleting it would do to them."""
    plan = DeletePlan(obj)
    if isinstance(obj, m.Person):
        plan.blockers += _deps(_quotes(session, m.Quote.speaker_id == obj.id), "blocks")
        plan.blockers += _deps(_stances(session, m.Stance.person_id == obj.id), "blocks")
        plan.unlinked += _deps(obj.authored, "unlinked")
        plan.blockers += _deps(_signatures(session, m.Signature.person_id == obj.id), "blocks")
        plan.deleted += _deps(obj.affiliations, "deleted")  # a person's own dated roles
        plan._with += list(obj.affiliations)
    elif isinstance(obj, m.Source):
        own = select(m.Quote.id).where(m.Quote.source_id == obj.id)
        plan.blockers += _deps(_stances(session, _citing(own)), "blocks")
        replies = select(m.Reply).where(or_(m.Reply.source_id == obj.id, m.Reply.quote_id.in_(own)))
        plan.blockers += _deps(list(session.scalars(replies)), "blocks")
        quotes = _quotes(session, m.Quote.source_id == obj.id)
        plan.deleted += _deps(quotes, "deleted")
        plan._with += quotes
    elif isinstance(obj, m.Quote):
        plan.blockers += _deps(
            _stances(session, _citing(select(m.Quote.id).where(m.Quote.id == obj.id))), "blocks"
        )
        plan.blockers += _deps(obj.replies, "blocks")  # the speaker's replies to it
    elif isinstance(obj, m.Topic):
        plan.unlinked += _deps(obj.claims, "unlinked")
    elif isinstance(obj, m.Claim):
        stances = _stances(session, m.Stance.claim_id == obj.id)
        relations = _relations(session, obj.id)
        plan.deleted += _deps(stances, "deleted") + _deps(relations, "deleted")
        plan._with += stances + relations
        plan.blockers += _deps(_claim_statements(session, obj.id), "blocks")
    elif isinstance(obj, m.Statement | m.Signature):
        _plan_signing(session, plan, obj)
    return plan


# -- statements and signatures ---------------------------------------------------------------


def _signatures(session: Session, *where: Any) -> list[m.Signature]:
    return list(
        session.scalars(
            select(m.Signature)
            .where(*where)
            .options(selectinload(m.Signature.person), selectinload(m.Signature.statement))
            .order_by(m.Signature.id)
        )
    )


def _claim_statements(session: Session, claim_id: int) -> list[m.Statement]:
    """The statements on a claim: deleting the claim is refused while they name it."""
    return list(session.scalars(select(m.Statement).where(m.Statement.claim_id == claim_id)))


def _plan_signing(session: Session, plan: DeletePlan, obj: m.Statement | m.Signature) -> None:
    """A statement goes with its signatures; neither goes while a stance rests on a signature
    alone (a stance without quotes needs its person's signature on the claim)."""
    if isinstance(obj, m.Statement):
        sigs = _signatures(session, m.Signature.statement_id == obj.id)
        plan.deleted += _deps(sigs, "deleted")
        plan._with += sigs
        claim_id = obj.claim_id
    else:
        sigs = [obj]
        claim_id = obj.statement.claim_id
    if claim_id is None or not sigs:
        return
    quoted = select(m.stance_evidence.c.stance_id)
    resting = _stances(
        session,
        m.Stance.claim_id == claim_id,
        m.Stance.person_id.in_([s.person_id for s in sigs]),
        m.Stance.id.not_in(quoted),
    )
    plan.blockers += _deps(resting, "blocks")


def dependents(session: Session, obj: Any) -> list[tuple[str, int, str]]:
    """Records that would be deleted, blocked or unlinked by deleting `obj` (for revert)."""
    plan = delete_plan(session, obj)
    return [(d.entity, d.id, d.label) for d in plan.blockers + plan.deleted + plan.unlinked]


def delete(session: Session, obj: Any, version: Any) -> DeletePlan:
    """Delete `obj` and what goes with it (each with its own revision). Raises Conflict when the
    record changed since the confirmation page, Blocked when others depend on it."""
    check_version(obj, version)
    plan = delete_plan(session, obj)
    if plan.blockers:
        raise Blocked(plan.blockers)
    for dependent in plan._with:
        session.delete(dependent)
    session.delete(obj)
    flush(session, obj, obj.__tablename__)
    return plan
