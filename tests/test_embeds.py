"""Embeddable cards (issue 19 item 5): /embed/people/<slug> and /embed/claims/<slug> are small
pages that stand alone (inline CSS, no script, nothing from anywhere else) with the stance
summary, one verbatim quote and a link back that opens outside the frame. They alone may be
framed by other sites; every other page keeps frame-ancestors 'none' and X-Frame-Options. The
person and claim pages show the <iframe> to copy in an "Embed this" box."""

from __future__ import annotations

import html
import re

import pytest
from markupsafe import escape

from kb.web.database import session_scope
from tests.factories import make_claim, make_person, make_quote, make_stance

HOSTILE = 'AI <script>alert("x")</script> & "quotes" ]]>'


def _records(app) -> dict[str, str]:
    with app.app_context(), session_scope() as s:
        ada, bob = make_person(s, name="Ada Example"), make_person(s, name="Bob Example")
        claim = make_claim(s, text=HOSTILE)
        quote = make_quote(s, ada, text="We should be careful <b>now</b>.")
        make_stance(s, ada, claim, evidence=[quote])
        make_stance(s, bob, claim, "opposes")
        return {"ada": ada.slug, "claim": claim.slug}


def _card(client, path: str) -> str:
    r = client.get(path)
    assert r.status_code == 200, path
    csp = r.headers["Content-Security-Policy"]
    assert "frame-ancestors *" in csp and "default-src 'none'" in csp
    assert "script-src" not in csp  # default-src 'none' forbids every script
    assert "X-Frame-Options" not in r.headers
    return r.text


def test_a_person_card_has_the_summary_one_quote_and_a_link_back(app, client) -> None:
    slugs = _records(app)
    card = _card(client, f"/embed/people/{slugs['ada']}")
    assert "<h1>Ada Example</h1>" in card
    assert "Supports 1 claim" in card and "✓" in card
    assert card.count("<blockquote>") == 1
    assert "We should be careful &lt;b&gt;now&lt;/b&gt;." in card
    assert f'href="/people/{slugs["ada"]}" target="_blank" rel="noopener"' in card


def test_a_claim_card_shows_both_sides_and_escapes_the_text(app, client) -> None:
    slugs = _records(app)
    card = _card(client, f"/embed/claims/{slugs['claim']}")
    assert str(escape(HOSTILE)) in card and "<script>" not in card
    assert "1 supporting" in card and "1 opposing" in card
    assert "Ada Example" in card and "Bob Example" in card  # one of each side first


def test_a_card_stands_alone(app, client) -> None:
    slugs = _records(app)
    for path in (f"/embed/people/{slugs['ada']}", f"/embed/claims/{slugs['claim']}"):
        card = _card(client, path)
        assert "<script" not in card and "<link" not in card and "<img" not in card
        assert not re.search(r'(src|href)="(?!/|#)', card.replace('href="https://', "")), path
        assert "@import" not in card and "url(" not in card


def test_only_cards_may_be_framed(app, client) -> None:
    slugs = _records(app)
    for path in ("/", f"/people/{slugs['ada']}", f"/claims/{slugs['claim']}", "/changes"):
        r = client.get(path)
        assert "frame-ancestors 'none'" in r.headers["Content-Security-Policy"], path
        assert r.headers["X-Frame-Options"] == "DENY", path
    missing = client.get("/embed/people/nobody")
    assert missing.status_code == 404


@pytest.mark.parametrize("kind", ["people", "claims"])
def test_the_pages_offer_the_iframe_to_copy(app, client, kind) -> None:
    slugs = _records(app)
    slug = slugs["ada"] if kind == "people" else slugs["claim"]
    page = client.get(f"/{kind}/{slug}").text
    box = page.split('<details class="embed-box">')[1].split("</details>")[0]
    assert "<summary>Embed this</summary>" in box
    code = html.unescape(re.search(r"<textarea[^>]*>(.*?)</textarea>", box, re.S).group(1))
    # what a reader copies: one iframe, its attributes escaped, nothing to run
    assert code.startswith(f'<iframe src="/embed/{kind}/{slug}" title="kb: ')
    assert code.endswith("></iframe>") and code.count("<") == 2
    assert "<script" not in code


def test_with_a_base_url_the_snippet_is_absolute(app, client) -> None:
    app.config["BASE_URL"] = "https://kb.example.org"
    slugs = _records(app)
    page = client.get(f"/people/{slugs['ada']}").text
    assert f"&lt;iframe src=&#34;https://kb.example.org/embed/people/{slugs['ada']}&#34;" in page
    assert (
        "frame-ancestors *"
        in client.get(f"/embed/people/{slugs['ada']}").headers["Content-Security-Policy"]
    )
