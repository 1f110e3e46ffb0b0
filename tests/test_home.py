"""The home page lists the people and each claim with its supporters and opponents."""

from __future__ import annotations

from markupsafe import escape


def test_home_lists_people_and_sides(seeded_client) -> None:
    page = seeded_client.get("/").get_data(as_text=True)
    assert "François Chollet" in page and "Martin Rees" in page
    # the most contested claim of the seed, with people on both sides
    contested = seeded_client.get("/index.json").get_json()["contested"][0]
    assert str(escape(contested["claim"]["text"])) in page


def test_unknown_page_is_a_404_page(client) -> None:
    response = client.get("/no-such-page")
    assert response.status_code == 404
    assert "404" in response.get_data(as_text=True)
