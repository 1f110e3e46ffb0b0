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
  person supports the claim, "Disagreeing" when they oppose it, "Challenging" when mixed.

Node ids are type-tagged numbers (10 x n + tag) so that every id is derived from the data and the
output is the same each time: tag 1 claims (n counts claims in export order), 2 quotes (n is the
quote's database id), 3 relations, 4 YA-nodes (n counts evidence links in export order).
"""

from __future__ import annotations

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
    """The claims, relations, quotes and stances as one AIF JSON document, streamed in passes
    (nodes, edges, locutions): only the small maps of people and claims are kept in memory.
    Each pass fills a map the next ones read (people by slug, claims by slug)."""
    people: dict[str, tuple[int, str]] = {}
    claims: dict[str, int] = {}
    other_quotes: dict[str, int] = {}
    yield "{"
    yield from _array("participants", _participants(streams, people), first_key=True)
    yield from _array("nodes", _nodes(streams, people, claims, other_quotes))
    yield from _array("edges", _edges(streams, claims, other_quotes))
    yield from _array("locutions", _locutions(streams, people, other_quotes))
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


def _edges(
    streams: Streams, claims: dict[str, int], other_quotes: dict[str, int]
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
