"""The schema.org JSON-LD that the person, claim, source, topic and statement pages embed in a
<script> element,
so that search engines, citation tools and linked-data readers learn who said what where. Built
from the same dicts as the pages (kb.queries.shapes).

Every resource is named by kb.formats.iris, as in the dumps, so a page's triples and the dump's
are about the same things; stances and claim relations are named too (`@reverse` links them to
the person or claim of the page). The @context is the dumps' own, inline (kb.formats.jsonld),
so no reader fetches https://schema.org to understand a page. Without KB_BASE_URL the records'
IRIs are relative to the page, which a JSON-LD reader resolves against the address it fetched:
the request's host, without kb writing the (forgeable) Host header into a page.

A person's dated affiliations are OrganizationRoles (schema.org's Role pattern); a claim cites
the joint statements signed on it as CreativeWorks, and a statement's page names each signing
as the dump's kb:Signature. A topic is a DefinedTerm that the claims its page lists are about;
a statement is the dump's node for it (kb.formats.jsonld.statement_node)."""

from __future__ import annotations

import json
from typing import Any

from flask import current_app, request
from markupsafe import Markup

from kb.formats import jsonld
from kb.formats.iris import IRIs, web_iri

Node = dict[str, Any]


def script(data: dict[str, Any] | list[Any]) -> Markup:
    """JSON-LD that is safe inside <script>: every "<" is written as \\u003c, so neither
    "</script>" nor "<!--" in the data can end or change the script element."""
    return Markup(json.dumps(data, ensure_ascii=False).replace("<", "\\u003c"))


def page_iris() -> IRIs:
    """The IRIs of a page: under KB_BASE_URL and the app's mount point, or relative to the page
    when KB_BASE_URL is unset."""
    return IRIs(current_app.config.get("BASE_URL", "") + request.script_root)


def _document(iris: IRIs, node: Node) -> Node:
    return {"@context": jsonld.context(iris), **node}


def _person(iris: IRIs, person: dict[str, Any]) -> Node:
    me = iris.person(person["slug"])
    return jsonld.clean(
        {
            "@type": "Person",
            "@id": me,
            "name": person["name"],
            "url": me,
            "description": person.get("description"),
            "jobTitle": person.get("affiliation"),
            "sameAs": web_iri(person.get("url")),
        }
    )


def _agent(iris: IRIs, person: dict[str, Any]) -> Node:
    return {"@type": "Person", "@id": iris.person(person["slug"]), "name": person["name"]}


def _work(iris: IRIs, source: dict[str, Any]) -> Node:
    return jsonld.clean(
        {
            "@type": "CreativeWork",
            "@id": iris.source(source["slug"]),
            "name": source["title"],
            "genre": source["kind_label"],
            "url": web_iri(source.get("url")),
            "datePublished": source.get("published"),
            "publisher": jsonld.organisation(iris, source.get("publisher")),
            "kb:readerNote": source.get("reader_note"),
        }
    )


def _quotation(
    iris: IRIs, quote: dict[str, Any], speaker: dict[str, Any], source: dict[str, Any] | None
) -> Node:
    """A quote; `source` None leaves its source out (the source page it is part of)."""
    agent = _agent(iris, speaker)
    return jsonld.clean(
        {
            "@type": "Quotation",
            "@id": iris.quote(quote["id"]),
            "text": quote["text"],
            "spokenByCharacter": agent,
            "creator": agent,
            "dateCreated": quote.get("said"),
            "isPartOf": _work(iris, source) if source is not None else None,
        }
    )


def _statement(iris: IRIs, st: dict[str, Any]) -> Node:
    return {"@type": "CreativeWork", "@id": iris.statement(st["slug"]), "name": st["title"]}


def _stance(iris: IRIs, st: dict[str, Any], person: str, claim: str) -> Node:
    """A stance shown on the page, named as in the dump; its person and claim by slug."""
    return jsonld.clean(
        {
            "@type": "kb:Stance",
            "@id": iris.stance(person, claim, st.get("as_of")),
            "kb:agent": iris.person(person),
            "kb:claim": iris.claim(claim),
            "kb:position": st["position"],
            "kb:basis": st.get("basis"),
            "kb:probability": st.get("probability"),
            "kb:horizon": st.get("horizon"),
            "kb:asOf": st.get("as_of"),
            "kb:readerNote": st.get("reader_note"),
            "kb:evidence": [iris.quote(q["id"]) for q in st.get("evidence", [])],
        }
    )


def _stances(groups: dict[str, list[dict[str, Any]]]) -> list[dict[str, Any]]:
    return [st for group in groups.values() for st in group]


def person_page(data: dict[str, Any]) -> Markup:
    """A person, their dated affiliations, the quotes of theirs that the page shows as
    evidence and the stances they rest on."""
    iris = page_iris()
    person = data["person"]
    ld = _person(iris, person)
    if data.get("affiliations"):
        ld["affiliation"] = [
            # an affiliation's note says where its dates come from: for editors, not the page
            jsonld.role_node(iris, person["slug"], {**a, "note": None})
            for a in data["affiliations"]
        ]
    stances = _stances(data["stances"])
    ld["subjectOf"] = [
        _quotation(iris, qd, person, qd["source"]) for st in stances for qd in st["evidence"]
    ]
    ld["@reverse"] = {
        "kb:agent": [_stance(iris, st, person["slug"], st["claim"]["slug"]) for st in stances]
    }
    return script(_document(iris, ld))


def _relations(iris: IRIs, slug: str, relations: dict[str, list[dict[str, Any]]]) -> Node:
    """The claim relations the page lists, by the direction they go from this claim."""

    def named(source: str, kind: str, target: str, note: str | None) -> Node:
        """A relation as the page shows it: with its note for readers, not the editors'."""
        return jsonld.relation_node(
            iris, {"from": source, "to": target, "kind": kind, "reader_note": note}
        )

    out = [
        named(slug, kind, other["slug"], other.get("reader_note"))
        for kind in ("supports", "contradicts")
        for other in relations.get(kind, [])
    ]
    into = [
        named(other["slug"], kind, slug, other.get("reader_note"))
        for kind, key in (("supports", "supported_by"), ("contradicts", "contradicted_by"))
        for other in relations.get(key, [])
    ]
    return {"kb:from": out, "kb:to": into}


def claim_page(data: dict[str, Any]) -> Markup:
    """A claim, its topics, the quotes cited on each side, the stances they are evidence for,
    its relations to other claims and the statements signed on it."""
    iris = page_iris()
    c = data["claim"]
    stances = _stances(data["sides"])
    ld: Node = {
        "@type": "Claim",
        "@id": iris.claim(c["slug"]),
        "text": c["text"],
        "about": [
            {"@type": "DefinedTerm", "@id": iris.topic(t["slug"]), "name": t["name"]}
            for t in c["topics"]
        ],
        "citation": [
            _quotation(iris, qd, st["person"], qd["source"])
            for st in stances
            for qd in st["evidence"]
        ],
    }
    signed = {sg["statement"]["slug"]: sg["statement"] for sg in data.get("signatures", [])}
    ld["citation"] += [_statement(iris, st) for st in signed.values()]
    ld["@reverse"] = {
        "kb:claim": [_stance(iris, st, st["person"]["slug"], c["slug"]) for st in stances],
        **_relations(iris, c["slug"], data.get("relations", {})),
    }
    return script(_document(iris, ld))


def source_page(data: dict[str, Any]) -> Markup:
    """A source, its authors and the quotes taken from it (each part of it, so not repeated)."""
    iris = page_iris()
    s = data["source"]
    ld = _work(iris, s)
    if s["authors"]:
        ld["author"] = [_agent(iris, a) for a in s["authors"]]
    ld["hasPart"] = [_quotation(iris, qd, qd["speaker"], None) for qd in data["quotes"]]
    return script(_document(iris, ld))


def topic_page(data: dict[str, Any]) -> Markup:
    """A topic and the claims of the page's rows, each about it (`@reverse` schema:about)."""
    iris = page_iris()
    t = data["topic"]
    ld = jsonld.topic_node(iris, t)
    ld["@reverse"] = {
        "about": [
            {"@type": "Claim", "@id": iris.claim(c["slug"]), "text": c["text"]}
            for c in data["rows"]
        ]
    }
    return script(_document(iris, ld))


def statement_page(data: dict[str, Any]) -> Markup:
    """A joint statement as the dump has it (its claim, position, issuer) and its signatures,
    each a kb:Signature whose signer is named."""
    iris = page_iris()
    claim = data["claim"]
    ld = jsonld.statement_node(iris, {**data, "claim": claim["slug"] if claim else None})
    if claim:
        ld["kb:claim"] = {"@type": "Claim", "@id": iris.claim(claim["slug"]), "text": claim["text"]}
    signatures = []
    for sg in data["signatories"]:
        record = {**sg, "statement": data["slug"], "person": sg["person"]["slug"]}
        node = jsonld.signature_node(iris, record)
        node["kb:agent"] = _agent(iris, sg["person"])  # the signer's IRI, with their name
        del node["kb:statement"]  # the page's statement, by @reverse
        signatures.append(node)
    ld["@reverse"] = {"kb:statement": signatures}
    return script(_document(iris, ld))
