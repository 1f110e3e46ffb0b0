"""kb.edits names the record a refusal collides with (kind, id, slug) and knows no URL; the
admin views make the link, under whatever prefix the site is mounted at."""

from __future__ import annotations

import re

import pytest

from kb.edits import outcomes, records
from kb.web.database import session_scope
from tests.conftest import hidden_fields
from tests.factories import make_claim, make_person, make_quote


def test_a_refusal_names_the_record_it_collides_with(app) -> None:
    with app.app_context(), session_scope() as s:
        pat = make_person(s, slug="pat", name="Pat")
        quote = make_quote(s, pat)
        with pytest.raises(outcomes.Invalid) as person_refused:
            records.save_person(s, None, {"name": "Someone else", "slug": "pat"})
        data = {"speaker": "pat", "source": quote.source.slug, "text": quote.text}
        with pytest.raises(outcomes.Invalid) as quote_refused:
            records.save_quote(s, None, {**data, "attribution": "verbatim", "checked": "primary"})
        assert person_refused.value.errors == [
            outcomes.FieldError(
                "slug",
                "another person already has the slug 'pat':",
                outcomes.RecordRef("person", pat.id, "pat"),
                "Pat",
            )
        ]
        (error,) = quote_refused.value.errors
        assert (error.field, error.about) == ("text", outcomes.RecordRef("quote", quote.id))


def _post_under(client, prefix: str, path: str, data: dict) -> str:
    base = f"http://localhost{prefix}"
    page = client.get(path, base_url=base).text
    token = hidden_fields(page)["csrf_token"]
    return client.post(path, base_url=base, data={"csrf_token": token, **data}).text


def test_refusal_links_follow_the_site_prefix(app, admin_client) -> None:
    with app.app_context(), session_scope() as s:
        make_person(s, slug="pat", name="Pat")
        make_claim(s, slug="a"), make_claim(s, slug="b")
        relation = records.save_relation(
            s, None, {"from_claim": "a", "kind": "supports", "to_claim": "b"}
        )
        relation_id = relation.id
    page = _post_under(admin_client, "/kb", "/admin/person/new", {"name": "Pat"})
    assert 'href="/kb/people/pat"' in page
    page = _post_under(
        admin_client,
        "/kb",
        "/admin/claim_relation/new",
        {"from_claim": "a", "kind": "supports", "to_claim": "b"},
    )
    assert re.search(rf'href="/kb/admin/claim_relation/{relation_id}/edit"', page)
