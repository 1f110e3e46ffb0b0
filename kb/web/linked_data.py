"""The schema.org JSON-LD that the person, claim and source pages embed in a <script> element,
so that search engines and citation tools read who said what where. Built from the same dicts
as the pages (kb.queries.shapes), with record URLs from kb.web.present.urls.

A person's dated affiliations are OrganizationRoles (schema.org's Role pattern: roleName,
startDate, endDate around the Organization); a claim cites the joint statements signed on it as
CreativeWorks. The signing itself has no schema.org word, so the page leaves it to the export's
kb:Signature (kb.formats.jsonld)."""

from __future__ import annotations

import json
from typing import Any

from markupsafe import Markup

from kb.web.present import absolute, urls


def script(data: dict[str, Any] | list[Any]) -> Markup:
    """JSON-LD that is safe inside <script>: every "<" is written as \\u003c, so neither
    "</script>" nor "<!--" in the data can end or change the script element."""
    return Markup(json.dumps(data, ensure_ascii=False).replace("<", "\\u003c"))


def _person(person: dict[str, Any]) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": "Person",
        "@id": absolute(urls.person(person["slug"])),
        "name": person["name"],
        "url": absolute(urls.person(person["slug"])),
    }
    if person.get("description"):
        doc["description"] = person["description"]
    if person.get("affiliation"):
        doc["jobTitle"] = person["affiliation"]
    if person.get("url"):
        doc["sameAs"] = person["url"]
    return doc


def _work(source: dict[str, Any]) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "@type": "CreativeWork",
        "@id": absolute(urls.source(source["slug"])),
        "name": source["title"],
        "genre": source["kind_label"],
    }
    if source.get("url"):
        doc["url"] = source["url"]
    if source.get("published"):
        doc["datePublished"] = source["published"]
    if source.get("publisher"):
        doc["publisher"] = {"@type": "Organization", "name": source["publisher"]}
    return doc


def _quotation(
    quote: dict[str, Any], speaker: dict[str, Any], source: dict[str, Any]
) -> dict[str, Any]:
    return {
        "@type": "Quotation",
        "text": quote["text"],
        "creator": {
            "@type": "Person",
            "name": speaker["name"],
            "@id": absolute(urls.person(speaker["slug"])),
        },
        "isPartOf": _work(source),
    }


def _role(a: dict[str, Any]) -> dict[str, Any]:
    role: dict[str, Any] = {
        "@type": "OrganizationRole",
        "affiliation": {"@type": "Organization", "name": a["organisation"]},
    }
    for key, field in (("roleName", "role"), ("startDate", "from"), ("endDate", "to")):
        if a.get(field):
            role[key] = a[field]
    return role


def _statement(st: dict[str, Any]) -> dict[str, Any]:
    return {
        "@type": "CreativeWork",
        "@id": absolute(urls.page("statement", st["slug"])),
        "name": st["title"],
    }


def person_page(data: dict[str, Any]) -> Markup:
    """A person, their dated affiliations and the quotes of theirs that the page shows as
    evidence."""
    ld = _person(data["person"])
    if data.get("affiliations"):
        ld["affiliation"] = [_role(a) for a in data["affiliations"]]
    ld["subjectOf"] = [
        _quotation(qd, data["person"], qd["source"])
        for group in data["stances"].values()
        for st in group
        for qd in st["evidence"]
    ]
    return script(ld)


def claim_page(data: dict[str, Any]) -> Markup:
    """A claim, its topics and the quotes cited on each side."""
    c = data["claim"]
    ld: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": "Claim",
        "@id": absolute(urls.claim(c["slug"])),
        "text": c["text"],
        "about": [t["name"] for t in c["topics"]],
        "citation": [
            _quotation(qd, st["person"], qd["source"])
            for group in data["sides"].values()
            for st in group
            for qd in st["evidence"]
        ],
    }
    signed = {sg["statement"]["slug"]: sg["statement"] for sg in data.get("signatures", [])}
    ld["citation"] += [_statement(st) for st in signed.values()]
    return script(ld)


def source_page(data: dict[str, Any]) -> Markup:
    """A source, its authors and the quotes taken from it (each part of it, so not repeated)."""
    s = data["source"]
    ld = {"@context": "https://schema.org", **_work(s)}
    if s["authors"]:
        ld["author"] = [{"@type": "Person", "name": a["name"]} for a in s["authors"]]
    ld["hasPart"] = [_quotation(qd, qd["speaker"], s) for qd in data["quotes"]]
    for part in ld["hasPart"]:
        part.pop("isPartOf")
    return script(ld)
