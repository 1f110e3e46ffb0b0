"""Build kb/load/seed/seed.json (format kb/1) from the checked fact sheet, and nothing else.

    python tools/build_seed.py tools/seed_facts.json

tools/seed_facts.json is a byte-for-byte copy of the team's checked fact sheet
(shared/seed/seed_facts.json, the 28-person sheet of 2026-12), kept here so the seed can be
rebuilt and checked on any machine: tests/test_seed.py rebuilds seed.json from it and compares.

Every quote, date and URL comes from the fact sheet as given. What this script adds is
editorial structure only, all listed here so a reviewer can check it in one place:
- slugs and display names (PEOPLE below: the first four slugs are fixed by the product; the
  rest are the common names the sheet's full names contain); other slugs derive from sheet ids;
- a date's precision: the leading date of the sheet's text, cut back to what is certain
  ("c. 2017-07-16" is kept as July 2017, "2014-08-02/03" as August 2014, "2003/2004" as no
  date); the full text is kept as the source's date_note, or in the quote's note, whenever it
  says more;
- a quote's own date (`said`) is the sheet's quote date read the same way;
- a quote's checking note: the sheet's verbatim_confidence, then its second check (result, where
  and when it was seen, and what the checker noted); a quote whose second check did not confirm
  it, and any quote the sheet lists as `unverified`, is never loaded (build() refuses a sheet
  that holds one among its quotes);
- a stance's as_of: the newest date among its quotes' own dates, as a day: a month or a year
  is its last day (by then the words had certainly been said, so ?as_of= never shows a view
  before its evidence); the sheet's own as_of text is kept in the note when it is not that day;
- notes for readers (`reader_note`, shown on the public pages): the sheet's own note on a
  source (less its labelling convention, which is the same paragraph on every source), a
  stance or a claim relation (none where it only names two sheet claim ids); everything added
  above (checking trail, dates as given, the sheet's as_of) stays in the editors' `note`;
- topics, grouping the sheet's twenty claims (TOPICS below);
- which sources a person authored (AUTHORED_KINDS, NOT_AUTHORED, AUTHORED_OTHER and CO_AUTHORS
  below).
- a stance's estimate (probability or range, what of, horizon, the quote giving it): the sheet's
  stances[].estimate as given, through tools/seed_estimates.py.
- joint statements, their signatures and the stances signing implies: tools/seed_statements.py;
- dated affiliations, read from the people's role_at_time: tools/seed_affiliations.py (each
  module's docstring lists its own choices);
- each quote's verification trail, from its source's checked_against and its second check:
  tools/seed_verifications.py.
"""

from __future__ import annotations

import importlib.util
import json
import re
import sys
from pathlib import Path
from types import ModuleType

from kb import dates
from kb.formats import kb1

PEOPLE = {
    "chollet": ("francois-chollet", "François Chollet"),
    "musk": ("elon-musk", "Elon Musk"),
    "hawking": ("stephen-hawking", "Stephen Hawking"),
    "rees": ("martin-rees", "Martin Rees"),
    "hinton": ("geoffrey-hinton", "Geoffrey Hinton"),
    "bengio": ("yoshua-bengio", "Yoshua Bengio"),
    "russell": ("stuart-russell", "Stuart Russell"),
    "yudkowsky": ("eliezer-yudkowsky", "Eliezer Yudkowsky"),
    "bostrom": ("nick-bostrom", "Nick Bostrom"),
    "tegmark": ("max-tegmark", "Max Tegmark"),
    "ord": ("toby-ord", "Toby Ord"),
    "gates": ("bill-gates", "Bill Gates"),
    "altman": ("sam-altman", "Sam Altman"),
    "hassabis": ("demis-hassabis", "Demis Hassabis"),
    "amodei": ("dario-amodei", "Dario Amodei"),
    "sutskever": ("ilya-sutskever", "Ilya Sutskever"),
    "suleyman": ("mustafa-suleyman", "Mustafa Suleyman"),
    "zuckerberg": ("mark-zuckerberg", "Mark Zuckerberg"),
    "andreessen": ("marc-andreessen", "Marc Andreessen"),
    "kurzweil": ("ray-kurzweil", "Ray Kurzweil"),
    "lecun": ("yann-lecun", "Yann LeCun"),
    "ng": ("andrew-ng", "Andrew Ng"),
    "marcus": ("gary-marcus", "Gary Marcus"),
    "brooks": ("rodney-brooks", "Rodney Brooks"),
    "mitchell": ("melanie-mitchell", "Melanie Mitchell"),
    "pinker": ("steven-pinker", "Steven Pinker"),
    "etzioni": ("oren-etzioni", "Oren Etzioni"),
    "gebru": ("timnit-gebru", "Timnit Gebru"),
}

TOPICS = {
    "ai-risk": ("AI risk", ["C01", "C02", "C03", "C11", "C12", "C16", "C18", "C19"]),
    "superintelligence": ("Superintelligence", ["C04", "C05", "C06", "C11"]),
    "deep-learning": ("Limits of deep learning", ["C07", "C08", "C09", "C10"]),
    "governance": ("Misuse and governance", ["C13", "C14", "C17", "C18", "C20"]),
    "benefits": ("Benefits of AI", ["C15"]),
}

# Sources written by the person the sheet files them under. Talks, interviews and news
# reports are about the person, not by them, so they list no author; nor do the interview
# books (Martin Ford's Architects of Intelligence) filed under the people interviewed.
AUTHORED_KINDS = {"blog_post", "social_post", "book", "paper"}
NOT_AUTHORED = {"S_BENGIO_ARCHITECTS_2018", "S_RUSSELL_ARCHITECTS_2018", "S_BROOKS_FORD_2018"}
# Articles and other texts the sheet says the person wrote (op-eds, essays, written testimony).
AUTHORED_OTHER = {
    "S_HAWKING_INDEP_2014",
    "S_REES_TELEGRAPH_2015",
    "S_CSER_2012",
    "S_YUDKOWSKY_TIME_2023",
    "S_TEGMARK_TIME_2023",
    "S_AMODEI_NYTOPED_2025",
    "S_MARCUS_NAUTILUS_2022",
    "S_BROOKS_SINS_2017",
    "S_ETZIONI_NYT_2017",
    "S_ETZIONI_CANARIES_2020",
    "S_RUSSELL_SENATE_2023",
    "S_PINKER_AARONSON_2022",
}
# Co-authors among kb's people, as the sheet's title names them.
CO_AUTHORS = {"S_HAWKING_INDEP_2014": ["russell", "tegmark"]}

QUOTE_ID_RE = re.compile(r"\bQ_[A-Z]{2}_[0-9]+\b")
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
        if len(parts) == 1 and alternatives:  # "2003/2004": no year is certain
            return None, text
        parts = parts[:-1] if len(parts) > 1 else parts
    published = "-".join(parts)
    return published, (None if text.strip() == published else text)


def slug_from_id(ident: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", ident.lower()).strip("-")


def source_slug(ident: str) -> str:
    return slug_from_id(ident.removeprefix("S_"))


LABEL_CONVENTION = re.compile(r"\s*Label convention: 'primary' = .*?another outlet\.")
"""The sheet's labelling convention, repeated in many source notes: for editors, not readers."""
ONLY_IDS = re.compile(r"^\W*C\d{2,}\W+(\w+\W+){0,3}C\d{2,}\W*$")
"""A relation note that only names two sheet claim ids ("C02 entails C01")."""


def reader_note(note: str | None) -> str | None:
    if not note or ONLY_IDS.match(note):
        return None
    return LABEL_CONVENTION.sub("", note).strip() or None


def join_notes(*parts: str | None) -> str | None:
    text = " ".join(p.strip() for p in parts if p and p.strip())
    return text or None


def _people(facts: dict) -> list[dict]:
    return [
        {
            "slug": PEOPLE[p["id"]][0],
            "name": PEOPLE[p["id"]][1],
            "description": f"{p['full_name']}.",
            "affiliation": p["role_at_time"],
            "birth_year": int(p["born"][:4]) if p.get("born") else None,
            "death_year": int(p["died"][:4]) if p.get("died") else None,
            "url": p["canonical_url"],
        }
        for p in facts["people"]
    ]


def _authors(s: dict) -> list[str]:
    authored = (s["kind"] in AUTHORED_KINDS and s["id"] not in NOT_AUTHORED) or (
        s["id"] in AUTHORED_OTHER
    )
    if not authored:
        return []
    return [PEOPLE[p][0] for p in [s["person"], *CO_AUTHORS.get(s["id"], [])]]


def _sources(facts: dict) -> list[dict]:
    sources = []
    for s in facts["sources"]:
        published, date_note = parse_date(s["date"])
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
                "reader_note": reader_note(s.get("notes")),
                "authors": _authors(s),
            }
        )
    return sources


def unverified_ids(facts: dict) -> set[str]:
    """The quote ids the sheet's `unverified` list names (never to be loaded)."""
    text = " ".join(u["what"] + " " + u.get("searched", "") for u in facts["unverified"])
    return set(QUOTE_ID_RE.findall(text))


def loadable_quotes(facts: dict) -> list[dict]:
    """The sheet's quotes, less any whose second check did not confirm it; a quote the
    `unverified` list names stops the build (the sheet contradicts itself)."""
    refused = unverified_ids(facts)
    clash = sorted(q["id"] for q in facts["quotes"] if q["id"] in refused)
    if clash:
        raise SystemExit(f"quotes also listed as unverified: {', '.join(clash)}")
    return [
        q
        for q in facts["quotes"]
        if (q.get("second_check") or {}).get("result", "confirmed") == "confirmed"
    ]


def check_note(q: dict) -> str | None:
    second = q.get("second_check")
    return join_notes(
        q.get("verbatim_confidence"),
        f"Second check ({second['on']}): {second['result']}, seen in {second['seen_in']}."
        if second
        else None,
        second.get("note") if second else None,
    )


def _quotes(quotes: list[dict]) -> list[dict]:
    out = []
    for q in quotes:
        said, said_note = parse_date(q["date"])
        out.append(
            {
                "id": q["id"],
                "text": q["text"],
                "speaker": PEOPLE[q["person"]][0],
                "source": source_slug(q["source"]),
                "said": said,
                "locator": None,
                "speaker_affiliation": None,
                "attribution": q["attribution"],
                "checked": q["checked"],
                "check_note": check_note(q),
                "note": join_notes(
                    q.get("notes"), f"Date in the fact sheet: {q['date']}." if said_note else None
                ),
            }
        )
    return out


def as_of(said: list[str]) -> str | None:
    """The stance's as-of day from its quotes' dates, by kb's rule (kb.dates)."""
    day = dates.as_of_from_evidence(dates.parse_partial(d) for d in said)
    return day.isoformat() if day else None


def _sibling(name: str) -> ModuleType:
    """Another module of tools/ (this script runs from a path, not as a package)."""
    spec = importlib.util.spec_from_file_location(name, Path(__file__).with_name(f"{name}.py"))
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _estimates(facts: dict, said: dict[str, str | None]) -> dict[tuple, dict]:
    """The estimate fields of each stance that has one (tools/seed_estimates.py), by the
    stance's person, sheet claim id and sheet as_of."""
    people = {ident: slug for ident, (slug, _name) in PEOPLE.items()}
    records = _sibling("seed_estimates").build(facts, people, {i: i for i in said})
    fields = ("probability", "probability_high", "horizon", "estimate_of", "estimate_quote")
    return {(r["person"], r["claim"], r["as_of"]): {f: r[f] for f in fields} for r in records}


def _stances(facts: dict, claim_slugs: dict[str, str], said: dict[str, str | None]) -> list[dict]:
    """The sheet's stances, on the quotes loaded (a stance left with none is not loaded), with
    their estimates where the sheet gives one."""
    estimates = _estimates(facts, said)
    no_estimate = dict.fromkeys(
        ("probability", "probability_high", "horizon", "estimate_of", "estimate_quote")
    )
    stances = []
    for st in facts["stances"]:
        evidence = [i for i in st["quote_ids"] if i in said]
        day = as_of([d for i in evidence if (d := said[i])])
        sheet_as_of = st.get("as_of")
        stances.append(
            {
                "person": PEOPLE[st["person"]][0],
                "claim": claim_slugs[st["claim"]],
                "position": st["position"],
                "basis": st["basis"],
                **estimates.get(
                    (PEOPLE[st["person"]][0], st["claim"], st.get("as_of")), no_estimate
                ),
                # no seed estimate links a forecast or a survey: none is in the fact sheet
                "forecast_url": None,
                "survey_url": None,
                "as_of": day,
                "note": join_notes(
                    st.get("note"),
                    f"As of in the fact sheet: {sheet_as_of}."
                    if sheet_as_of and day and sheet_as_of != day
                    else None,
                ),
                "reader_note": reader_note(st.get("note")),
                "evidence": evidence,
            }
        )
    return [s for s in stances if s["evidence"]]


def _claims(facts: dict, claim_slugs: dict[str, str]) -> tuple[list[dict], list[dict]]:
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
    return claims, topics


def build(facts: dict) -> dict:
    quotes = _quotes(loadable_quotes(facts))
    said = {q["id"]: q["said"] for q in quotes}
    claim_slugs = {c["id"]: slug_from_id(c["short"]) for c in facts["claims"]}
    claims, topics = _claims(facts, claim_slugs)
    relations = [
        {
            "from": claim_slugs[r["from"]],
            "to": claim_slugs[r["to"]],
            "kind": r["kind"],
            "note": r.get("note") or None,
            "reader_note": reader_note(r.get("note")),
        }
        for r in facts["claim_relations"]
    ]
    people = {ident: slug for ident, (slug, _name) in PEOPLE.items()}
    signing = _sibling("seed_statements").build(facts, people, {}, claim_slugs)
    stance_fields = kb1.FIELDS["stances"]
    # a signing stance's note ("Signed “Statement on AI Risk”.") is for readers as it stands
    signed = [
        {f: s.get(f) for f in stance_fields} | {"reader_note": s.get("note")}
        for s in signing["stances"]
    ]
    return {
        "format": "kb/1",
        "people": _people(facts),
        "affiliations": _sibling("seed_affiliations").build(facts, people, {}),
        "sources": _sources(facts),
        "quotes": quotes,
        "verifications": _sibling("seed_verifications").build(facts, set(said)),
        "claims": claims,
        "topics": topics,
        "statements": signing["statements"],
        "signatures": signing["signatures"],
        "stances": _stances(facts, claim_slugs, said) + signed,
        "claim_relations": relations,
    }


def main(argv: list[str]) -> None:
    facts = json.loads(Path(argv[1]).read_text(encoding="utf-8"))
    out = Path(__file__).resolve().parent.parent / "kb" / "load" / "seed" / "seed.json"
    out.write_text(json.dumps(build(facts), ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    print(f"wrote {out}")


if __name__ == "__main__":
    main(sys.argv)
