"""Streamed responses (every CSV, /export/*, kb.zip, the graph exports): the headers they
send, and the one database connection each holds, given back when the stream ends or the
client goes away."""

from __future__ import annotations

import pytest

from kb.formats import kb1

CSV_DOWNLOADS = [
    *(f"/export/{entity}.csv" for entity in kb1.ENTITIES),
    "/people.csv",
    "/claims.csv",
    "/sources.csv",
    "/topics.csv",
]


@pytest.mark.parametrize("path", CSV_DOWNLOADS)
def test_every_csv_download_names_one_charset(seeded_client, path) -> None:
    response = seeded_client.get(path)
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert response.headers.getlist("Content-Type") == ["text/csv; charset=utf-8"]
