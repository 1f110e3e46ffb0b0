"""/agreement and /compare/<a>/<b> at the size of the real debate, over HTTP: the matrix is lean
(a cell is a colour, a short score and its counts, with no title of its own), says in plain
words what its numbers mean, groups people by camp, refuses a ?limit outside its bounds with a
message; /compare groups the claims two people share, counted as its JSON twin counts them,
with long groups collapsed. (In Chromium: tests/browser/test_agreement_compare.py.)"""

from __future__ import annotations

import re

import pytest

from kb.web.database import session_scope
from kb.web.graph.agreement_matrix import AGREEMENT_PEOPLE_MAX, short_score
from kb.web.graph.compare import SHOWN
from tests.factories import make_claim, make_person, make_stance


def _table(html: str) -> str:
    return html.split('<table class="heat">')[1].split("</table>")[0]


@pytest.mark.parametrize("limit", ["1", "0", "-3", str(AGREEMENT_PEOPLE_MAX + 1), "x", "9" * 30])
@pytest.mark.parametrize("path", ["/agreement", "/agreement.json"])
def test_a_limit_outside_its_bounds_is_refused_with_a_message(seeded_client, path, limit) -> None:
    r = seeded_client.get(f"{path}?limit={limit}")
    assert r.status_code == 400
    assert "must be" in r.get_data(as_text=True)


def test_the_bounds_are_shown_on_the_page_and_in_the_json(seeded_client) -> None:
    data = seeded_client.get(f"/agreement.json?limit={AGREEMENT_PEOPLE_MAX}").get_json()
    assert data["limit"] == {"shown": AGREEMENT_PEOPLE_MAX, "min": 2, "max": AGREEMENT_PEOPLE_MAX}
    html = seeded_client.get("/agreement").get_data(as_text=True)
    assert f'min="2" max="{AGREEMENT_PEOPLE_MAX}"' in html
    assert f"from 2 to {AGREEMENT_PEOPLE_MAX}" in html
    small = seeded_client.get("/agreement?limit=5").get_data(as_text=True)
    assert "Showing the 5 people with the most stances" in small
    assert 'href="/agreement?limit=10">show 10</a>' in small


def test_the_json_twin_keeps_its_keys(seeded_client) -> None:
    data = seeded_client.get("/agreement.json").get_json()
    assert {"rule", "people", "pairs", "camps", "left_out"} <= set(data)
    assert set(data["people"][0]) == {"slug", "name", "camp"}
    assert set(data["pairs"][0]) == {"a", "b", "agreements", "disagreements", "shared", "score"}


def test_the_page_says_what_a_number_means_in_plain_words(seeded_client) -> None:
    html = seeded_client.get("/agreement").get_data(as_text=True)
    assert "from −1 to +1: the share of the claims" in html
    assert "minus the share where they disagree" in html
    assert "<summary>How this is computed</summary>" in html
    assert "Score = (agreements − disagreements) / shared claims" in html


def test_a_cell_is_lean_one_link_to_its_pair_and_its_counts(seeded_client) -> None:
    data = seeded_client.get("/agreement.json").get_json()
    n = len(data["people"])
    table = _table(seeded_client.get("/agreement").get_data(as_text=True))
    # a title only on the column headers, whose rotated names may be cut short
    assert table.count("title=") == n
    assert table.count('href="/compare/') == n * (n - 1)
    pair = next(p for p in data["pairs"] if {p["a"], p["b"]} == {"elon-musk", "martin-rees"})
    cell = re.search(
        r'<td class="[^"]+"><a href="/compare/elon-musk/martin-rees">(.*?)</a></td>', table
    )
    assert cell is not None
    counts = f"{pair['agreements']}✓ {pair['disagreements']}✗ /{pair['shared']}"
    assert counts in cell.group(1)
    assert cell.group(1).startswith(short_score(pair["score"]) + "<i>")
    # every cell in well under 130 bytes, the seed's long names and slugs included
    assert len(table) < 130 * n * n


def test_short_scores_fit_four_characters() -> None:
    assert [short_score(s) for s in (1.0, -1.0, 0.0, 0.5, -0.25, 0.8333, -0.001)] == [
        "+1",
        "−1",
        "0",
        "+.50",
        "−.25",
        "+.83",
        "0",
    ]


def test_people_come_in_camp_groups_under_a_divider_naming_the_camp(seeded_client) -> None:
    data = seeded_client.get("/agreement.json").get_json()
    table = _table(seeded_client.get("/agreement").get_data(as_text=True))
    shown = [p["camp"] for p in data["people"]]
    groups = [c for c in data["camps"] if c["number"] in shown]
    assert table.count("<tbody>") == len(groups) >= 2
    dividers = re.findall(r'<th scope="rowgroup" colspan="(\d+)"><span>(.*?)</span>', table)
    assert [label for _, label in dividers] == [c["label"] for c in groups]
    assert {int(cols) for cols, _ in dividers} == {len(shown) + 1}
    # the column of each camp's first person draws the divider down the table
    starts = sum(1 for k in range(1, len(shown)) if shown[k] != shown[k - 1])
    assert table.split("</thead>")[0].count('class="cb"') == starts


def test_cells_keep_the_date_the_matrix_is_drawn_for(seeded_client) -> None:
    html = seeded_client.get("/agreement?as_of=2030-01-01").get_data(as_text=True)
    n = len(seeded_client.get("/agreement.json?as_of=2030-01-01").get_json()["people"])
    assert _table(html).count("?as_of=2030-01-01") == n * (n - 1)
    assert '<input type="hidden" name="as_of" value="2030-01-01">' in html


def test_a_skip_link_leads_past_the_table(seeded_client) -> None:
    html = seeded_client.get("/agreement").get_data(as_text=True)
    assert '<a class="skip-past" href="#after-heat">Skip past the table</a>' in html
    assert html.index('id="after-heat"') > html.index("</table>")


@pytest.fixture
def rivals(app, client):
    """Two people who disagree on 14 claims, agree on 3 and split on 1 where one is mixed."""
    with app.app_context(), session_scope() as s:
        a = make_person(s, slug="ada", name="Ada Rival")
        b = make_person(s, slug="bea", name="Bea Rival")
        for k in range(18):
            claim = make_claim(s, slug=f"c{k:02d}", text=f"Claim {k:02d} is true.")
            theirs = "opposes" if k < 14 else "supports"
            make_stance(s, a, claim, "mixed" if k == 17 else "supports")
            make_stance(s, b, claim, theirs)
    return client


def test_compare_groups_shared_claims_as_its_json_counts_them(rivals) -> None:
    data = rivals.get("/compare/ada/bea.json").get_json()
    assert (data["disagreements"], data["agreements"], len(data["partial"])) == (14, 3, 1)
    html = rivals.get("/compare/ada/bea").get_data(as_text=True)
    sections = {
        name: html.split(f'<section class="{name}"')[1].split("</section>")[0]
        for name in ("cruxes", "agree", "partial")
    }
    assert "Cruxes: they disagree on 14 claims" in sections["cruxes"]
    assert "They agree on 3 claims" in sections["agree"]
    assert "one of them is mixed on 1 claim<" in sections["partial"]
    counts = {name: s.count('<li class="shared-claim">') for name, s in sections.items()}
    assert counts == {"cruxes": 14, "agree": 3, "partial": 1}
    assert "They disagree on 14</a>" in html and "They agree on 3</a>" in html


def test_a_long_group_shows_its_first_claims_and_collapses_the_rest(rivals) -> None:
    html = rivals.get("/compare/ada/bea").get_data(as_text=True)
    cruxes = html.split('<section class="cruxes"')[1].split("</section>")[0]
    first, rest = cruxes.split('<details class="more">')
    assert first.count('<li class="shared-claim">') == SHOWN
    assert f"<summary>Show the other {14 - SHOWN} claims they disagree on</summary>" in rest
    assert f'<ol class="shared" id="cruxes-more" start="{SHOWN + 1}">' in rest
    assert '<details class="more">' not in html.split('<section class="agree"')[1]


def test_each_shared_claim_shows_both_positions_and_its_quotes_one_click_away(rivals) -> None:
    html = rivals.get("/compare/ada/bea").get_data(as_text=True)
    item = html.split('<li class="shared-claim">')[1].split("</details>")[0]
    summary = item.split("<summary>")[1].split("</summary>")[0]
    assert "Ada Rival" in summary and "✓ Supports" in summary
    assert "Bea Rival" in summary and "✗ Opposes" in summary
    assert "Their quotes (2)" in summary
    quotes = item.split("</summary>")[1]
    assert quotes.count("<blockquote>") == 2
