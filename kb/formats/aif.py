"""The Argument Interchange Format, in the JSON shape AIFdb serves and OVA opens.

A document is `{"nodes": [...], "edges": [...], "locutions": [...], "participants": [...],
"schemefulfillments": []}`; nodes are `{"nodeID", "text", "type"}`, edges
`{"edgeID", "fromID", "toID", "formEdgeID": null}`, locutions `{"nodeID", "personID"}` and
participants `{"participantID", "firstname", "surname"}`. IDs are strings of digits, as in AIFdb.

kb maps onto it like this (docs/FORMAT.md says the same):
- a claim is an I-node (its text);
- a claim relation "supports" is an RA-node ("Default Inference"): from-claim -> RA -> to-claim;
  "contradicts" is a CA-node ("Default Conflict") the same way;
- a quote is an L-node ("Speaker Name: words"), with a locution naming its speaker, who is a
  participant, and when the words were said (the locution's "start", YYYY[-MM[-DD]]);
- a stance's evidence links each quote to the claim through a YA-node: "Asserting" when the
  person supports the claim, "Disagreeing" when they oppose it, "Challenging" when mixed;
- a signature of a joint statement is a locution too, as a quote is: an L-node ("Signer Name:
  signed “Statement title”"), with a locution naming the signer (and the statement's date as its
  "start"); when the statement bears on a claim, a YA-node with the statement's position links
  the L-node to the claim's I-node, so a signature supports a stance the way a quote does. The
  statement itself is no node: AIF has no node for a document, and its text is what was signed,
  the signature's L-node, not a claim of its own.
Affiliations are not exported: AIF describes arguments and who uttered them, and a participant
is a name only (AIFdb's participants have no organisation).

Node ids are type-tagged numbers (10 x n + tag) so that every id is derived from the data and the
output is the same each time: tag 1 claims (n counts claims in export order), 2 quotes (n is the
quote's database id), 3 relations, 4 YA-nodes (n counts evidence links in export order),
5 signatures' L-nodes and 6 their YA-nodes (n counts signatures in export order).

Timestamps (issue 17): a node's "timestamp" is AIFdb's "YYYY-MM-DD HH:mm:ss", the one form
arguebuf's AIF reader parses. kb's dates have a precision (kb.dates) but the field has none, so
a day is written at midnight and a month or a year at the start of its period (the first day, as
kb stores it): "2017-02" -> "2017-02-01 00:00:00". The locution's "start" keeps the date as kb
has it ("2017-02"), so the precision is never lost. Which date: an L-node and its YA-nodes are
dated when the words were said (a signature: the statement's date); an I-node by the earliest
dated locution that bears on the claim (when the claim is first on record as said); RA/CA-nodes
carry none, for kb does not record when a relation was first drawn. A node without a date has no
"timestamp" key at all: kb never writes today for a date it does not know (arguebuf itself fills
in the moment of loading for a node without one; that is its choice, not the file's).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from kb.dates import parse_partial

Streams = Callable[[str], Iterable[dict[str, Any]]]

YA_TEXT = {"supports": "Asserting", "opposes": "Disagreeing", "mixed": "Challenging"}
_QREF = re.compile(r"^q(\d+)$")


def _nid(n: int, tag: int) -> str:
    return str(10 * n + tag)


def _quote_number(ref: str, fallback: dict[str, int]) -> int:
    m = _QREF.match(ref)
    if m:
        return int(m.group(1))
    return fallback.setdefault(ref, len(fallback) + 1)


def _split_name(name: str) -> tuple[str, str]:
    first, _, last = name.rpartition(" ")
    return (first, last) if first else (name, "")


def timestamp(partial: str | None) -> str | None:
    """AIFdb's timestamp for a kb date ("2017", "2017-02", "2017-02-03"): the first moment of
    the period it names, "2017-02-01 00:00:00" (the module's docstring says why); None for
    no date, so that the node gets no timestamp rather than an invented one."""
    try:
        day, _precision = parse_partial(partial or "")
    except ValueError:
        return None
    return f"{day.isoformat()} 00:00:00"


def array(key: str, items: Iterable[dict[str, Any]], first_key: bool = False) -> Iterator[str]:
    """One `"key": [...]` member of a JSON object, one item per line, in chunks."""
    yield ("" if first_key else ",\n") + f'"{key}": ['
    sep = "\n"
    buf: list[str] = []
    for item in items:
        buf.append(sep + json.dumps(item, ensure_ascii=False))
        sep = ",\n"
        if len(buf) >= 200:
            yield "".join(buf)
            buf.clear()
    buf.append("\n]" if sep == ",\n" else "]")
    yield "".join(buf)


def _node(nid: str, text: str, kind: str, stamp: str | None = None) -> dict[str, Any]:
    node = {"nodeID": nid, "text": text, "type": kind}
    if stamp:
        node["timestamp"] = stamp
    return node


@dataclass
class Index:
    """The small maps every pass reads: people (slug -> participant number, name), claims
    (slug -> number), quotes kb/1 names otherwise than q<id>, statements by slug, each quote's
    timestamp (by quote number) and each claim's earliest one (by slug)."""

    people: dict[str, tuple[int, str]] = field(default_factory=dict)
    claims: dict[str, int] = field(default_factory=dict)
    other_quotes: dict[str, int] = field(default_factory=dict)
    statements: dict[str, dict[str, Any]] = field(default_factory=dict)
    said: dict[int, str] = field(default_factory=dict)
    first: dict[str, str] = field(default_factory=dict)

    def dated(self, claim: str, stamp: str | None) -> None:
        if stamp and (claim not in self.first or stamp < self.first[claim]):
            self.first[claim] = stamp

    def signed_claim(self, statement: dict[str, Any] | None) -> int | None:
        """The number of the claim a signed statement bears on, if it bears on one kb
        exports."""
        if statement is None or not statement["claim"] or not statement["position"]:
            return None
        return self.claims.get(statement["claim"])


def index(streams: Streams) -> Index:
    """One pass over each entity to fill the Index (quotes are numbers and short dates, so it
    stays small beside the texts, which are never kept)."""
    ix = Index()
    ix.statements = {r["slug"]: r for r in streams("statements")}
    for i, p in enumerate(streams("people"), 1):
        ix.people[p["slug"]] = (i, p["name"])
    for i, c in enumerate(streams("claims"), 1):
        ix.claims[c["slug"]] = i
    for q in streams("quotes"):
        stamp = timestamp(q.get("said"))
        n = _quote_number(q["id"], ix.other_quotes)
        if stamp:
            ix.said[n] = stamp
    for s in streams("stances"):
        for ref in s["evidence"]:
            ix.dated(s["claim"], ix.said.get(_quote_number(ref, ix.other_quotes)))
    for sig in streams("signatures"):
        statement = ix.statements.get(sig["statement"])
        if ix.signed_claim(statement) is not None and statement is not None:
            ix.dated(statement["claim"], timestamp(statement["date"]))
    return ix


class Aif:
    """The sections of one AIF document over `streams`, each a fresh iterator of its items
    (the xAIF writer reads some twice)."""

    def __init__(self, streams: Streams):
        self.streams = streams
        self.ix = index(streams)

    def _name(self, slug: str) -> tuple[int, str]:
        return self.ix.people.get(slug, (0, slug))

    def participants(self) -> Iterator[dict[str, Any]]:
        for p in self.streams("people"):
            first, last = _split_name(p["name"])
            number = self.ix.people[p["slug"]][0]
            yield {"participantID": str(number), "firstname": first, "surname": last}

    def nodes(self) -> Iterator[dict[str, Any]]:
        ix = self.ix
        for c in self.streams("claims"):
            yield _node(_nid(ix.claims[c["slug"]], 1), c["text"], "I", ix.first.get(c["slug"]))
        for q in self.streams("quotes"):
            n = _quote_number(q["id"], ix.other_quotes)
            text = f"{self._name(q['speaker'])[1]}: {q['text']}"
            yield _node(_nid(n, 2), text, "L", ix.said.get(n))
        for i, r in enumerate(self.streams("claim_relations"), 1):
            if r["kind"] == "supports":
                yield _node(_nid(i, 3), "Default Inference", "RA")
            else:
                yield _node(_nid(i, 3), "Default Conflict", "CA")
        k = 0
        for s in self.streams("stances"):
            for ref in s["evidence"]:
                k += 1
                stamp = ix.said.get(_quote_number(ref, ix.other_quotes))
                yield _node(_nid(k, 4), YA_TEXT[s["position"]], "YA", stamp)
        yield from self._signature_nodes()

    def _signature_nodes(self) -> Iterator[dict[str, Any]]:
        """Each signature's L-node, and its YA-node when the statement bears on a claim."""
        for k, sig in enumerate(self.streams("signatures"), 1):
            signer = self._name(sig["person"])[1]
            statement = self.ix.statements.get(sig["statement"])
            title = statement["title"] if statement else sig["statement"]
            stamp = timestamp(statement["date"]) if statement else None
            yield _node(_nid(k, 5), f"{signer}: signed “{title}”", "L", stamp)
            if statement is not None and self.ix.signed_claim(statement) is not None:
                yield _node(_nid(k, 6), YA_TEXT[statement["position"]], "YA", stamp)

    def edges(self) -> Iterator[dict[str, Any]]:
        for e, (a, b) in enumerate(self._links(), 1):
            yield {"edgeID": str(e), "fromID": a, "toID": b, "formEdgeID": None}

    def _links(self) -> Iterator[tuple[str, str]]:
        claims = self.ix.claims
        for i, r in enumerate(self.streams("claim_relations"), 1):
            if r["from"] in claims and r["to"] in claims:
                yield _nid(claims[r["from"]], 1), _nid(i, 3)
                yield _nid(i, 3), _nid(claims[r["to"]], 1)
        k = 0
        for s in self.streams("stances"):
            for ref in s["evidence"]:
                k += 1
                if s["claim"] in claims:
                    yield _nid(_quote_number(ref, self.ix.other_quotes), 2), _nid(k, 4)
                    yield _nid(k, 4), _nid(claims[s["claim"]], 1)
        for k, sig in enumerate(self.streams("signatures"), 1):
            claim = self.ix.signed_claim(self.ix.statements.get(sig["statement"]))
            if claim is not None:
                yield _nid(k, 5), _nid(k, 6)
                yield _nid(k, 6), _nid(claim, 1)

    def locutions(self) -> Iterator[dict[str, Any]]:
        """Who said each L-node's words, and when: "start" as kb has the date (its precision
        kept), "timestamp" in AIFdb's form."""
        for q in self.streams("quotes"):
            n = _quote_number(q["id"], self.ix.other_quotes)
            yield self._locution(_nid(n, 2), q["speaker"], q.get("said"))
        for k, sig in enumerate(self.streams("signatures"), 1):
            statement = self.ix.statements.get(sig["statement"])
            said = statement["date"] if statement else None
            yield self._locution(_nid(k, 5), sig["person"], said)

    def _locution(self, nid: str, person: str, said: str | None) -> dict[str, Any]:
        locution = {"nodeID": nid, "personID": str(self.ix.people.get(person, (0, ""))[0])}
        stamp = timestamp(said)
        if said and stamp:
            locution["start"] = said
            locution["timestamp"] = stamp
        return locution


def iter_aif(streams: Streams) -> Iterator[str]:
    """The claims, relations, quotes, stances and signatures as one AIF JSON document, streamed
    section by section; only the Index's small maps are kept in memory."""
    doc = Aif(streams)
    yield "{"
    yield from array("participants", doc.participants(), first_key=True)
    yield from array("nodes", doc.nodes())
    yield from array("edges", doc.edges())
    yield from array("locutions", doc.locutions())
    yield ',\n"schemefulfillments": []}\n'
