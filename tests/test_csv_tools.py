"""kb's CSV opens cleanly in the tools researchers use: csv.Sniffer (what csvkit and pandas'
sep=None rely on), csvkit's csvstat, pandas, the sqlite3 shell and Excel (a byte order mark).
A file that went through pandas, where a column with gaps turns years into "1947.0", imports
back unchanged."""

from __future__ import annotations

import csv
import io
import subprocess
import sys

import pandas as pd
import pytest

from kb.formats import kb1
from tests.helpers import Fresh, csvs, import_path

BOM = "\ufeff"


def _download(client, path: str) -> str:
    response = client.get(path)
    assert response.status_code == 200, path
    return response.get_data(as_text=True)


@pytest.mark.parametrize("entity", kb1.ENTITIES)
def test_the_sniffer_reads_a_comma_in_every_export(seeded_client, entity) -> None:
    """csvkit sniffs the first 1,024 characters; minimal quoting made it guess a space for
    claims, stances and signatures."""
    body = _download(seeded_client, f"/export/{entity}.csv")
    assert csv.Sniffer().sniff(body[:1024]).delimiter == ","


@pytest.mark.parametrize("entity", ["claims", "stances", "quotes"])
def test_csvstat_summarises_the_exports(seeded_client, tmp_path, entity) -> None:
    path = tmp_path / f"{entity}.csv"
    path.write_text(_download(seeded_client, f"/export/{entity}.csv"), encoding="utf-8")
    done = subprocess.run(
        [sys.executable, "-m", "csvkit.utilities.csvstat", "--count", str(path)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    rows = _download(seeded_client, f"/export/{entity}.csv").count("\r\n") - 1
    assert done.stdout.strip() == str(rows)


def test_excel_dialect_starts_with_a_byte_order_mark(seeded_client) -> None:
    standard = seeded_client.get("/export/people.csv").get_data()
    excel = seeded_client.get("/export/people.csv?dialect=excel").get_data()
    assert not standard.startswith(BOM.encode())
    assert excel == BOM.encode() + standard
    frame = pd.read_csv(io.BytesIO(excel), encoding="utf-8-sig")
    assert frame.columns[0] == "slug"
    assert "François Chollet" in set(frame["name"])


def test_list_pages_offer_the_excel_dialect_too(seeded_client) -> None:
    body = seeded_client.get("/people.csv?dialect=excel").get_data(as_text=True)
    assert body.startswith(BOM + "slug,")
    refused = seeded_client.get("/people.csv?dialect=lotus")
    assert refused.status_code == 400
    assert "dialect" in refused.get_data(as_text=True)


def test_a_file_resaved_by_pandas_imports_back_the_same(seeded_app, databases, tmp_path) -> None:
    """pandas reads birth_year (empty for some people) as floats and writes 1947.0 back;
    the importer takes a whole-number float where it expects a year."""
    original = csvs(seeded_app)
    folder = tmp_path / "resaved"
    folder.mkdir()
    for entity, text in original.items():
        frame = pd.read_csv(io.StringIO(text), dtype=object, keep_default_na=False)
        if entity == "people":
            frame = pd.read_csv(io.StringIO(text), keep_default_na=True)
            frame = frame.astype({c: object for c in frame.columns if c != "birth_year"})
            assert frame["birth_year"].dtype == float
        frame.to_csv(folder / f"{entity}.csv", index=False)
    assert ".0," in (folder / "people.csv").read_text(encoding="utf-8")
    fresh = Fresh(databases, tmp_path)
    try:
        other = fresh()
        import_path(other, folder)
        assert csvs(other)["people"] == original["people"]
    finally:
        fresh.close()


def test_the_sqlite3_shell_imports_the_exports(seeded_client, tmp_path) -> None:
    path = tmp_path / "people.csv"
    path.write_text(_download(seeded_client, "/export/people.csv"), encoding="utf-8")
    done = subprocess.run(
        [
            "sqlite3",
            ":memory:",
            f".import --csv {path} people",
            "select count(*), count(distinct slug) from people where name like 'Fran%'",
        ],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "1|1"


def test_kb_export_excel_writes_byte_order_marks(seeded_app, tmp_path) -> None:
    runner = seeded_app.test_cli_runner()
    result = runner.invoke(args=["export", "--format", "csv", "--excel", "-o", str(tmp_path)])
    assert result.exit_code == 0, result.output
    for entity in kb1.ENTITIES:
        assert (tmp_path / f"{entity}.csv").read_text(encoding="utf-8").startswith(BOM)
    refused = runner.invoke(args=["export", "--excel", "-o", str(tmp_path / "x.json")])
    assert refused.exit_code == 2
    assert "--excel applies to --format csv only" in refused.output
    assert not (tmp_path / "x.json").exists()
