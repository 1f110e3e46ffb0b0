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
"""

from __future__ import annotations

import itertools
import json
import re
from collections.abc import Callable, Iterable, Iterator
from typing import Any

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


def _array(key: str, items: Iterable[dict[str, Any]], first_key: bool = False) -> Iterator[str]:
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


def iter_aif(streams: Streams) -> Iterator[str]:
    """The claims, relations, quotes, stances and signatures as one AIF JSON document, streamed
    in passes (nodes, edges, locutions): only the small maps of people, claims and statements
    are kept in memory. Each pass fills a map the next ones read (people by slug, claims by
    slug; the statements are read first)."""
    people: dict[str, tuple[int, str]] = {}
    claims: dict[str, int] = {}
    other_quotes: dict[str, int] = {}
    statements = {r["slug"]: r for r in streams("statements")}
    yield "{"
    yield from _array("participants", _participants(streams, people), first_key=True)
    nodes = _nodes(streams, people, claims, other_quotes)
    signed = _signature_nodes(streams, people, claims, statements)
    yield from _array("nodes", itertools.chain(nodes, signed))
    yield from _array("edges", _edges(streams, claims, other_quotes, statements))
    locutions = _locutions(streams, people, other_quotes)
    signers = _signature_locutions(streams, people, statements)
    yield from _array("locutions", itertools.chain(locutions, signers))
    yield ',\n"schemefulfillments": []}\n'


def _participants(streams: Streams, people: dict[str, tuple[int, str]]) -> Iterator[dict[str, Any]]:
    for i, p in enumerate(streams("people"), 1):
        people[p["slug"]] = (i, p["name"])
        first, last = _split_name(p["name"])
        yield {"participantID": str(i), "firstname": first, "surname": last}


def _nodes(
    streams: Streams,
    people: dict[str, tuple[int, str]],
    claims: dict[str, int],
    other_quotes: dict[str, int],
) -> Iterator[dict[str, Any]]:
    for i, c in enumerate(streams("claims"), 1):
        claims[c["slug"]] = i
        yield {"nodeID": _nid(i, 1), "text": c["text"], "type": "I"}
    for q in streams("quotes"):
        speaker = people.get(q["speaker"], (0, q["speaker"]))[1]
        n = _quote_number(q["id"], other_quotes)
        yield {"nodeID": _nid(n, 2), "text": f"{speaker}: {q['text']}", "type": "L"}
    for i, r in enumerate(streams("claim_relations"), 1):
        if r["kind"] == "supports":
            yield {"nodeID": _nid(i, 3), "text": "Default Inference", "type": "RA"}
        else:
            yield {"nodeID": _nid(i, 3), "text": "Default Conflict", "type": "CA"}
    k = 0
    for s in streams("stances"):
        for _ref in s["evidence"]:
            k += 1
            yield {"nodeID": _nid(k, 4), "text": YA_TEXT[s["position"]], "type": "YA"}


def _signed_claim(statement: dict[str, Any] | None, claims: dict[str, int]) -> int | None:
    """The number of the claim a signed statement bears on, if it bears on one kb exports."""
    if statement is None or not statement["claim"] or not statement["position"]:
        return None
    return claims.get(statement["claim"])


def _signature_nodes(
    streams: Streams,
    people: dict[str, tuple[int, str]],
    claims: dict[str, int],
    statements: dict[str, dict[str, Any]],
) -> Iterator[dict[str, Any]]:
    """Each signature's L-node, and its YA-node when the statement bears on a claim."""
    for k, sig in enumerate(streams("signatures"), 1):
        signer = people.get(sig["person"], (0, sig["person"]))[1]
        statement = statements.get(sig["statement"])
        title = statement["title"] if statement else sig["statement"]
        yield {"nodeID": _nid(k, 5), "text": f"{signer}: signed “{title}”", "type": "L"}
        if statement is not None and _signed_claim(statement, claims) is not None:
            yield {"nodeID": _nid(k, 6), "text": YA_TEXT[statement["position"]], "type": "YA"}


def _signature_locutions(
    streams: Streams, people: dict[str, tuple[int, str]], statements: dict[str, dict[str, Any]]
) -> Iterator[dict[str, Any]]:
    for k, sig in enumerate(streams("signatures"), 1):
        locution = {"nodeID": _nid(k, 5), "personID": str(people.get(sig["person"], (0, ""))[0])}
        statement = statements.get(sig["statement"])
        if statement is not None and statement["date"]:  # the statement's date, as for a quote
            locution["start"] = statement["date"]
        yield locution


def _edges(
    streams: Streams,
    claims: dict[str, int],
    other_quotes: dict[str, int],
    statements: dict[str, dict[str, Any]],
) -> Iterator[dict[str, Any]]:
    e = 0

    def edge(a: str, b: str) -> dict[str, Any]:
        nonlocal e
        e += 1
        return {"edgeID": str(e), "fromID": a, "toID": b, "formEdgeID": None}

    for i, r in enumerate(streams("claim_relations"), 1):
        if r["from"] in claims and r["to"] in claims:
            yield edge(_nid(claims[r["from"]], 1), _nid(i, 3))
            yield edge(_nid(i, 3), _nid(claims[r["to"]], 1))
    k = 0
    for s in streams("stances"):
        for ref in s["evidence"]:
            k += 1
            if s["claim"] in claims:
                yield edge(_nid(_quote_number(ref, other_quotes), 2), _nid(k, 4))
                yield edge(_nid(k, 4), _nid(claims[s["claim"]], 1))
    for k, sig in enumerate(streams("signatures"), 1):
        claim = _signed_claim(statements.get(sig["statement"]), claims)
        if claim is not None:
            yield edge(_nid(k, 5), _nid(k, 6))
            yield edge(_nid(k, 6), _nid(claim, 1))


def _locutions(
    streams: Streams, people: dict[str, tuple[int, str]], other_quotes: dict[str, int]
) -> Iterator[dict[str, Any]]:
    for q in streams("quotes"):
        pid = people.get(q["speaker"], (0, ""))[0]
        n = _quote_number(q["id"], other_quotes)
        locution = {"nodeID": _nid(n, 2), "personID": str(pid)}
        if q.get("said"):  # when the words were said (AIFdb's locution "start")
            locution["start"] = q["said"]
        yield locution
