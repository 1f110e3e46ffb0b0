"""Records as plain data: the shapes every public page and its JSON twin publish.

The refs (a record's slug and name or text), the readers' labels for a quote's checks and a
source's kind, and the one stance serialiser, stance_data, with its two published shapes: the
person and claim pages and /compare/<a>/<b>.json all shape a stance here, so the fields they
share are written once. load_stances reads stances with what the serialiser needs loaded.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from kb.dates import format_partial, humanize_partial
from kb.models import POSITIONS, Claim, Person, Quote, Reply, Source, Stance, Topic
from kb.queries.affiliations import at_time
from kb.queries.estimates import estimate_data
from kb.vocabulary import position_data

CHECKED = {
    "primary": ("Primary", "seen in the original"),
    "reprint": ("Reprint", "seen in a faithful copy of the original"),
    "widely_reported": ("Widely reported", "the same words in several independent reports"),
    "secondary": ("Secondary", "seen only as quoted by one report"),
}
ATTRIBUTIONS = {
    "verbatim": "Verbatim",
    "paraphrase": "Paraphrase",
    "translation": "Translation",
}
BASES = {
    "explicit": "the quotes state it",
    "inferred": "an editor's reading of the quotes",
}
KIND_LABELS = {
    "article": "Article",
    "blog_post": "Blog post",
    "interview": "Interview",
    "talk": "Talk",
    "book": "Book",
    "paper": "Paper",
    "social_post": "Social media post",
    "other": "Other",
}


def person_ref(p: Person) -> dict[str, Any]:
    return {"slug": p.slug, "name": p.name}


def person_data(p: Person) -> dict[str, Any]:
    return {
        "slug": p.slug,
        "name": p.name,
        "description": p.description,
        "affiliation": p.affiliation,
        "birth_year": p.birth_year,
        "death_year": p.death_year,
        "url": p.url,
    }


def claim_ref(c: Claim) -> dict[str, Any]:
    return {"slug": c.slug, "text": c.text, "summary": c.summary}


def topic_ref(t: Topic) -> dict[str, Any]:
    return {"slug": t.slug, "name": t.name}


StanceShape = Literal["page", "compare"]
"""The two published shapes of a stance, both parts of a documented JSON contract: "page" (the
person and claim pages and their .json twins: every field, with the readers' labels) and
"compare" (/compare/<a>/<b>.json since it first appeared: position, basis, as_of, note and
each quote's text, attribution, checked, said_on (ISO date) and said_precision, and source
slug, title, url, published_on (ISO date) and date_precision). One serialiser writes both, so
the fields they share are shaped once."""


def source_ref(s: Source, shape: StanceShape = "page") -> dict[str, Any]:
    data: dict[str, Any] = {"slug": s.slug, "title": s.title, "url": s.url}
    if shape == "compare":
        published = s.published_on.isoformat() if s.published_on else None
        return {**data, "published_on": published, "date_precision": s.date_precision}
    return {
        **data,
        "kind": s.kind,
        "kind_label": KIND_LABELS[s.kind],
        "archived_url": s.archived_url,
        "publisher": s.publisher,
        "published": format_partial(s.published_on, s.date_precision),
        "published_human": humanize_partial(s.published_on, s.date_precision),
        "date_note": s.date_note,
    }


def quote_data(
    q: Quote, speaker: bool = True, source: bool = True, shape: StanceShape = "page"
) -> dict[str, Any]:
    data: dict[str, Any] = {"text": q.text, "attribution": q.attribution, "checked": q.checked}
    if shape == "compare":
        said = q.said_on.isoformat() if q.said_on else None
        data |= {"said_on": said, "said_precision": q.said_precision}
    if shape == "page":
        label, explanation = CHECKED[q.checked]
        data |= {
            "id": q.id,
            "attribution_label": ATTRIBUTIONS[q.attribution],
            "checked_label": label,
            "checked_explanation": explanation,
            "check_note": q.check_note,
            "said": format_partial(q.said_on, q.said_precision),
            "said_human": humanize_partial(q.said_on, q.said_precision),
            "locator": q.locator,
            "speaker_affiliation": q.speaker_affiliation,
            # from the speaker's dated affiliations; the free text above wins where it is set
            "affiliation_at_time": at_time(q),
            "note": q.note,
            "disputed": bool(q.disputes),
            "replies": [reply_data(r) for r in q.replies],
        }
    if speaker:
        data["speaker"] = person_ref(q.speaker)
    if source:
        data["source"] = source_ref(q.source, shape)
    return data


REPLY_WORDS = {"endorsed": "Endorsed the attribution", "disputed": "Disputed the attribution"}


def reply_data(r: Reply) -> dict[str, Any]:
    """A speaker's reply to a quote's attribution, as the quote shows it."""
    return {
        "response": r.response,
        "response_label": REPLY_WORDS[r.response],
        "replied_by": r.replied_by,
        "representative": r.representative,
        # undated, the reply is as old as its source
        "replied": format_partial(
            r.replied_on or r.source.published_on, r.replied_precision or r.source.date_precision
        ),
        "replied_human": humanize_partial(
            r.replied_on or r.source.published_on, r.replied_precision or r.source.date_precision
        ),
        "source": source_ref(r.source),
    }


def stance_data(
    st: Stance,
    latest: bool = True,
    person: bool = True,
    claim: bool = True,
    shape: StanceShape = "page",
) -> dict[str, Any]:
    """A stance as plain data, in one of the two published shapes (see StanceShape); the
    "compare" shape has no person, claim or latest flag (its caller names the pair)."""
    data: dict[str, Any] = {
        "position": st.position,
        "basis": st.basis,
        "as_of": st.as_of.isoformat() if st.as_of else None,
        "note": st.note,
        "reader_note": st.reader_note,
        "evidence": [quote_data(q, speaker=False, shape=shape) for q in st.evidence],
    }
    if shape == "compare":
        return data
    data |= {
        "id": st.id,
        **position_data(st.position),
        "basis_explanation": BASES[st.basis],
        "probability": st.probability,
        "horizon": st.horizon,
        "estimate": estimate_data(st),
        "as_of_human": as_of_human(st.as_of),
        "latest": latest,
    }
    if person:
        data["person"] = person_ref(st.person)
    if claim:
        data["claim"] = claim_ref(st.claim)
    return data


def as_of_human(as_of: dt.date | None) -> str:
    """A stance's date as readers see it ("undated" when it has none)."""
    return humanize_partial(as_of, "day") if as_of else "undated"


def by_position(items: list[dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    """Serialised stances grouped under each position, every position present (maybe empty)."""
    grouped: dict[str, list[dict[str, Any]]] = {p: [] for p in POSITIONS}
    for item in items:
        grouped[item["position"]].append(item)
    return grouped


EVIDENCE = selectinload(Stance.evidence).selectinload(Quote.source)
"""What stance_data reads beyond the stance: its quotes and their sources."""
QUOTE_STANDING = (
    selectinload(Stance.evidence).selectinload(Quote.disputes),
    selectinload(Stance.evidence).selectinload(Quote.replies).selectinload(Reply.source),
)
"""And whether each quote is disputed, and its speaker's replies (issue 18)."""
SPEAKER_AFFILIATIONS = (
    selectinload(Stance.evidence).selectinload(Quote.speaker).selectinload(Person.affiliations)
)
"""And their speakers' affiliations, for each quote's affiliation at the time."""


def load_stances(session: Session, ids: list[int], *loads: Any) -> list[Stance]:
    """Stances by id, in the order of `ids`, with their evidence and sources loaded."""
    found = {
        st.id: st
        for st in session.scalars(
            select(Stance)
            .where(Stance.id.in_(ids))
            .options(*loads, EVIDENCE, SPEAKER_AFFILIATIONS, *QUOTE_STANDING)
        )
    }
    return [found[i] for i in ids if i in found]
