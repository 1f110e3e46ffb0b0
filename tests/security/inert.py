"""Checks that a page, an SVG picture, a JSON-LD block or a CSV file carries data only as
inert text. Parsed, not grepped: html.parser sees tags and attributes the way a browser's
tokenizer does, so a payload that broke out of its text or attribute shows up as a real
element or attribute here. No tests here."""

from __future__ import annotations

import csv
import io
import json
import re
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

from tests.security.payloads import BAD_SCHEMES, FORMULA_STARTS

URL_ATTRS = {"href", "src", "action", "formaction", "xlink:href", "data", "poster", "srcdoc"}
FORBIDDEN_TAGS = {"iframe", "object", "embed", "base", "frame", "frameset", "applet"}
# kb's own scripts (static/*.js, served from /static/): the only script elements a page may
# hold besides JSON-LD data blocks. A payload cannot make these run anything new.
OWN_SCRIPTS = {
    f"/static/{path.name}" for path in (Path(__file__).parents[2] / "static").glob("*.js")
}
_SPACE = re.compile(r"\s+")
# Browsers drop these anywhere in a URL's scheme, so "java\tscript:" is still javascript:.
_URL_NOISE = re.compile(r"[\x00-\x20\x7f]+")


def squash(text: str) -> str:
    """Whitespace runs to one space, ends stripped: how a page's text is compared."""
    return _SPACE.sub(" ", text.replace("\r", "\n")).strip()


def bad_scheme(value: str) -> bool:
    cleaned = _URL_NOISE.sub("", value).lower()
    return cleaned.startswith(BAD_SCHEMES)


class PageInspector(HTMLParser):
    """Collects everything on a page that could run script, plus its visible text and its
    JSON-LD blocks."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []
        self.text: list[str] = []
        self.jsonld: list[str] = []
        self.svg: int = 0
        self._in_script: str | None = None

    def _tag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        where = f"<{tag} {attrs!r}>"
        names = {name for name, _ in attrs}
        if tag == "script":
            kind = dict(attrs).get("type")
            own = kind is None and dict(attrs).get("src") in OWN_SCRIPTS
            if not own and (kind != "application/ld+json" or "src" in names):
                self.problems.append(f"script element {where}")
            self._in_script = kind
        if tag in FORBIDDEN_TAGS:
            self.problems.append(f"forbidden element {where}")
        if tag == "meta" and "http-equiv" in names:
            self.problems.append(f"meta http-equiv {where}")
        if tag == "svg":
            self.svg += 1
        for name, value in attrs:
            if name.startswith("on"):
                self.problems.append(f"event handler attribute {name} in {where}")
            if name in URL_ATTRS and value is not None and bad_scheme(value):
                self.problems.append(f"dangerous URL {name}={value!r} in {where}")

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._tag(tag, attrs)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._tag(tag, attrs)

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self._in_script = None

    def handle_data(self, data: str) -> None:
        if self._in_script == "application/ld+json":
            self.jsonld.append(data)
        elif self._in_script is None:
            self.text.append(data)

    def handle_comment(self, data: str) -> None:
        # kb's templates write no comments: one in a page came from data.
        self.problems.append(f"HTML comment in the page: {data[:60]!r}")


def inspect_html(html: str, where: str) -> PageInspector:
    """Parse a page and fail on anything script-like; returns the parser for more checks."""
    inspector = PageInspector()
    inspector.feed(html)
    inspector.close()
    assert not inspector.problems, f"{where}: {inspector.problems[:5]}"
    for block in inspector.jsonld:
        check_jsonld(block, where)
    return inspector


def page_text(inspector: PageInspector) -> str:
    return squash(" ".join(inspector.text))


def strings_in(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for v in value.values() for s in strings_in(v)]
    if isinstance(value, list):
        return [s for v in value for s in strings_in(v)]
    return []


def check_jsonld(raw: str, where: str) -> Any:
    """A JSON-LD block inside <script>: nothing that could end the script element or open a
    comment state, and still valid JSON."""
    assert "</" not in raw, f"{where}: '</' inside a JSON-LD block"
    assert "<!--" not in raw, f"{where}: '<!--' inside a JSON-LD block"
    assert "<script" not in raw.lower(), f"{where}: '<script' inside a JSON-LD block"
    return json.loads(raw)


def check_svg(markup: str, where: str) -> ET.Element:
    """An SVG picture must be well-formed XML (so no payload closed an element or a CDATA
    section) with no script, event handler or dangerous link."""
    root = ET.fromstring(markup)
    for el in root.iter():
        tag = el.tag.rsplit("}", 1)[-1]
        assert tag not in ("script", "foreignObject", "iframe"), f"{where}: <{tag}> in SVG"
        for name, value in el.attrib.items():
            local = name.rsplit("}", 1)[-1]
            assert not local.startswith("on"), f"{where}: {name} on <{tag}>"
            if local == "href":
                assert not bad_scheme(value), f"{where}: {name}={value!r}"
    return root


def check_csv(body: str, where: str) -> list[list[str]]:
    """Every cell of a CSV export is safe to open in a spreadsheet: none starts with a
    formula character."""
    rows = list(csv.reader(io.StringIO(body, newline="")))
    assert rows, f"{where}: empty CSV"
    for line, row in enumerate(rows[1:], 2):
        for cell in row:
            assert not cell.startswith(FORMULA_STARTS), f"{where} line {line}: {cell!r}"
    return rows
