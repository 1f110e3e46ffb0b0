"""One breadcrumb macro (templates/_crumbs.html): every page with a trail writes it the same
way, a labelled nav landmark, with the record's name escaped."""

from __future__ import annotations

from kb.web.database import session_scope
from tests.factories import make_claim, make_person, make_stance

TRAIL = '<nav class="crumbs" aria-label="Breadcrumb">'


def test_browse_and_graph_pages_share_one_breadcrumb_trail(app, client) -> None:
    with app.app_context(), session_scope() as s:
        a, b = make_person(s, name="<b>Ada</b> & co"), make_person(s)
        claim = make_claim(s)
        make_stance(s, a, claim, "supports")
        make_stance(s, b, claim, "opposes")
        slug_a, slug_b = a.slug, b.slug
    person = client.get(f"/people/{slug_a}").get_data(as_text=True)
    assert (
        f'{TRAIL}<a href="/people">People</a> › '
        '<span aria-current="page">&lt;b&gt;Ada&lt;/b&gt; &amp; co</span></nav>'
    ) in person
    for path in (f"/compare/{slug_a}/{slug_b}", "/compare"):
        page = client.get(path).get_data(as_text=True)
        assert f'{TRAIL}<a href="/agreement">Who agrees with whom</a>' in page, path
        assert '<p class="crumbs">' not in page, path
