"""Build kb/load/seed/seed.json (format kb/1) from the checked fact sheet, and nothing else.

    python tools/build_seed.py tools/seed_facts.json

tools/seed_facts.json is a copy of the team's checked fact sheet (shared/seed/seed_facts.json),
kept here so the seed can be rebuilt and checked on any machine.

Every quote, date and URL comes from the fact sheet as given. What this script adds is
editorial structure only, all listed here so a reviewer can check it in one place:
- slugs (people's are fixed by the product; the rest are derived from the sheet's ids);
- a date's precision: the leading date of the sheet's text, cut back to what is certain
  ("c. 2017-07-16" is kept as July 2017, "2014-08-02/03" as August 2014); the full text is
  kept as the source's date_note whenever it says more;
- topics, grouping the sheet's sixteen claims (TOPICS below);
- which sources a person authored (AUTHORED_KINDS and NOT_AUTHORED below).
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

PEOPLE = {
    "chollet": ("francois-chollet", "François Chollet"),
    "musk": ("elon-musk", "Elon Musk"),
    "hawking": ("stephen-hawking", "Stephen Hawking"),
    "rees": ("martin-rees", "Martin Rees"),
}

TOPICS = {
    "ai-risk": ("AI risk", ["C01", "C02", "C03", "C11", "C12", "C16"]),
    "superintelligence": ("Superintelligence", ["C04", "C05", "C06", "C11"]),
    "deep-learning": ("Limits of deep learning", ["C07", "C08", "C09", "C10"]),
    "governance": ("Misuse and governance", ["C13", "C14"]),
    "benefits": ("Benefits of AI", ["C15"]),
}

# Sources written by the person the sheet files them under. Talks, interviews and news
# reports are about the person, not by them, so they list no author.
AUTHORED_KINDS = {"blog_post", "social_post", "book"}
AUTHORED_ARTICLES = {"S_HAWKING_INDEP_2014", "S_REES_TELEGRAPH_2015", "S_CSER_2012"}

DATE_RE = re.compile(r"^(c\.\s*)?(\d{4})(?:-(\d{2}))?(?:-(\d{2}))?(/)?")


def parse_date(text: str) -> tuple[str | None, str | None]:
    """Return (published, date_note): the certain part of the date, and the full text when it
    says more than that."""
    m = DATE_RE.match(text.strip())
    if not m:
        return None, text
    circa, year, month, day, alternatives = m.groups()
    parts = [p for p in (year, month, day) if p]
    if circa or alternatives:
        parts = parts[:-1] if len(parts) > 1 else parts
    published = "-".join(parts)
    return published, (None if text.strip() == published else text)


def slug_from_id(ident: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", ident.lower()).strip("-")


def source_slug(ident: str) -> str:
    return slug_from_id(ident.removeprefix("S_"))


def join_notes(*parts: str | None) -> str | None:
    text = " ".join(p.strip() for p in parts if p and p.strip())
    return text or None


def build(facts: dict) -> dict:
    people = []
    for p in facts["people"]:
        slug, name = PEOPLE[p["id"]]
        people.append(
            {
                "slug": slug,
                "name": name,
                "description": f"{p['full_name']}.",
                "affiliation": p["role_at_time"],
                "birth_year": int(p["born"][:4]) if p.get("born") else None,
                "death_year": int(p["died"][:4]) if p.get("died") else None,
                "url": p["canonical_url"],
            }
        )

    sources = []
    for s in facts["sources"]:
        published, date_note = parse_date(s["date"])
        authored = s["kind"] in AUTHORED_KINDS or s["id"] in AUTHORED_ARTICLES
        checked = "; ".join(s.get("checked_against", []))
        sources.append(
            {
                "slug": source_slug(s["id"]),
                "title": s["title"],
                "kind": s["kind"],
                "url": s["url"],
                "publisher": s["venue"],
                "published": published,
                "date_note": date_note,
                "archived_url": None,
                "note": join_notes(
                    s.get("notes"), f"Checked against: {checked}." if checked else None
                ),
                "authors": [PEOPLE[s["person"]][0]] if authored else [],
            }
        )
    source_dates = {s["id"]: s["date"] for s in facts["sources"]}

    quotes = []
    for q in facts["quotes"]:
        date_differs = q["date"] != source_dates[q["source"]]
        quotes.append(
            {
                "id": q["id"],
                "text": q["text"],
                "speaker": PEOPLE[q["person"]][0],
                "source": source_slug(q["source"]),
                "locator": None,
                "speaker_affiliation": None,
                "attribution": q["attribution"],
                "checked": q["checked"],
                "check_note": q["verbatim_confidence"],
                "note": join_notes(
                    q.get("notes"),
                    f"Date in the fact sheet: {q['date']}." if date_differs else None,
                ),
            }
        )

    claim_slugs = {c["id"]: slug_from_id(c["short"]) for c in facts["claims"]}
    topics_of: dict[str, list[str]] = {}
    for topic_slug, (_name, claim_ids) in TOPICS.items():
        for cid in claim_ids:
            topics_of.setdefault(cid, []).append(topic_slug)
    claims = [
        {
            "slug": claim_slugs[c["id"]],
            "text": c["text"],
            "summary": None,
            "topics": sorted(topics_of.get(c["id"], [])),
        }
        for c in facts["claims"]
    ]
    topics = [
        {"slug": slug, "name": name, "description": None} for slug, (name, _ids) in TOPICS.items()
    ]

    stances = []
    for st in facts["stances"]:
        estimate = st.get("estimate") or {}
        stances.append(
            {
                "person": PEOPLE[st["person"]][0],
                "claim": claim_slugs[st["claim"]],
                "position": st["position"],
                "basis": st["basis"],
                "probability": estimate.get("probability"),
                "horizon": estimate.get("horizon"),
                "as_of": None,
                "note": join_notes(
                    st.get("note"),
                    f"Estimate: probability {estimate['probability']} of {estimate['of']}."
                    if estimate
                    else None,
                ),
                "evidence": list(st["quote_ids"]),
            }
        )

    relations = [
        {
            "from": claim_slugs[r["from"]],
            "to": claim_slugs[r["to"]],
            "kind": r["kind"],
            "note": r.get("note") or None,
        }
        for r in facts["claim_relations"]
    ]
    return {
        "format": "kb/1",
        "people": people,
        "sources": sources,
        "quotes": quotes,
        "claims": claims,
        "topics": topics,
        "stances": stances,
        "claim_relations": relations,
    }


def main(argv: list[str]) -> None:
    facts = json.loads(Path(argv[1]).read_text(encoding="utf-8"))
    out = Path(__file__).resolve().parent.parent / "kb" / "load" / "seed" / "seed.json"
    out.write_text(json.dumps(build(facts), ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    print(f"wrote {out}")


if __name__ == "__main__":
    main(sys.argv)
