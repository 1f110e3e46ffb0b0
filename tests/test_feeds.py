"""Atom feeds of what changed (issue 19 item 3): the site's (/changes.atom) and one per person,
claim and topic, read here as a feed reader reads them (feedparser): well-formed Atom 1.0,
the newest changes first and at most FEED_LIMIT of them, each with a stable tag: id, an
absolute link to the page it is seen on and the time of the change; titles in readers' words
that survive any text (<script>, &, ]]>); no editor and no private record ever in them; and
each page links its feed with <link rel="alternate">."""

from __future__ import annotations

import re

import feedparser
from sqlalchemy import insert

from kb import models as m
from kb.queries.changes import FEED_LIMIT
from kb.web.database import session_scope
from tests.factories import make_claim, make_person, make_stance

HOSTILE = 'Robots <script>alert("x")</script> & friends ]]> win'
ATOM = "application/atom+xml"


def _feed(client, path: str):
    r = client.get(path)
    assert r.status_code == 200, (path, r.status_code)
    assert r.mimetype == ATOM
    parsed = feedparser.parse(r.data)
    assert parsed.bozo == 0, parsed.get("bozo_exception")
    assert parsed.version == "atom10"
    return parsed, r.text


def _records(app, claim_text: str = "Claim text.") -> dict[str, str]:
    with app.app_context(), session_scope() as s:
        s.info["actor"] = "alice-the-editor"
        ada, bob = make_person(s, name="Ada Example"), make_person(s, name="Bob Example")
        topic = m.Topic(slug="risks", name="Risks")
        claim = make_claim(s, text=claim_text, topics=[topic])
        make_stance(s, ada, claim)
        make_stance(s, bob, make_claim(s, text="Another claim."))
        return {"ada": ada.slug, "bob": bob.slug, "claim": claim.slug, "topic": topic.slug}


def test_the_site_feed_is_valid_atom_newest_first_with_stable_ids(app, client) -> None:
    _records(app)
    feed, _ = _feed(client, "/changes.atom")
    assert feed.feed.title == "kb: recent changes"
    assert {link.rel for link in feed.feed.links} == {"alternate", "self"}
    entries = feed.entries
    assert entries and all(re.fullmatch(r"tag:localhost,2026:revision/\d+", e.id) for e in entries)
    numbers = [int(e.id.rsplit("/", 1)[1]) for e in entries]
    assert numbers == sorted(numbers, reverse=True)
    assert all(e.link.startswith("http://localhost/") for e in entries)
    assert feed.feed.updated_parsed == max(e.updated_parsed for e in entries)
    assert [e.id for e in _feed(client, "/changes.atom")[0].entries] == [e.id for e in entries]


def test_entries_name_what_changed_and_never_who(app, client) -> None:
    slugs = _records(app)
    feed, text = _feed(client, "/changes.atom")
    titles = [e.title for e in feed.entries]
    assert "Added Ada Example’s stance on “Claim text.”" in titles
    assert "Added the person Bob Example" in titles
    ada = next(e for e in feed.entries if e.title.startswith("Added Ada Example’s stance"))
    assert ada.link == f"http://localhost/people/{slugs['ada']}"
    assert "alice" not in text and "#" not in "".join(titles)


def test_a_hostile_claim_text_is_escaped_and_read_back_whole(app, client) -> None:
    slugs = _records(app, claim_text=HOSTILE)
    for path in ("/changes.atom", f"/claims/{slugs['claim']}.atom"):
        feed, text = _feed(client, path)
        assert "<script>" not in text
        assert any(HOSTILE in e.title for e in feed.entries), path
    assert HOSTILE in _feed(client, f"/claims/{slugs['claim']}.atom")[0].feed.title


def test_a_person_feed_holds_their_changes_only(app, client) -> None:
    slugs = _records(app)
    feed, _ = _feed(client, f"/people/{slugs['ada']}.atom")
    assert feed.feed.title == "kb: changes to Ada Example"
    assert feed.feed.link == f"http://localhost/people/{slugs['ada']}"
    titles = [e.title for e in feed.entries]
    assert "Added the person Ada Example" in titles
    assert any(t.startswith("Added Ada Example’s stance") for t in titles)
    assert any(t.startswith("Added a quote by Ada Example") for t in titles)
    assert not [t for t in titles if "Bob" in t]


def test_claim_and_topic_feeds_hold_what_their_pages_show(app, client) -> None:
    slugs = _records(app)
    claim, _ = _feed(client, f"/claims/{slugs['claim']}.atom")
    titles = [e.title for e in claim.entries]
    assert "Added the claim “Claim text.”" in titles
    assert "Added Ada Example’s stance on “Claim text.”" in titles
    assert not [t for t in titles if "Bob" in t or "Another" in t]
    topic, _ = _feed(client, f"/topics/{slugs['topic']}.atom")
    # one flush wrote both, in no order a reader could rely on
    assert sorted(e.title for e in topic.entries) == [
        "Added the claim “Claim text.”",
        "Added the topic Risks",
    ]


def test_an_unknown_record_has_no_feed(client) -> None:
    for path in ("/people/nobody.atom", "/claims/nothing.atom", "/topics/none.atom"):
        assert client.get(path).status_code == 404, path


def test_an_edit_is_an_entry_naming_the_fields_and_ids_stay_put(app, client) -> None:
    slugs = _records(app)
    path = f"/claims/{slugs['claim']}.atom"
    before = {e.id: e.title for e in _feed(client, path)[0].entries}
    with app.app_context(), session_scope() as s:
        claim = s.query(m.Claim).filter_by(slug=slugs["claim"]).one()
        claim.text, claim.summary = "Claim text, reworded.", "Short."
    after = _feed(client, path)[0].entries
    assert after[0].title == "Changed the claim “Claim text, reworded.”: its text and summary"
    assert set(before) <= {e.id for e in after}


def test_private_records_never_appear(app, client) -> None:
    _records(app)
    with app.app_context(), session_scope() as s:
        s.execute(
            insert(m.Revision),
            [
                {
                    "actor": "cli",
                    "action": "create",
                    "entity": "user_account",
                    "entity_id": 1,
                    "label": "secret-admin-name",
                    "changes": {"username": [None, "secret-admin-name"]},
                }
            ],
        )
    _, text = _feed(client, "/changes.atom")
    assert "secret-admin-name" not in text
    assert "secret-admin-name" not in client.get("/changes.json").text


def test_a_feed_is_bounded(app, client) -> None:
    with app.app_context(), session_scope() as s:
        for _ in range(FEED_LIMIT + 5):
            make_person(s)
    feed, _ = _feed(client, "/changes.atom")
    assert len(feed.entries) == FEED_LIMIT


def test_an_empty_site_has_a_valid_empty_feed(client) -> None:
    feed, _ = _feed(client, "/changes.atom")
    assert feed.entries == [] and feed.feed.updated_parsed


def test_pages_link_their_feeds(app, client) -> None:
    slugs = _records(app)
    expected = {
        "/": ["/changes.atom"],
        f"/people/{slugs['ada']}": ["/changes.atom", f"/people/{slugs['ada']}.atom"],
        f"/claims/{slugs['claim']}": ["/changes.atom", f"/claims/{slugs['claim']}.atom"],
        f"/topics/{slugs['topic']}": ["/changes.atom", f"/topics/{slugs['topic']}.atom"],
    }
    for page, feeds in expected.items():
        html = client.get(page).text
        head = html.split("</head>")[0]
        linked = re.findall(
            r'<link rel="alternate" type="application/atom\+xml"[^>]*href="([^"]+)"', head
        )
        assert linked == feeds, page
        for feed in feeds[1:]:
            assert f'href="{feed}"' in html.split("</head>")[1], f"{page} shows no link to {feed}"


def test_with_a_base_url_links_and_ids_use_it(app, client) -> None:
    app.config["BASE_URL"] = "https://kb.example.org"
    slugs = _records(app)
    r = client.get(f"/people/{slugs['ada']}.atom")
    feed = feedparser.parse(r.data)
    assert feed.feed.link == f"https://kb.example.org/people/{slugs['ada']}"
    assert all(e.id.startswith("tag:kb.example.org,2026:revision/") for e in feed.entries)
    assert "private" not in r.headers.get("Cache-Control", "")


def test_what_left_a_page_stays_in_its_feed_as_a_removal(app, client) -> None:
    """A stance deleted from a person (and so from its claim), a claim taken out of a topic
    and a claim deleted while in it are entries of the feeds of the pages they left, linking
    to those pages; nobody else's feed gains them."""
    slugs = _records(app)
    with app.app_context(), session_scope() as s:
        ada = s.query(m.Person).filter_by(slug=slugs["ada"]).one()
        claim = s.query(m.Claim).filter_by(slug=slugs["claim"]).one()
        (stance,) = ada.stances
        s.delete(stance)
        s.flush()
        claim.topics = []
        topic = s.query(m.Topic).filter_by(slug=slugs["topic"]).one()
        doomed = make_claim(s, text="A claim soon gone.", topics=[topic])
        s.flush()
        s.delete(doomed)
    removed = f"Removed the stance Ada Example supports {slugs['claim']}"
    for kind, slug in (("people", slugs["ada"]), ("claims", slugs["claim"])):
        entries = _feed(client, f"/{kind}/{slug}.atom")[0].entries
        entry = next(e for e in entries if e.title == removed)
        assert entry.link == f"http://localhost/{kind}/{slug}"
        assert "Added Ada Example’s stance" not in [e.title for e in entries]  # gone with it
    topic_titles = [e.title for e in _feed(client, f"/topics/{slugs['topic']}.atom")[0].entries]
    assert topic_titles[:2] == [
        "Removed the claim A claim soon gone.",
        "Changed the claim “Claim text.”: its topics",
    ]
    assert removed in [e.title for e in _feed(client, "/changes.atom")[0].entries]
    bob = [e.title for e in _feed(client, f"/people/{slugs['bob']}.atom")[0].entries]
    assert not [t for t in bob if "Removed" in t or "Ada" in t]
