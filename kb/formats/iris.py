"""The one IRI scheme of kb's linked data: every record's name, for the pages' JSON-LD and the
dumps (JSON-LD, Turtle, N-Triples) alike, so the same record is the same resource everywhere.

A record with a reader's page is named by that page's address (`<base>/people/<slug>`: the
name dereferences to a description of the thing, as linked data asks); the others by a path of
their natural key under a folder of their kind (`<base>/stances/<person>/<claim>/<as of>`), the
key the importer matches them by, so loading a dump twice names each stance, relation,
signature and affiliation once instead of making a new blank node each time. A quote is
`<base>/quotes/<database id>`, the number of its kb/1 id "q<n>" (and of /quotes/<n>.csl.json).

`base` is KB_BASE_URL (a scheme and host, plus any prefix the app is mounted under). Unset, the
pages use "" (IRIs relative to the page, which a JSON-LD reader resolves against the address it
fetched: the request's own host, without kb ever writing the forgeable Host header into a page)
and the dumps DEFAULT_BASE_URL. kb's own terms live in its vocabulary, `<base>/ns#` (served at
/ns); it is always absolute, because a JSON-LD prefix must be.
"""

from __future__ import annotations

import re
from urllib.parse import quote

# Where the dumps name records when no base URL is configured (docs/FORMAT.md says so): under
# the reserved top-level domain .invalid (RFC 2606), which can never be anyone's real address,
# so an unconfigured dump is plainly so and never claims a host (localhost has no port either).
DEFAULT_BASE_URL = "http://kb.invalid"
VOCAB_PATH = "/ns"
SCHEMA = "https://schema.org/"

# The folder of each kind: the reader's page for the first five (kb.web.present.PAGES builds
# those pages' URLs from the same names), a name only for the rest.
FOLDERS = {
    "person": "people",
    "claim": "claims",
    "source": "sources",
    "topic": "topics",
    "statement": "statements",
    "quote": "quotes",
    "stance": "stances",
    "relation": "claim-relations",
    "signature": "signatures",
    "affiliation": "affiliations",
    "organisation": "organisations",
}
UNDATED = "undated"
NO_ROLE = "-"


def _segment(key: object) -> str:
    # Every character but the unreserved ones escaped, "/" too: a key is one path segment.
    return quote(str(key), safe="-._~")


# What an IRI may not hold (RFC 3987) and a URL from the data may (kb.rules.is_web_url lets
# `<>"{}|^`` through, and a record can hold any text): a blank or control character, one of
# those, a backslash, or a "%" that begins no percent-encoding.
_NOT_IN_IRI = re.compile(r'[\x00-\x20<>"{}|^`\\\x7f]|%(?![0-9A-Fa-f]{2})')


_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:")


def web_iri(url: str | None) -> str | None:
    """A URL from the data as a valid IRI: each character an IRI may not hold percent-encoded
    (as UTF-8), as a browser does before it asks for the address; any other is kept, non-ASCII
    letters and existing percent-encodings too. So every reader of the dumps and pages, and
    every RDF syntax, takes the same IRI. None for a URL without a scheme, which each reader
    would resolve against another address (N-Triples has no relative IRIs)."""
    if url is None or not _SCHEME.match(url):
        return None
    return _NOT_IN_IRI.sub(lambda m: "".join(f"%{b:02X}" for b in m[0].encode()), url)


def vocab_iri(base: str) -> str:
    """The namespace of kb's own terms: `<base>/ns#`, under DEFAULT_BASE_URL when `base` is
    "" or a path alone (a page's relative base: a JSON-LD prefix must be absolute)."""
    if not base.startswith(("http://", "https://")):
        base = DEFAULT_BASE_URL + base
    return base + VOCAB_PATH + "#"


class IRIs:
    """Every record's IRI under one base: `IRIs(base).person(slug)`..."""

    def __init__(self, base: str) -> None:
        self.base = base.rstrip("/")
        self.vocab = vocab_iri(self.base)

    def record(self, kind: str, *keys: object) -> str:
        return f"{self.base}/{FOLDERS[kind]}/" + "/".join(_segment(k) for k in keys)

    def person(self, slug: str) -> str:
        return self.record("person", slug)

    def claim(self, slug: str) -> str:
        return self.record("claim", slug)

    def source(self, slug: str) -> str:
        return self.record("source", slug)

    def topic(self, slug: str) -> str:
        return self.record("topic", slug)

    def statement(self, slug: str) -> str:
        return self.record("statement", slug)

    def quote(self, ref: int | str) -> str:
        """A quote by its database id or its kb/1 id "q<n>"."""
        text = str(ref)
        return self.record("quote", text[1:] if text.startswith("q") else text)

    def stance(self, person: str, claim: str, as_of: str | None) -> str:
        return self.record("stance", person, claim, as_of or UNDATED)

    def relation(self, source: str, kind: str, target: str) -> str:
        return self.record("relation", source, kind, target)

    def signature(self, statement: str, person: str) -> str:
        return self.record("signature", statement, person)

    def organisation(self, name: str) -> str:
        return self.record("organisation", name)

    def affiliation(
        self, person: str, organisation: str, role: str | None, start: str | None
    ) -> str:
        """An affiliation by the importer's key: person, organisation, role and start."""
        return self.record("affiliation", person, organisation, role or NO_ROLE, start or UNDATED)
