"""The reads of issue 18: what a report is about, a quote's own page (its replies and the
public outcome of readers' reports), the editors' queue of reports and the evidence
dashboard's counts and lists. Functions take a session and never commit."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select, and_, exists, func, or_, select
from sqlalchemy.orm import Session, aliased, selectinload

from kb import models as m
from kb.queries.shapes import CHECKED, claim_ref, person_ref, position_data, quote_data
from kb.queries.verifications import trail_data
from kb.store.history import label_of

REPORT_KIND_WORDS = {
    "misattributed": "misattributed",
    "not_verbatim": "not verbatim",
    "wrong_date": "wrong date",
    "out_of_context": "out of context",
    "broken_link": "broken link",
    "other": "other",
}


def report_subject(session: Session, record: Any) -> dict[str, Any]:
    """What a report form or queue row says of the record reported: its kind, id, a label
    and what its reader's page is built from (web's job)."""
    data: dict[str, Any] = {"target": record.__tablename__, "id": record.id}
    data["label"] = label_of(record)
    if isinstance(record, m.Quote):
        data["quote_id"] = record.id
    elif isinstance(record, m.Source):
        data["source_slug"] = record.slug
    elif isinstance(record, m.Stance):
        data["claim_slug"], data["person_slug"] = record.claim.slug, record.person.slug
    return data


def _public_report(r: m.Report) -> dict[str, Any]:
    """A triaged report as readers see it: no explanation (a reader's words, unedited), no
    e-mail; the kind, the decision, its note and the revision that fixed the record."""
    return {
        "id": r.id,
        "kind": r.kind,
        "kind_label": REPORT_KIND_WORDS[r.kind],
        "status": r.status,
        "resolved": r.fixed_by_id is not None,
        "resolution": r.resolution,
        "fixed_by": r.fixed_by_id,
        "fixed_on": r.fixed_by.created_at.date().isoformat() if r.fixed_by else None,
        "reported_on": r.created_at.date().isoformat(),
    }


QUOTE_PAGE_LOADS = (
    selectinload(m.Quote.speaker).selectinload(m.Person.affiliations),
    selectinload(m.Quote.source),
    selectinload(m.Quote.disputes),
    selectinload(m.Quote.replies).selectinload(m.Reply.source),
    selectinload(m.Quote.verifications),
    selectinload(m.Quote.stances).selectinload(m.Stance.claim),
    selectinload(m.Quote.stances).selectinload(m.Stance.person),
)
"""Everything the quote's page shows, read in one pass of queries."""


def quote_page(session: Session, quote_id: int) -> dict[str, Any] | None:
    """A quote with its source, the stances it is evidence for, its speaker's replies, its
    verification trail and its reports (open ones only counted, triaged ones with their public
    resolution); None when there is no such quote."""
    quote = session.scalar(select(m.Quote).where(m.Quote.id == quote_id).options(*QUOTE_PAGE_LOADS))
    if quote is None:
        return None
    reports = list(
        session.scalars(
            select(m.Report)
            .where(m.Report.target == "quote", m.Report.target_id == quote.id)
            .options(selectinload(m.Report.fixed_by))
            .order_by(m.Report.id)
        )
    )
    stances = sorted(quote.stances, key=lambda st: (st.claim.text, st.id))
    return {
        "quote": quote_data(quote),
        "trail": trail_data(quote),
        "evidence_for": [
            {
                "claim": claim_ref(st.claim),
                "person": person_ref(st.person),
                **position_data(st.position),
            }
            for st in stances
        ],
        "reports": [_public_report(r) for r in reports if r.status != "open"],
        "open_reports": sum(1 for r in reports if r.status == "open"),
    }


# -- the editors' queue ------------------------------------------------------------------------


def reports_page(
    session: Session, status: str | None, limit: int, offset: int
) -> tuple[int, list[m.Report]]:
    """Reports with a status (None: all), newest first, and how many there are."""
    where = [m.Report.status == status] if status else []
    total = session.scalar(select(func.count(m.Report.id)).where(*where)) or 0
    rows = session.scalars(
        select(m.Report).where(*where).order_by(m.Report.id.desc()).limit(limit).offset(offset)
    )
    return total, list(rows)


def status_counts(session: Session) -> dict[str, int]:
    counts = dict.fromkeys(m.REPORT_STATUSES, 0)
    for status, n in session.execute(
        select(m.Report.status, func.count(m.Report.id)).group_by(m.Report.status)
    ):
        counts[status] = n
    return counts


# -- the evidence dashboard --------------------------------------------------------------------


def never_verified() -> Any:
    """The condition of a quote with nothing in its verification trail: no one, and no
    `kb verify` run, has recorded looking for its words anywhere."""
    return ~exists().where(m.Verification.quote_id == m.Quote.id)


def not_found_at_last_check() -> Any:
    """The condition of a quote whose words were not found at its source's URL the last time
    someone looked there (the latest check of that URL by date, then by order of entry; an
    undated check counts as older than any dated one)."""
    v, later = aliased(m.Verification), aliased(m.Verification)
    source_url = (
        select(m.Source.url).where(m.Source.id == m.Quote.source_id).correlate(m.Quote)
    ).scalar_subquery()
    newer = or_(
        later.checked_on > v.checked_on,
        and_(v.checked_on.is_(None), later.checked_on.is_not(None)),
        and_(
            or_(
                later.checked_on == v.checked_on,
                and_(v.checked_on.is_(None), later.checked_on.is_(None)),
            ),
            later.id > v.id,
        ),
    )
    return exists().where(
        v.quote_id == m.Quote.id,
        v.seen_in == source_url,
        v.result == "not_found",
        ~exists().where(later.quote_id == v.quote_id, later.seen_in == v.seen_in, newer),
    )


def without_archive() -> Any:
    """The condition of a source with a web address and no archived copy."""
    return and_(
        m.Source.url.is_not(None),
        or_(m.Source.archived_url.is_(None), m.Source.archived_url == ""),
    )


def disputed() -> Any:
    """The condition of a quote with an accepted report that no revision has fixed yet."""
    return exists().where(
        m.Report.target == "quote",
        m.Report.target_id == m.Quote.id,
        m.Report.status == "accepted",
        m.Report.fixed_by_id.is_(None),
    )


QUOTE_LISTS = {
    "never_verified": ("Quotes never verified", never_verified),
    "not_found": ("Quotes not found at their source at the last check", not_found_at_last_check),
    "disputed": ("Disputed quotes", disputed),
}


def dashboard(session: Session) -> dict[str, Any]:
    """The counts of the evidence dashboard, each with what its list is filtered by."""
    # (a dict comprehension: SQLAlchemy 2.1's Result has keys(), so dict() takes it for a mapping)
    grouped = select(m.Quote.checked, func.count(m.Quote.id)).group_by(m.Quote.checked)
    by_label = {checked: n for checked, n in session.execute(grouped)}
    count = lambda model, cond: session.scalar(select(func.count(model.id)).where(cond)) or 0  # noqa: E731
    return {
        "checked": [
            {"checked": key, "label": label, "count": by_label.get(key, 0)}
            for key, (label, _explanation) in CHECKED.items()
        ],
        "quotes": session.scalar(select(func.count(m.Quote.id))) or 0,
        "never_verified": count(m.Quote, never_verified()),
        "not_found": count(m.Quote, not_found_at_last_check()),
        "disputed": count(m.Quote, disputed()),
        "without_archive": count(m.Source, without_archive()),
        "reports": status_counts(session),
    }


def quote_list(kind: str | None, checked: str | None) -> Select:
    """Quotes for a dashboard list: by checked label, or never verified, or disputed."""
    query = select(m.Quote).options(selectinload(m.Quote.speaker), selectinload(m.Quote.source))
    if checked:
        query = query.where(m.Quote.checked == checked)
    if kind in QUOTE_LISTS:
        query = query.where(QUOTE_LISTS[kind][1]())
    return query.order_by(m.Quote.id)


def sources_without_archive() -> Select:
    return select(m.Source).where(without_archive()).order_by(m.Source.sort_key, m.Source.id)


def page_of(session: Session, query: Select, limit: int, offset: int) -> tuple[int, list[Any]]:
    """How many records a list has, and one page of them."""
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    return total, list(session.scalars(query.limit(limit).offset(offset)))
