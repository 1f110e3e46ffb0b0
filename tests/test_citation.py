"""Citing kb: the styles of kb.formats.citation on the seed's real records, the "Cite this page"
box on person, claim and source pages, and the CSL-JSON downloads beside them."""

from __future__ import annotations

import json
import re

import pytest

from kb import models as m
from kb.formats import citation
from kb.load.seed import seed_document
from kb.store import datastate
from tests.factories import make_person, make_quote, make_source

HOSTILE = 'Evil "Q" {B} \\x <script>alert(1)</script> & 50% #1 ~_^$'


def _seed_source(slug: str) -> tuple[dict, list[str]]:
    """A seed source record and its authors' names, as the source page has them."""
    doc = seed_document()
    names = {p["slug"]: p["name"] for p in doc["people"]}
    record = next(s for s in doc["sources"] if s["slug"] == slug)
    return record, [names[a] for a in record["authors"]]


# ------------------------------------------------------------------ the styles, on seed records


def test_a_seed_source_with_an_author_in_every_style() -> None:
    record, authors = _seed_source("chollet-limits")
    w = citation.source_work(record, authors)
    url = record["url"]
    assert citation.apa(w) == (
        f"Chollet, F. (2017, July 17). The limitations of deep learning. {record['publisher']}. "
        + url
    )
    assert citation.mla(w).startswith("Chollet, François. “The limitations of deep learning.” ")
    assert citation.mla(w).endswith(", 17 July 2017, " + url + ".")
    assert citation.chicago(w).startswith("Chollet, François. “The limitations of deep learning.”")
    assert "July 17, 2017." in citation.chicago(w)
    bib = citation.bibtex(w)
    assert bib.startswith("@misc{kb-source-chollet-limits,\n")
    assert "  author = {Chollet, François},\n" in bib and "  month = jul,\n" in bib
    assert "  year = {2017},\n" in bib and f"  url = {{{url}}}" in bib


def test_several_authors_are_listed_as_each_style_lists_them() -> None:
    record, authors = _seed_source("hawking-indep-2014")
    assert len(authors) == 3
    w = citation.source_work(record, authors)
    given, family = citation.split_name(authors[0])
    assert citation.apa(w).startswith(f"{family}, {given[0]}.")
    assert ", & " in citation.apa(w)
    assert citation.mla(w).startswith(f"{family}, {given}, et al. ")
    assert f", and {authors[2]}." in citation.chicago(w)
    assert f"author = {{{family}, {given} and " in citation.bibtex(w)
    assert citation.bibtex(w).count(" and ") == 2


def test_missing_fields_are_left_out_never_invented() -> None:
    """The seed's DealBook interview has no author and no day; kb's pages have no publisher."""
    record, authors = _seed_source("altman-dealbook-2024")
    assert authors == [] and record["published"] == "2024-12"
    w = citation.source_work(record, authors)
    assert citation.apa(w).startswith(f"{record['title']}. (2024, December). ")
    assert citation.mla(w).startswith(f"“{record['title']}.”")
    assert "author" not in citation.bibtex(w) and "date =" not in citation.bibtex(w)
    assert "author" not in citation.csl(w) and citation.csl(w)["issued"] == {
        "date-parts": [[2024, 12]]
    }
    assert not any(word in citation.apa(w) for word in ("Anonymous", "Unknown", "None"))
    page = citation.kb_page(
        "k", "Sam Altman", "https://kb.example/people/sam-altman", None, "2026-12-02"
    )
    for text in citation.styles(page).values():
        assert "publisher" not in text and "None" not in text


def test_a_page_without_a_change_date_is_cited_as_accessed_today() -> None:
    url = "https://kb.example/people/sam-altman"
    page = citation.kb_page("kb-page-person-sam-altman", "Sam Altman", url, None, "2026-12-02")
    assert citation.apa(page) == (
        f"Sam Altman. (n.d.). In kb. Retrieved December 2, 2026, from {url}"
    )
    assert citation.mla(page).endswith("Accessed 2 Dec. 2026.")
    assert "Accessed December 2, 2026." in citation.chicago(page)
    assert "urldate = {2026-12-02}" in citation.bibtex(page)
    assert citation.csl(page)["accessed"] == {"date-parts": [[2026, 12, 2]]}
    dated = citation.kb_page("k", "Sam Altman", url, "2026-11-30", "2026-12-02")
    assert citation.apa(dated) == f"Sam Altman. (2026, November 30). In kb. {url}"
    assert "Last modified November 30, 2026." in citation.chicago(dated)
    assert "accessed" not in citation.csl(dated)


def test_the_original_line_is_in_wikipedias_order() -> None:
    """Speaker, title, publisher, date, archived copy, locator: one order for every page."""
    record, _ = _seed_source("altman-dealbook-2024")
    quote = {"id": 7, "speaker": {"name": "Sam Altman"}, "locator": "at 12:30", "said": None}
    source = {**record, "archived_url": "https://web.archive.org/x"}
    w = citation.quote_work(quote, source)
    roles = [p.role for p in citation.original_parts(w)]
    assert roles == ["author", "title", "publisher", "date", "archived", "locator"]
    line = citation.original(w)
    assert line.index("Sam Altman") < line.index(record["title"]) < line.index("December 2024")
    assert line.endswith("Archived copy: https://web.archive.org/x. At at 12:30.")
    # the styles with no place for an archive or a locator keep them in BibTeX's and CSL's note
    assert "Archived copy: https://web.archive.org/x" in citation.bibtex(w)
    assert citation.csl(w)["note"] == "At at 12:30; Archived copy: https://web.archive.org/x"


def test_an_unreadable_date_is_left_out() -> None:
    w = citation.Work(key="k", title="T", issued="sometime in 2020")
    assert "(n.d.)" in citation.apa(w) and "issued" not in citation.csl(w)
    assert "year" not in citation.bibtex(w)


# ------------------------------------------------------------------ escaping


def test_bibtex_escapes_every_special_character() -> None:
    w = citation.Work(key="kb-x", title=HOSTILE, authors=(HOSTILE,), url="https://e.x/a{b}\\c d")
    bib = citation.bibtex(w)
    assert r"\{B\}" in bib and r"\textbackslash{}x" in bib and r"\&" in bib and r"\%" in bib
    assert r"\#1" in bib and r"\~{}\_\^{}\$" in bib
    assert "url = {https://e.x/a%7Bb%7D%5Cc%20d}" in bib
    # with the escapes taken out, every brace opens and closes a field: none comes from the data
    depth = 0
    for char in re.sub(r"\\[{}]", "", bib):
        depth += {"{": 1, "}": -1}.get(char, 0)
        assert depth >= 0
    assert depth == 0


def test_csl_json_keeps_hostile_text_exactly() -> None:
    w = citation.Work(key="kb-x", title=HOSTILE, authors=(HOSTILE,))
    (item,) = json.loads(citation.csl_json([w]))
    assert item["title"] == HOSTILE
    assert item["author"][0]["family"] == "~_^$"


@pytest.fixture
def hostile(seeded_app):
    """A person, source and quote whose every text is hostile."""
    with seeded_app.app_context():
        session = seeded_app.extensions["kb.sessionmaker"]()
        person = make_person(session, slug="evil", name=HOSTILE)
        source = make_source(session, slug="evil-src", title=HOSTILE, publisher=HOSTILE)
        make_quote(session, person, source, text=HOSTILE, locator=HOSTILE)
        session.commit()
        session.close()
    return seeded_app


@pytest.mark.parametrize("path", ["/people/evil", "/sources/evil-src"])
def test_hostile_names_are_escaped_in_the_box(hostile, path) -> None:
    html = hostile.test_client().get(path).get_data(as_text=True)
    box = html[html.index('<details class="cite"') :]
    assert "<script>alert" not in box
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in box
    assert "</textarea>" in box and box.count("<textarea") == box.count("</textarea>")


def test_hostile_names_survive_the_csl_download(hostile) -> None:
    client = hostile.test_client()
    (page,) = client.get("/people/evil.csl.json").get_json(force=True)
    assert page["title"] == HOSTILE
    quote_id = json.loads(client.get("/sources/evil-src.json").data)["quotes"][0]["id"]
    original, entry = client.get(f"/quotes/{quote_id}.csl.json").get_json(force=True)
    assert original["title"] == HOSTILE and original["note"] == f"At {HOSTILE}"
    assert entry["URL"].endswith(f"/sources/evil-src#quote-{quote_id}")


# ------------------------------------------------------------------ the pages and downloads


@pytest.mark.parametrize(
    "path", ["/people/sam-altman", "/claims/ai-existential-risk", "/sources/chollet-limits"]
)
def test_every_detail_page_has_a_collapsed_cite_box(seeded_client, path) -> None:
    html = seeded_client.get(path).get_data(as_text=True)
    assert html.count('<details class="cite" id="cite">') == 1  # collapsed: no "open"
    assert "<summary>Cite this page</summary>" in html
    for _key, label in citation.STYLES:
        assert f">{label}</label>" in html
    assert f'href="{path}.csl.json" download' in html


def test_the_box_cites_kbs_page_with_the_date_of_the_last_change(seeded_app) -> None:
    seeded_app.config["BASE_URL"] = "https://kb.example"
    html = seeded_app.test_client().get("/people/sam-altman").get_data(as_text=True)
    with seeded_app.app_context():
        session = seeded_app.extensions["kb.sessionmaker"]()
        changed = datastate.state(session)[1]
        session.close()
    assert changed is not None
    when = citation._long_date([changed.year, changed.month, changed.day])
    assert f"Sam Altman.” kb. Last modified {when}. https://kb.example/people/sam-altman." in html
    assert "dated when kb’s data last changed" in html


def test_the_source_box_gives_the_original_and_each_quote(seeded_client) -> None:
    data = seeded_client.get("/sources/chollet-limits.json").get_json()
    html = seeded_client.get("/sources/chollet-limits").get_data(as_text=True)
    assert "The original source" in html
    assert 'François Chollet</span>. <span class="cite-title">' in html
    for q in data["quotes"]:
        assert f'id="quote-{q["id"]}"' in html  # the entry the quote's citation points at
        assert f'href="/quotes/{q["id"]}.csl.json" download' in html


@pytest.mark.parametrize(
    ("path", "count"),
    [
        ("/people/sam-altman.csl.json", 1),
        ("/claims/ai-existential-risk.csl.json", 1),
        ("/sources/chollet-limits.csl.json", 2),
    ],
)
def test_csl_downloads(seeded_client, path, count) -> None:
    r = seeded_client.get(path)
    assert r.status_code == 200
    assert r.mimetype == "application/vnd.citationstyles.csl+json"
    assert r.headers["Content-Disposition"].startswith("attachment; filename=")
    items = json.loads(r.data)
    assert len(items) == count
    assert items[0]["type"] == "webpage" and items[0]["container-title"] == "kb"
    assert items[0]["URL"] == path.removesuffix(".csl.json")


def test_a_quotes_download_cites_the_original_with_its_speaker(seeded_client, seeded_app) -> None:
    with seeded_app.app_context():
        session = seeded_app.extensions["kb.sessionmaker"]()
        quote = session.query(m.Quote).order_by(m.Quote.id).first()
        speaker, source, said = quote.speaker.name, quote.source, quote.source.published_on
        qid, slug, title = quote.id, source.slug, source.title
        session.close()
    original, entry = seeded_client.get(f"/quotes/{qid}.csl.json").get_json(force=True)
    assert original["author"] == [
        dict(zip(("given", "family"), citation.split_name(speaker), strict=True))
    ]
    assert original["title"] == title
    assert original["issued"]["date-parts"][0][0] == said.year
    assert entry["URL"] == f"/sources/{slug}#quote-{qid}"


@pytest.mark.parametrize(
    "path", ["/people/nobody.csl.json", "/claims/nobody.csl.json", "/sources/nobody.csl.json",
             "/quotes/999999.csl.json"],
)  # fmt: skip
def test_unknown_records_have_no_download(seeded_client, path) -> None:
    r = seeded_client.get(path)
    assert r.status_code == 404
    assert r.get_json()["error"]["status"] == 404


def test_the_json_twins_are_unchanged_by_the_box(seeded_client) -> None:
    """The .json twin of a page is still the page's data, not its citation."""
    r = seeded_client.get("/people/sam-altman.json")
    assert r.status_code == 200 and "person" in r.get_json()


def test_a_source_with_many_quotes_cites_only_the_first(hostile, monkeypatch) -> None:
    from kb.web import cite

    monkeypatch.setattr(cite, "QUOTE_LIMIT", 0)
    html = hostile.test_client().get("/sources/evil-src").get_data(as_text=True)
    assert "Citations of the first 0 of 1 quotes." in html
    assert "Cite this quote" not in html


@pytest.mark.parametrize(
    "path", ["/quotes/2147483648.csl.json", "/quotes/-1.csl.json", "/quotes/null.csl.json"]
)
def test_a_quote_number_that_names_no_quote_is_a_json_404(seeded_client, path) -> None:
    """On either database: an id past the column's range is no quote (not a 500 from
    PostgreSQL), and an address no route matches still answers in JSON."""
    response = seeded_client.get(path)
    assert response.status_code == 404
    assert response.get_json()["error"]["status"] == 404
