"""What the reader's blueprints share in how they answer: JSON bodies, error answers, record
URLs (`urls`, the one builder, also a Jinja global) and the agreement score's colour and sign.
Here, below browse, graph, panels and admin, so that each imports it instead of importing one
another (which made an import circle)."""

from __future__ import annotations

import re
from typing import Any

from flask import Response, current_app, g, jsonify, render_template, request, url_for
from werkzeug.exceptions import HTTPException

from kb.formats.iris import FOLDERS


def json_response(data: dict[str, Any], status: int = 200) -> Response:
    response = jsonify(data)
    response.status_code = status
    return response


def http_error(exc: HTTPException) -> Any:
    """The JSON twins answer errors in JSON (the shape /api/openapi.json documents); pages keep
    the site's HTML error page."""
    if request.path.endswith(".json"):
        return json_response(
            {"error": {"status": exc.code, "name": exc.name, "message": exc.description}},
            exc.code or 500,
        )
    return (
        render_template("errors/error.html", code=exc.code, name=exc.name, message=exc.description),
        exc.code,
    )


def absolute(path: str) -> str:
    """`path` (from url_for) made absolute with the configured KB_BASE_URL, or left relative
    when it is unset. Never from the request's Host header: anyone can send Host:
    evil.example, and a cache would then serve that page's links to everyone (same ETag)."""
    return current_app.config.get("BASE_URL", "") + path


# The reader's page of each kind of record: its endpoint and, when the browse blueprint is not
# registered (a graph-only app in tests), the documented path it would have.
# The folders are the linked-data IRI scheme's (kb.formats.iris): a record's IRI is its page.
# Slugs that url_for puts in a URL unchanged (unreserved characters), and the placeholder
# that stands for one in a cached URL pattern.
PLAIN_SLUG = re.compile(r"[A-Za-z0-9._~-]+\Z")
SLUG_MARK = "kb-slug-mark"
PAGES = {
    kind: (f"browse.{kind}", FOLDERS[kind])
    for kind in ("person", "claim", "source", "topic", "statement")
}


class RecordURLs:
    """The one place a record's URL is built, like Datasette's url_builder: views call
    `urls.person(slug)`, templates the same through the `urls` Jinja global, so no page or
    template writes "/people/..." or url_for("browse.person", ...) by hand."""

    def page(self, kind: str, slug: str, fmt: str | None = None) -> str:
        """The reader's page of a person, claim, source or topic (`fmt` "json": its twin)."""
        endpoint, folder = PAGES[kind]
        args: dict[str, Any] = {"fmt": fmt} if fmt else {}
        if endpoint not in current_app.view_functions:
            return f"/{folder}/{slug}" + (f".{fmt}" if fmt and fmt != "html" else "")
        if not PLAIN_SLUG.match(slug):
            return url_for(endpoint, slug=slug, **args)
        # a slug url_for leaves as it is goes into the app context's one pattern for this
        # kind and format (url_for took a third of /estimates' time on 4,000 rows)
        patterns = g.setdefault("kb_url_patterns", {})
        key = (endpoint, fmt)
        if key not in patterns:
            patterns[key] = url_for(endpoint, slug=SLUG_MARK, **args).split(SLUG_MARK)
        before, after = patterns[key]
        return before + slug + after

    def person(self, slug: str, fmt: str | None = None) -> str:
        return self.page("person", slug, fmt)

    def claim(self, slug: str, fmt: str | None = None) -> str:
        return self.page("claim", slug, fmt)

    def source(self, slug: str, fmt: str | None = None) -> str:
        return self.page("source", slug, fmt)

    def topic(self, slug: str, fmt: str | None = None) -> str:
        return self.page("topic", slug, fmt)

    def quote(self, speaker_slug: str) -> str:
        """A quote has no page of its own: readers find it on its speaker's page."""
        return self.page("person", speaker_slug)

    def quote_page(self, quote_id: int) -> str:
        """A quote's own page: the quote, its replies and the outcome of readers' reports."""
        if "evidence.quote_page" in current_app.view_functions:
            return url_for("evidence.quote_page", quote_id=quote_id)
        return f"/quotes/{quote_id}"

    def report(self, target: str, target_id: int) -> str:
        """The "Report a problem" form of a quote, stance or source."""
        if "evidence.report" in current_app.view_functions:
            return url_for("evidence.report", target=target, target_id=target_id)
        return f"/report/{target}/{target_id}"

    def public(self, entity: str, obj: Any) -> str | None:
        """The reader's page of an admin record, if its kind has one (stances, quotes and
        claim relations are seen on the pages of what they link)."""
        slug = getattr(obj, "slug", None)
        return self.page(entity, slug) if entity in PAGES and slug else None

    def history(self, entity: str, record_id: int) -> str:
        """The admin history of a record (a reader's report's is beside its triage page)."""
        if entity == "report":
            return url_for("evidence_admin.report_history", report_id=record_id)
        if entity == "verification":
            return url_for("admin.trail_history", entity=entity, record_id=record_id)
        return url_for("admin.record_history", entity=entity, record_id=record_id)

    def edit(self, entity: str, record_id: int) -> str:
        """The admin form of a record (a reader's report: its triage page; a check in a
        verification trail, which only `kb verify` and imports write: its history)."""
        if entity == "report":
            return url_for("evidence_admin.report", report_id=record_id)
        if entity == "verification":
            return self.history(entity, record_id)
        return url_for("admin.edit", entity=entity, record_id=record_id)


urls = RecordURLs()
# The (kind, slug) callable that kb.graph.svg and the graph pages take for each node's link.
href = urls.page


def score_class(score: float) -> str:
    bucket = max(-4, min(4, round(score * 4)))
    return f"score-{'p' if bucket >= 0 else 'n'}{abs(bucket)}"


def signed(score: float) -> str:
    return f"{score:+.2f}".replace("-", "−")
