"""The <link> elements in every public page's <head>: rel=canonical (the page's one address)
and rel=alternate to the same page in other formats: its JSON twin, its CSV twin where there is
one, its CSL-JSON citation where there is one (and the vocabulary's Turtle and JSON-LD). base.html calls `head_links()`.

A page's alternates are found from the URL map, not listed by hand: a twin page (kb.web.browse
`twin`) has rules for its endpoint with fmt "json" or "csv"; a graph page `x` has `x_json`. The
canonical address keeps the query (a filtered list is its own page) but drops what does not
change the content (empty arguments, page 1) and sorts the rest. Like every absolute link, it is
built from KB_BASE_URL (kb.web.present.absolute), relative when that is unset.
"""

from __future__ import annotations

from typing import Any

from flask import current_app, request, url_for
from werkzeug.routing import BuildError

from kb.web.present import absolute

# Pages not for the public (no canonical address worth announcing).
PRIVATE = ("admin", "auth", "transfer_admin")
# The CSL-JSON citation of a record page (kb.web.cite), by the page's endpoint.
CSL = {
    "browse.person": "cite.person_csl",
    "browse.claim": "cite.claim_csl",
    "browse.source": "cite.source_csl",
}
CSL_TYPE = "application/vnd.citationstyles.csl+json"
# The media type of each `fmt` a page's rules may have, in the order the links are written.
FORMAT_TYPES = {
    "json": "application/json",
    "csv": "text/csv",
    "ttl": "text/turtle",
    "jsonld": "application/ld+json",
}


def _formats(endpoint: str) -> set[str]:
    rules = current_app.url_map.iter_rules(endpoint)
    return {str((rule.defaults or {}).get("fmt")) for rule in rules}


def _args() -> dict[str, Any]:
    args = {k: v for k, v in sorted(request.args.items()) if v != ""}
    if args.get("page") == "1":
        args.pop("page")
    return args


def _build(endpoint: str, **values: Any) -> str | None:
    try:
        return absolute(url_for(endpoint, **values))
    except BuildError:
        return None


def _alternates(endpoint: str, view_args: dict[str, Any], args: dict[str, Any]) -> list:
    formats = _formats(endpoint)
    found = [
        (kind, _build(endpoint, **view_args, **args, fmt=fmt))
        for fmt, kind in FORMAT_TYPES.items()
        if fmt in formats
    ]
    if "json" not in formats and endpoint + "_json" in current_app.view_functions:
        found.insert(0, ("application/json", _build(endpoint + "_json", **view_args, **args)))
    if endpoint in CSL:
        found.append((CSL_TYPE, _build(CSL[endpoint], **view_args)))
    return [(kind, href) for kind, href in found if href]


def head_links() -> dict[str, Any]:
    """{"canonical": href or None, "alternates": [(media type, href)...]} for this request: an
    empty answer for a private page and for an error page (`request.endpoint` is then the page
    that failed, or None)."""
    endpoint = request.endpoint
    empty: dict[str, Any] = {"canonical": None, "alternates": []}
    if not endpoint or endpoint.split(".")[0] in PRIVATE or endpoint == "static":
        return empty
    view_args = {k: v for k, v in (request.view_args or {}).items() if k != "fmt"}
    # a query argument named like a part of the path (?fmt=, ?slug=) is not the page's own
    args = {k: v for k, v in _args().items() if k != "fmt" and k not in view_args}
    formats = _formats(endpoint)
    canonical_args = {**view_args, **args, **({"fmt": "html"} if "html" in formats else {})}
    return {
        "canonical": _build(endpoint, **canonical_args),
        "alternates": _alternates(endpoint, view_args, args),
    }
