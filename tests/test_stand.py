"""/stand: a reader's answers (in the URL, nothing stored) scored against the named people
and camps with the agreement rule, and placed on the opinion map by its own projection."""

from __future__ import annotations

import html
import math
import re
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from kb.graph import analysis, labels, map_svg
from kb.graph.agreement import build_agreement
from kb.graph.opinion_map import build_map
from kb.graph.stand import stand
from kb.graph.you_mark import you_mark
from kb.web.stand import MAX_ANSWERS, PAGE_CLAIMS
from tests.factories import make_two_camps


def _dataset(session: Session) -> dict[str, Any]:
    """Camp A (four people) supports the five dividing claims, camp B (four) opposes them;
    Beta 3 also supports one of them, so the camps are not perfectly mirror images."""
    return make_two_camps(session, 5, quote="Alpha says yes to {k} <b>loudly</b>.", rebel=True)


@pytest.fixture
def camps_app(app: Flask) -> Flask:
    with app.app_context():
        session = app.extensions["kb.sessionmaker"]()
        _dataset(session)
        session.commit()
        session.close()
    return app


def test_a_reader_who_agrees_with_camp_a_is_closest_to_it(camps_app: Flask) -> None:
    client = camps_app.test_client()
    data = client.get("/stand.json?a=divide-0,divide-1,divide-2&d=&u=divide-3").get_json()
    assert data["answered"] == 4
    closest = [p["slug"] for p in data["closest"]]
    assert set(closest) == {"alpha-0", "alpha-1", "alpha-2", "alpha-3"}
    top = data["closest"][0]
    # 3 agreements, 0 disagreements, 4 shared (unsure counts as shared, as a mixed stance does)
    assert (top["agreements"], top["disagreements"], top["shared"]) == (3, 0, 4)
    assert top["score"] == 0.75
    assert data["farthest"][0]["slug"] in {"beta-0", "beta-1", "beta-2"}
    assert data["farthest"][0]["score"] == -0.75
    beta3 = next(p for p in data["farthest"] if p["slug"] == "beta-3")
    assert beta3["score"] == -0.25  # agrees on divide-0, disagrees on 1 and 2
    assert [c["score"] for c in data["camps"]] == [0.75, -0.625]  # pooled: (1 - 11) / 16
    # the claims that decide it, each with the quotes behind it and a link to them
    deciding = top["deciding"][0]
    assert deciding["claim"]["slug"] == "divide-0" and deciding["position"] == "supports"
    assert deciding["quotes"][0]["text"] == "Alpha says yes to 0 <b>loudly</b>."
    assert deciding["quotes_url"].endswith(f"/claims/divide-0#person-{top['slug']}")


def test_the_page_matches_its_twin_and_escapes_quotes(camps_app: Flask) -> None:
    client = camps_app.test_client()
    query = "a=divide-0,divide-1,divide-2&u=divide-3"
    page = client.get("/stand?" + query).get_data(as_text=True)
    data = client.get("/stand.json?" + query).get_json()
    for p in data["closest"] + data["farthest"]:
        assert p["name"] in page
    assert "Alpha says yes to 0 &lt;b&gt;loudly&lt;/b&gt;." in page
    assert "<b>loudly</b>" not in page
    assert data["share"].endswith("/stand?a=divide-0,divide-1,divide-2&u=divide-3")
    assert 'value="' + data["share"] in page.replace("&amp;", "&")
    assert "You, placed by your answers" in page


def test_the_form_submits_to_the_short_shareable_address(camps_app: Flask) -> None:
    client = camps_app.test_client()
    r = client.get("/stand?c.divide-0=agree&c.divide-1=disagree&c.divide-2=&c.divide-3=unsure")
    assert r.status_code == 303
    assert r.headers["Location"].endswith("/stand?a=divide-0&d=divide-1&u=divide-3")
    page = client.get(r.headers["Location"]).get_data(as_text=True)
    # the answers are kept in the form, checked
    assert 'name="c.divide-0" value="agree" checked' in page
    assert 'name="c.divide-1" value="disagree" checked' in page


def test_the_reader_lands_on_the_map_where_a_person_with_the_same_answers_is(
    session: Session,
) -> None:
    made = _dataset(session)
    agreement = build_agreement(session)
    camps = analysis.camps(agreement)
    found = build_map(agreement, camps)
    beta3 = made["b"][3]
    answers = {c.id: (1 if k == 0 else -1) for k, c in enumerate(made["claims"])}
    standing = stand(agreement, camps, found.coords, answers)
    assert standing.xy is not None
    x, y = standing.xy
    bx, by = found.coords[beta3.id]
    ax, ay = found.coords[made["a"][0].id]
    assert math.hypot(x - bx, y - by) < 0.5 * math.hypot(ax - bx, ay - by)


def test_no_answers_no_result_and_ten_claims_offered_with_more(seeded_client: FlaskClient) -> None:
    page = seeded_client.get("/stand").get_data(as_text=True)
    assert "Your result" not in page
    data = seeded_client.get("/stand.json").get_json()
    assert len(data["claims"]) == PAGE_CLAIMS
    assert data["closest"] == [] and data["place"] is None
    if data["more"]:
        more = seeded_client.get(f"/stand.json?more={data['more']}").get_json()
        assert len(more["claims"]) > PAGE_CLAIMS


def test_on_the_seed_a_result_names_people_and_camps(seeded_client: FlaskClient) -> None:
    slugs = [c["slug"] for c in seeded_client.get("/stand.json").get_json()["claims"]]
    query = f"a={','.join(slugs[:5])}&d={','.join(slugs[5:])}"
    data = seeded_client.get("/stand.json?" + query).get_json()
    assert data["closest"] or data["farthest"]
    assert data["camps"] and data["place"] is not None
    scores = [p["score"] for p in data["closest"]]
    assert scores == sorted(scores, reverse=True)
    assert seeded_client.get("/stand?" + query).status_code == 200


@pytest.mark.parametrize(
    "query",
    [
        "a=no-such-claim",
        "a=%3Cscript%3Ealert(1)%3C/script%3E",
        "a=divide-0&d=divide-0",
        "more=99",
        "more=x",
        "c.divide-0=maybe",
        "a=" + ",".join(f"claim-{k}" for k in range(MAX_ANSWERS + 1)),
        "a=" + "x" * 300,
        "a=" + "y" * 30_000,
    ],
)
def test_bad_input_is_a_400_not_a_500(camps_app: Flask, query: str) -> None:
    client = camps_app.test_client()
    for path in ("/stand?", "/stand.json?"):
        r = client.get(path + query)
        assert r.status_code == 400, (path, query[:40], r.status_code)
        if path == "/stand?":  # the JSON error says it as JSON; the page escapes it
            assert b"<script>alert" not in r.data


_LABEL = re.compile(
    r'<text class="(?:lbl|camp-lbl)" x="([\d.-]+)" y="([\d.-]+)" text-anchor="(\w+)"'
    r' font-size="([\d.]+)"[^>]*>([^<]*)</text>'
)


def _label_boxes(svg: str) -> list[tuple[float, float, float, float]]:
    """Each drawn name's box as kb.graph.labels placed it (same width estimate)."""
    out = []
    for x, y, anchor, size, text in _LABEL.findall(svg):
        x, y, size = float(x), float(y), float(size)
        w, h = labels.text_width(html.unescape(text), size), size * labels.LINE_HEIGHT
        x0 = {"start": x - labels.HALO, "end": x - w + labels.HALO, "middle": x - w / 2}[anchor]
        cy = y - size * 0.35
        out.append((x0, cy - h / 2, x0 + w, cy + h / 2))
    return out


def _crowd() -> tuple[list[map_svg.MapPerson], list[int]]:
    """A 7 x 7 grid of people, camp 1 on the left and camp 2 on the right, the ones nearest
    the middle labelled first."""
    people = [
        map_svg.MapPerson(
            7 * i + j,
            f"Person {7 * i + j}",
            f"/people/p{7 * i + j}",
            1 if j < 3 else 2,
            (j - 3) / 3,
            (i - 3) / 3,
            "tip",
        )
        for i in range(7)
        for j in range(7)
    ]
    priority = sorted((p.id for p in people), key=lambda k: math.hypot(k // 7 - 3, k % 7 - 3))
    return people, priority


@pytest.mark.parametrize(("width", "height", "names"), [(1000, 620, True), (380, 440, False)])
def test_no_name_on_the_map_covers_the_readers_mark(width, height, names) -> None:
    people, priority = _crowd()
    camps = [map_svg.MapCamp(1, "Left"), map_svg.MapCamp(2, "Right")]
    args = {"width": width, "height": height, "labels": 12, "camp_names": names}
    drawn = map_svg.render_map(people, camps, priority, "map", reader=(0.05, 0.0), **args)
    ring = re.search(r'<g class="you">.*?<circle cx="([\d.]+)" cy="([\d.]+)"', drawn.svg)
    assert ring is not None and drawn.svg.count('<g class="you">') == 1
    star = you_mark(float(ring[1]), float(ring[2]), width).boxes
    boxes = _label_boxes(drawn.svg)
    assert len(boxes) >= 6
    assert not [b for b in boxes for s in star if labels.overlaps(b, s)]
    # without the reader, the names nearest the middle sit where the star now is
    plain = _label_boxes(map_svg.render_map(people, camps, priority, "map", **args).svg)
    assert [b for b in plain for s in star if labels.overlaps(b, s)]
