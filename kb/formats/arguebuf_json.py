"""kb's argument graph in arguebuf's own format: the JSON of arg-services' protobuf Graph, the
file `arguebuf.load.file`/`load.dict` reads and `arguebuf.dump.json` writes (issue 17 item 4).

arguebuf's AIF and xAIF readers skip L, YA and TA nodes and read no participants, so kb's AIF
file loses its quotes and speakers there. Its own format has no dialogue layer either, but its
atom nodes name a participant (who said it) and a reference (the words, in a resource: a
document with a title, a URL and a date), which is what a quote is. One document:

    {"schemaVersion": 1, "resources": {id: ...}, "participants": {id: ...},
     "nodes": {id: {"atom": ...} | {"scheme": ...}}, "edges": {id: {"source", "target"}}}

- each person is a participant `person:<slug>` (name, url, description);
- each source is a resource `source:<slug>` (title, url as "source", its date as "timestamp";
  "text" is empty: kb holds what was quoted, not the whole document); each joint statement is
  a resource `statement:<slug>` (its title, url, date and text);
- each claim is an atom `claim:<slug>` (its text);
- each quote is an atom `quote:<id>` (`q` and the database id): its words, its speaker as
  participant, and a reference to its source's resource with the same words;
- each piece of a stance's evidence is a scheme node `evidence:<n>` with edges quote -> scheme
  -> claim: "support" when the person supports the claim, "attack" when they oppose it, and no
  scheme type when mixed (arguebuf reads a scheme node of no type; `userdata.kb.position` says
  which it is in every case);
- each signature is an atom `signature:<n>`: the statement's text (its title when it has none)
  with the signer as participant and a reference to the statement's resource; when the
  statement bears on a claim, a scheme node `signed:<n>` with its position links it there;
- each claim relation is a scheme node `relation:<n>`: "support" (supports) or "attack"
  (contradicts), with edges from-claim -> scheme -> to-claim.
Every node, resource and participant carries `userdata.kb` with kb's own names for it (slug,
quote id, the date as kb has it) so that a reader can link it back; userdata holds strings only,
for protobuf's Struct reads every number as a float.

Timestamps are RFC 3339, as protobuf's JSON writes them, at the first moment of the period a kb
date names ("2017-02" -> "2017-02-01T00:00:00Z"; userdata keeps "2017-02"). A quote atom and its
evidence schemes are created when the words were said; a signature when the statement is dated;
a claim by its earliest dated evidence (as in the AIF file); a resource's timestamp is when the
source was published. Where kb has no date the member is left out: kb never invents one
(arguebuf then reads protobuf's zero, 1970-01-01T00:00:00Z).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from typing import Any

from kb.dates import parse_partial
from kb.formats.aif import Index, Streams, index

SCHEMES = {
    "supports": {"support": "SUPPORT_DEFAULT"},
    "contradicts": {"attack": "ATTACK_DEFAULT"},
    "opposes": {"attack": "ATTACK_DEFAULT"},
    "mixed": {},
}


def rfc3339(partial: str | None) -> str | None:
    """The first moment of the period a kb date names, as protobuf's JSON writes a Timestamp
    ("2017-02" -> "2017-02-01T00:00:00Z"); None for no date or one that is not a kb date."""
    try:
        day, _precision = parse_partial(partial or "")
    except ValueError:
        return None
    return f"{day.isoformat()}T00:00:00Z"


def _from_aif(stamp: str | None) -> str | None:
    # aif.Index keeps AIFdb's "YYYY-MM-DD 00:00:00"; the same moment in RFC 3339.
    return stamp.replace(" ", "T") + "Z" if stamp else None


def members(key: str, items: Iterable[tuple[str, dict[str, Any]]]) -> Iterator[str]:
    """One `"key": {id: value, ...}` member of a JSON object, one entry per line, in chunks."""
    yield ",\n" + json.dumps(key) + ": {"
    sep = "\n"
    buf: list[str] = []
    for name, value in items:
        buf.append(sep + json.dumps(name) + ": " + json.dumps(value, ensure_ascii=False))
        sep = ",\n"
        if len(buf) >= 200:
            yield "".join(buf)
            buf.clear()
    buf.append("\n}" if sep == ",\n" else "}")
    yield "".join(buf)


def _kb(record: dict[str, Any], *keys: str) -> dict[str, Any]:
    """userdata.kb: the named fields that have a value, as strings."""
    return {"kb": {k: str(record[k]) for k in keys if record.get(k) not in (None, "")}}


def _created(stamp: str | None) -> dict[str, Any]:
    return {"metadata": {"created": stamp}} if stamp else {}


def _atom(text: str, stamp: str | None, userdata: dict[str, Any], **atom: Any) -> dict[str, Any]:
    return {"atom": {"text": text, **atom}, **_created(stamp), "userdata": userdata}


def _scheme(kind: str, stamp: str | None, userdata: dict[str, Any]) -> dict[str, Any]:
    return {"scheme": dict(SCHEMES[kind]), **_created(stamp), "userdata": userdata}


def _statement_text(statement: dict[str, Any]) -> str:
    return str(statement.get("text") or statement["title"])


class Document:
    """The sections of one arguebuf document over `streams` (kb/1 records by entity)."""

    def __init__(self, streams: Streams):
        self.streams = streams
        self.ix: Index = index(streams)

    def resources(self) -> Iterator[tuple[str, dict[str, Any]]]:
        for s in self.streams("sources"):
            yield f"source:{s['slug']}", self._resource(s, "", s["published"], "url")
        for st in self.ix.statements.values():
            yield f"statement:{st['slug']}", self._resource(st, st.get("text") or "", st["date"])

    @staticmethod
    def _resource(r: dict[str, Any], text: str, date: str | None, *more: str) -> dict[str, Any]:
        resource: dict[str, Any] = {"text": text, "title": r["title"]}
        if r.get("url"):
            resource["source"] = r["url"]
        stamp = rfc3339(date)
        if stamp:
            resource["timestamp"] = stamp
        fields = ("slug", "kind", "publisher", "published", "date", "by", *more)
        resource["userdata"] = _kb(r, *(f for f in fields if f != "url"))
        return resource

    def participants(self) -> Iterator[tuple[str, dict[str, Any]]]:
        for p in self.streams("people"):
            participant: dict[str, Any] = {"name": p["name"]}
            for key in ("url", "description"):
                if p.get(key):
                    participant[key] = p[key]
            participant["userdata"] = _kb(p, "slug")
            yield f"person:{p['slug']}", participant

    def nodes(self) -> Iterator[tuple[str, dict[str, Any]]]:
        ix = self.ix
        for c in self.streams("claims"):
            stamp = _from_aif(ix.first.get(c["slug"]))
            yield f"claim:{c['slug']}", _atom(c["text"], stamp, _kb(c, "slug"))
        for q in self.streams("quotes"):
            yield f"quote:{q['id']}", self._quote(q)
        yield from self._relation_nodes()
        yield from self._evidence_nodes()
        yield from self._signature_nodes()

    def _quote(self, q: dict[str, Any]) -> dict[str, Any]:
        reference: dict[str, Any] = {"text": q["text"]}
        if q.get("source"):
            reference["resource"] = f"source:{q['source']}"
        userdata = _kb(q, "id", "said", "locator", "attribution")
        stamp = rfc3339(q.get("said"))
        return _atom(
            q["text"], stamp, userdata, reference=reference, participant=f"person:{q['speaker']}"
        )

    def _relation_nodes(self) -> Iterator[tuple[str, dict[str, Any]]]:
        for i, r in enumerate(self.streams("claim_relations"), 1):
            yield f"relation:{i}", _scheme(r["kind"], None, _kb(r, "from", "to", "kind"))

    def _evidence(self) -> Iterator[tuple[int, dict[str, Any], str]]:
        """(n, stance, quote id) for each piece of evidence, in export order."""
        n = 0
        for s in self.streams("stances"):
            for ref in s["evidence"]:
                n += 1
                yield n, s, ref

    def _evidence_nodes(self) -> Iterator[tuple[str, dict[str, Any]]]:
        said = {q["id"]: q.get("said") for q in self.streams("quotes")}
        for n, s, ref in self._evidence():
            userdata = _kb(s, "person", "claim", "position")
            yield f"evidence:{n}", _scheme(s["position"], rfc3339(said.get(ref)), userdata)

    def _signature_nodes(self) -> Iterator[tuple[str, dict[str, Any]]]:
        for k, sig in enumerate(self.streams("signatures"), 1):
            st = self.ix.statements[sig["statement"]]
            stamp = rfc3339(st["date"])
            reference = {"resource": f"statement:{st['slug']}", "text": _statement_text(st)}
            userdata = _kb(sig, "person", "statement", "seen_in")
            participant = f"person:{sig['person']}"
            text = _statement_text(st)
            yield (
                f"signature:{k}",
                _atom(text, stamp, userdata, reference=reference, participant=participant),
            )
            if self.ix.signed_claim(st) is not None:
                position = _kb(st, "claim", "position")
                yield f"signed:{k}", _scheme(st["position"], stamp, position)

    def edges(self) -> Iterator[tuple[str, dict[str, Any]]]:
        for e, (a, b) in enumerate(self._links(), 1):
            yield f"edge:{e}", {"source": a, "target": b}

    def _links(self) -> Iterator[tuple[str, str]]:
        claims = self.ix.claims
        for i, r in enumerate(self.streams("claim_relations"), 1):
            if r["from"] in claims and r["to"] in claims:
                yield f"claim:{r['from']}", f"relation:{i}"
                yield f"relation:{i}", f"claim:{r['to']}"
        for n, s, ref in self._evidence():
            if s["claim"] in claims:
                yield f"quote:{ref}", f"evidence:{n}"
                yield f"evidence:{n}", f"claim:{s['claim']}"
        for k, sig in enumerate(self.streams("signatures"), 1):
            st = self.ix.statements[sig["statement"]]
            if self.ix.signed_claim(st) is not None:
                yield f"signature:{k}", f"signed:{k}"
                yield f"signed:{k}", f"claim:{st['claim']}"


def iter_arguebuf(streams: Streams) -> Iterator[str]:
    """The whole argument graph as one arguebuf JSON document, streamed section by section."""
    doc = Document(streams)
    yield '{"schemaVersion": 1'
    yield from members("resources", doc.resources())
    yield from members("participants", doc.participants())
    yield from members("nodes", doc.nodes())
    yield from members("edges", doc.edges())
    yield "}\n"
