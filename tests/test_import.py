"""`kb import` and the importer: checked, all-or-nothing, every problem named, upserts."""

from __future__ import annotations

import copy
import json
import zipfile
from pathlib import Path

import pytest
from sqlalchemy import func, select

from kb import models as m
from kb.formats import kb1
from kb.load.importer import apply_document
from kb.load.seed import seed_document
from tests.helpers import seed_count


def _count(app, model) -> int:
    with app.app_context():
        s = app.extensions["kb.sessionmaker"]()
        try:
            return s.scalar(select(func.count()).select_from(model))
        finally:
            s.close()


def _import(runner, path: Path, *args: str):
    return runner.invoke(args=["import", str(path), *args])


def _write_json(tmp_path: Path, doc, name: str = "kb.json") -> Path:
    p = tmp_path / name
    p.write_text(json.dumps(doc, indent=1, ensure_ascii=False), encoding="utf-8")
    return p


def _export_csv(app, folder: Path) -> Path:
    result = app.test_cli_runner().invoke(args=["export", "--format", "csv", "-o", str(folder)])
    assert result.exit_code == 0, result.output
    return folder


def test_import_of_the_seed_creates_everything_and_records_history(app, runner, tmp_path) -> None:
    result = _import(runner, _write_json(tmp_path, seed_document()))
    assert result.exit_code == 0, result.output
    assert f"stances: {seed_count('stances')} created, 0 updated, 0 unchanged" in result.output
    assert "importing" not in result.output  # no progress bar off a terminal
    assert _count(app, m.Stance) == seed_count("stances")
    with app.app_context():
        s = app.extensions["kb.sessionmaker"]()
        revs = s.execute(select(m.Revision.entity, m.Revision.action, m.Revision.actor)).all()
        s.close()
    assert len(revs) == sum(seed_count(e) for e in kb1.ENTITIES)
    assert {(a, actor) for _e, a, actor in revs} == {("create", "import")}


def test_every_kind_of_problem_is_reported_at_once_and_nothing_is_written(
    app, runner, tmp_path
) -> None:
    doc = copy.deepcopy(seed_document())
    doc["people"][0]["birth_year"] = "nineteen"  # wrong type
    doc["people"][1]["slug"] = doc["people"][0]["slug"]  # duplicate slug
    doc["sources"][0]["kind"] = "tweet"  # bad enumeration
    doc["sources"][1]["published"] = "2017-13"  # not a date
    doc["claims"][0]["text"] = "x" * 2001  # over-long
    doc["stances"][0]["claim"] = "no-such-claim"  # unknown reference
    rel = doc["claim_relations"][0]
    rel["to"] = rel["from"]  # relation to itself
    doc["quotes"][0]["speaker_name"] = "?"  # unknown field
    doc["people"][2]["url"] = "javascript:alert(1)"  # not a web address
    doc["sources"][2]["archived_url"] = "/wiki/Relative"  # not absolute
    result = _import(runner, _write_json(tmp_path, doc))
    assert result.exit_code == 1
    out = result.output
    assert "Traceback" not in out
    expected = [
        ("people[0]", "'birth_year'", "must be a whole number"),
        ("people[1]", "'slug'", "appears twice"),
        ("sources[0]", "'kind'", "'tweet' is not one of"),
        ("sources[1]", "'published'", "2017-13"),
        ("claims[0]", "'text'", "the limit is 2000"),
        ("stances[0]", "'claim'", "unknown claim 'no-such-claim'"),
        ("claim_relations[0]", "'to'", "cannot support or contradict itself"),
        ("quotes[0]", "'speaker_name'", "is not a field"),
        ("people[2]", "'url'", "must be a full http:// or https:// address"),
        ("sources[2]", "'archived_url'", "must be a full http:// or https:// address"),
    ]
    for record, fieldname, reason in expected:
        line = next((ln for ln in out.splitlines() if record in ln and fieldname in ln), None)
        assert line is not None, (record, fieldname, out)
        assert reason in line and "kb.json, line " in line
    assert "nothing was imported" in out
    for model in (m.Person, m.Source, m.Claim, m.Quote, m.Stance, m.ClaimRelation):
        assert _count(app, model) == 0


def test_problems_are_capped(app, runner, tmp_path) -> None:
    doc = {"format": "kb/1", "people": [{"slug": f"p{i}"} for i in range(150)]}
    result = _import(runner, _write_json(tmp_path, doc))
    assert result.exit_code == 1
    errors = [ln for ln in result.output.splitlines() if ln.startswith("error:")]
    assert len(errors) == 101
    assert "stopped after 100 problems" in errors[-1]


def test_one_bad_record_at_the_end_keeps_everything_out(app, runner, tmp_path) -> None:
    doc = copy.deepcopy(seed_document())
    doc["claim_relations"][-1]["kind"] = "refutes"
    result = _import(runner, _write_json(tmp_path, doc))
    assert result.exit_code == 1
    assert (
        f"claim_relations[{seed_count('claim_relations') - 1}]" in result.output
        and "'refutes'" in result.output
    )
    assert _count(app, m.Person) == 0 and _count(app, m.Revision) == 0


def test_malformed_json_names_the_line(runner, tmp_path) -> None:
    p = tmp_path / "bad.json"
    p.write_text('{"format": "kb/1",\n"people": [\n{"slug": "a", "name": "A"},\n{"slug": }\n]}')
    result = _import(runner, p)
    assert result.exit_code == 1
    assert "bad.json, line 4" in result.output and "malformed JSON" in result.output
    assert "Traceback" not in result.output


def test_truncated_json_is_refused(runner, tmp_path) -> None:
    text = json.dumps(seed_document(), indent=1)
    p = tmp_path / "cut.json"
    p.write_text(text[: len(text) // 2])
    result = _import(runner, p)
    assert result.exit_code == 1 and "malformed JSON" in result.output


def test_not_utf8_is_refused_with_its_line(runner, tmp_path) -> None:
    p = tmp_path / "latin.json"
    p.write_bytes(
        '{"format": "kb/1",\n"people": [{"slug": "f", "name": "Fran\u00e7ois"}]}'.encode("latin-1")
    )
    result = _import(runner, p)
    assert result.exit_code == 1
    assert "latin.json, line 2" in result.output and "not UTF-8" in result.output


def test_wrong_format_is_refused(runner, tmp_path) -> None:
    result = _import(runner, _write_json(tmp_path, {"format": "kb/2", "people": []}))
    assert result.exit_code == 1 and 'must be "kb/1"' in result.output


def test_entities_in_any_order_are_read(app, runner, tmp_path) -> None:
    seed = seed_document()
    doc = {"stances": seed["stances"], "format": "kb/1"}
    doc.update({k: seed[k] for k in reversed(list(seed)) if k not in doc})
    result = _import(runner, _write_json(tmp_path, doc))
    assert result.exit_code == 0, result.output
    assert _count(app, m.Stance) == seed_count("stances")


def test_dry_run_says_what_would_change_and_writes_nothing(app, runner, tmp_path) -> None:
    path = _write_json(tmp_path, seed_document())
    result = _import(runner, path, "--dry-run")
    assert result.exit_code == 0, result.output
    assert f"people: {seed_count('people')} created, 0 updated, 0 unchanged" in result.output
    assert "nothing was written" in result.output
    assert _count(app, m.Person) == 0 and _count(app, m.Revision) == 0
    assert _import(runner, path).exit_code == 0
    doc = seed_document()
    doc["people"][0]["name"] = "F. Chollet"
    result = _import(runner, _write_json(tmp_path, doc, "changed.json"), "--dry-run")
    assert f"people: 0 created, 1 updated, {seed_count('people') - 1} unchanged" in result.output
    with app.app_context():
        s = app.extensions["kb.sessionmaker"]()
        assert s.scalar(select(m.Person.name).where(m.Person.slug == "francois-chollet")) == (
            "François Chollet"
        )
        s.close()


def test_reimport_updates_changed_records_only_with_versions_and_history(
    app, runner, tmp_path
) -> None:
    assert _import(runner, _write_json(tmp_path, seed_document())).exit_code == 0
    doc = seed_document()
    doc["people"][0]["name"] = "F. Chollet"
    stance = doc["stances"][0]
    stance["evidence"] = stance["evidence"][:1]
    doc["claims"][0]["topics"] = []
    result = _import(runner, _write_json(tmp_path, doc, "changed.json"))
    assert result.exit_code == 0, result.output
    assert f"people: 0 created, 1 updated, {seed_count('people') - 1} unchanged" in result.output
    assert f"stances: 0 created, 1 updated, {seed_count('stances') - 1} unchanged" in result.output
    assert f"claims: 0 created, 1 updated, {seed_count('claims') - 1} unchanged" in result.output
    with app.app_context():
        s = app.extensions["kb.sessionmaker"]()
        person = s.scalar(select(m.Person).where(m.Person.slug == "francois-chollet"))
        assert person.name == "F. Chollet" and person.version == 2
        updates = s.scalars(select(m.Revision).where(m.Revision.action == "update")).all()
        s.close()
    assert {r.entity for r in updates} == {"person", "stance", "claim"}
    name_change = next(r for r in updates if r.entity == "person")
    assert name_change.changes["name"] == ["François Chollet", "F. Chollet"]
    again = _import(runner, _write_json(tmp_path, doc, "changed.json"))
    assert "nothing changed" in again.output


def test_evidence_must_be_the_persons_own_words(runner, tmp_path) -> None:
    doc = seed_document()
    musk_quote = next(q for q in doc["quotes"] if q["speaker"] == "elon-musk")
    stance = next(s for s in doc["stances"] if s["person"] == "francois-chollet")
    stance["evidence"] = [musk_quote["id"]]
    result = _import(runner, _write_json(tmp_path, doc))
    assert result.exit_code == 1
    assert f"quote '{musk_quote['id']}' is not by 'francois-chollet'" in result.output


def test_csv_folder_problems_name_file_line_and_column(seeded_app, app, tmp_path) -> None:
    folder = _export_csv(seeded_app, tmp_path / "csv")
    people = (folder / "people.csv").read_text(encoding="utf-8").splitlines()
    people[2] = people[2].replace(",1971,", ",nineteen71,")
    (folder / "people.csv").write_text("\r\n".join(people) + "\r\n", encoding="utf-8")
    stances = (folder / "stances.csv").read_text(encoding="utf-8").splitlines()
    # Text cells are quoted (kb.formats.csvsafe), numbers are not.
    stances[3] = (
        stances[3].replace(',"inferred",', ',"guessed",').replace(',"explicit",', ',"guessed",')
    )
    (folder / "stances.csv").write_text("\r\n".join(stances) + "\r\n", encoding="utf-8")
    topics = (folder / "topics.csv").read_text(encoding="utf-8").splitlines()
    topics[0] = "slug,description"  # the required column "name" is missing
    (folder / "topics.csv").write_text("\r\n".join(topics) + "\r\n", encoding="utf-8")
    result = _import(app.test_cli_runner(), folder)
    assert result.exit_code == 1
    out = result.output
    assert "people.csv, line 3, people[1] (elon-musk), field 'birth_year'" in out
    assert "stances.csv, line 4, stances[2]" in out and "'guessed' is not one of" in out
    assert "topics.csv, line 1, header" in out and "required column 'name' is missing" in out


def test_malformed_csv_and_bad_encoding(app, runner, tmp_path) -> None:
    folder = tmp_path / "csv"
    folder.mkdir()
    (folder / "people.csv").write_text('slug,name\r\na,"unclosed\r\n', encoding="utf-8")
    result = _import(runner, folder)
    assert (
        result.exit_code == 1 and "people.csv" in result.output and "malformed CSV" in result.output
    )
    (folder / "people.csv").write_bytes("slug,name\r\na,A\r\nb,Fran\u00e7ois\r\n".encode("latin-1"))
    result = _import(runner, folder)
    assert result.exit_code == 1 and "not UTF-8" in result.output
    (folder / "people.csv").write_text("slug,name,nickname\r\na,A,x\r\n", encoding="utf-8")
    result = _import(runner, folder)
    assert result.exit_code == 1 and "unknown column 'nickname'" in result.output
    (folder / "people.csv").write_text("slug,name\r\na,A,extra\r\n", encoding="utf-8")
    result = _import(runner, folder)
    assert result.exit_code == 1 and "has 3 cells but the header has 2 columns" in result.output
    assert _count(app, m.Person) == 0


def test_csv_from_a_spreadsheet_with_bom_and_missing_optional_columns(
    app, runner, tmp_path
) -> None:
    p = tmp_path / "people.csv"
    p.write_bytes("\ufeffslug,name\r\nada,Ada Lovelace\r\n".encode())
    result = _import(runner, p)
    assert result.exit_code == 0, result.output
    assert "people: 1 created" in result.output


def test_zip_bundle_imports(seeded_app, app, tmp_path) -> None:
    r = seeded_app.test_client().get("/export/kb.zip")
    p = tmp_path / "kb.zip"
    p.write_bytes(r.get_data())
    result = _import(app.test_cli_runner(), p)
    assert result.exit_code == 0, result.output
    assert _count(app, m.Quote) == seed_count("quotes")


def test_zip_of_csvs_imports(seeded_app, app, tmp_path) -> None:
    folder = _export_csv(seeded_app, tmp_path / "csv")
    p = tmp_path / "csvs.zip"
    with zipfile.ZipFile(p, "w") as zf:
        for f in folder.iterdir():
            zf.write(f, f"bundle/{f.name}")
    result = _import(app.test_cli_runner(), p)
    assert result.exit_code == 0, result.output
    assert _count(app, m.Stance) == seed_count("stances")


def test_damaged_zip_and_missing_path(runner, tmp_path) -> None:
    p = tmp_path / "kb.zip"
    p.write_bytes(b"PK\x03\x04 this is not really a zip")
    result = _import(runner, p)
    assert result.exit_code == 1 and "zip" in result.output and "Traceback" not in result.output
    result = _import(runner, tmp_path / "nothing.json")
    assert result.exit_code == 1 and "does not exist" in result.output


def test_quote_ids_are_kept_when_free(session) -> None:
    doc = {
        "format": "kb/1",
        "people": [{"slug": "a", "name": "A"}],
        "sources": [{"slug": "s", "title": "S", "kind": "book"}],
        "quotes": [
            {
                "id": "q7",
                "text": "seven",
                "speaker": "a",
                "source": "s",
                "attribution": "verbatim",
                "checked": "primary",
            },
            {
                "id": "other",
                "text": "other",
                "speaker": "a",
                "source": "s",
                "attribution": "verbatim",
                "checked": "primary",
            },
            {
                "id": "q3",
                "text": "three",
                "speaker": "a",
                "source": "s",
                "attribution": "verbatim",
                "checked": "primary",
            },
        ],
        "claims": [{"slug": "c", "text": "C"}],
        "stances": [
            {
                "person": "a",
                "claim": "c",
                "position": "supports",
                "basis": "explicit",
                "evidence": ["other", "q7"],
            }
        ],
    }
    apply_document(session, doc)
    session.commit()
    ids = dict(session.execute(select(m.Quote.text, m.Quote.id)).all())
    assert ids == {"seven": 7, "three": 3, "other": 8}
    stance = session.scalar(select(m.Stance))
    assert sorted(q.id for q in stance.evidence) == [7, 8]
    # a later ORM insert continues after them
    q = m.Quote(
        text="new",
        speaker_id=ids and stance.person_id,
        source_id=1,
        attribution="verbatim",
        checked="primary",
    )
    session.add(q)
    session.flush()
    assert q.id == 9


@pytest.mark.parametrize("bad", [{"format": "kb/1", "people": {"slug": "x"}}, ["kb/1"], "kb/1"])
def test_apply_document_refuses_bad_shapes(session, bad) -> None:
    from kb.errors import DataError

    with pytest.raises(DataError):
        apply_document(session, bad)


def test_progress_bar_only_on_a_terminal(app, runner, tmp_path, monkeypatch) -> None:
    from kb.cli import transfer

    path = _write_json(tmp_path, seed_document())
    quiet = _import(runner, path, "--dry-run")
    assert "importing" not in quiet.output
    monkeypatch.setattr(transfer, "_progress_wanted", lambda: True)
    shown = _import(runner, path, "--dry-run")
    assert shown.exit_code == 0, shown.output
    assert "importing" in shown.output


@pytest.mark.parametrize(
    "body, reason",
    [
        ('{"format": "kb/1", "people": [' + "[" * 50000 + "]" * 50000 + "]}", "nested too deeply"),
        (
            '{"format": "kb/1", "people": [{"slug": "a", "name": "A", "birth_year": '
            + "9" * 5000
            + "}]}",
            "digits",
        ),
        (
            '{"format": "kb/1", "people": [{"slug": "a", "name": "A", "birth_year": NaN}]}',
            "must be a whole number",
        ),
        ('{"format": "kb/1", "people": [{"slug": "a", "name": "A\\u0000"}]}', "NUL"),
        ('{"format": "kb/1", "people": [{"slug": "a", "name": "A"}]} trailing', "after the end"),
        ('{"format": "kb/1", "people": [], "people": []}', "appears twice"),
        ('{"format": "kb/1", "persons": []}', "not part of kb/1"),
    ],
)
def test_hostile_json_is_a_problem_not_a_traceback(app, runner, tmp_path, body, reason) -> None:
    p = tmp_path / "x.json"
    p.write_text(body, encoding="utf-8")
    result = _import(runner, p)
    assert result.exit_code == 1
    assert reason in result.output and "Traceback" not in result.output
    assert _count(app, m.Person) == 0


def test_fields_left_out_keep_their_values_and_null_clears(app, runner, tmp_path) -> None:
    assert _import(runner, _write_json(tmp_path, seed_document())).exit_code == 0
    p = tmp_path / "people.csv"
    p.write_text("slug,name\r\nfrancois-chollet,F. Chollet\r\n", encoding="utf-8")
    result = _import(runner, p)
    assert "people: 0 created, 1 updated, 0 unchanged" in result.output, result.output
    doc = {
        "format": "kb/1",
        "sources": [
            {
                "slug": "chollet-limits",
                "title": "The limitations of deep learning",
                "kind": "blog_post",
                "note": None,
            }
        ],
    }
    result = _import(runner, _write_json(tmp_path, doc, "partial.json"))
    assert "sources: 0 created, 1 updated, 0 unchanged" in result.output, result.output
    with app.app_context():
        s = app.extensions["kb.sessionmaker"]()
        person = s.scalar(select(m.Person).where(m.Person.slug == "francois-chollet"))
        source = s.scalar(select(m.Source).where(m.Source.slug == "chollet-limits"))
        assert person.name == "F. Chollet"
        assert person.birth_year == 1989 and person.affiliation  # left out: kept
        assert source.note is None  # null: cleared
        assert source.url and source.published_on  # left out: kept
        assert [a.slug for a in source.authors] == ["francois-chollet"]
        s.close()


def test_stances_csv_alone_can_cite_quotes_already_in_the_database(
    seeded_app, app, runner, tmp_path
) -> None:
    folder = _export_csv(seeded_app, tmp_path / "csv")
    assert _import(runner, folder).exit_code == 0
    lines = (folder / "stances.csv").read_bytes().decode("utf-8").split("\r\n")
    lines[1] = lines[1].replace(',"inferred",', ',"explicit",', 1)
    only = tmp_path / "stances.csv"
    only.write_bytes("\r\n".join(lines).encode("utf-8"))
    result = _import(runner, only)
    assert result.exit_code == 0, result.output
    assert f"stances: 0 created, 1 updated, {seed_count('stances') - 1} unchanged" in result.output
    lines[1] = lines[1].replace(',"q7 q8"', ',"q99999 q8"', 1)
    only.write_bytes("\r\n".join(lines).encode("utf-8"))
    assert "q99999" in only.read_text()
    result = _import(runner, only)
    assert result.exit_code == 1 and "unknown quote 'q99999'" in result.output


@pytest.mark.parametrize("existing", [False, True])
def test_a_record_twice_in_the_document_is_refused(app, runner, tmp_path, existing) -> None:
    if existing:  # the repeated records also match records already in the database
        assert _import(runner, _write_json(tmp_path, seed_document(), "seed.json")).exit_code == 0
    doc = copy.deepcopy(seed_document())
    doc["quotes"].append({**doc["quotes"][0], "id": "again"})
    doc["stances"].append(copy.deepcopy(doc["stances"][0]))
    doc["claim_relations"].append(copy.deepcopy(doc["claim_relations"][0]))
    result = _import(runner, _write_json(tmp_path, doc))
    assert result.exit_code == 1
    out = result.output
    assert f"quotes[{seed_count('quotes')}] (again), field 'text': this record appears twice" in out
    assert f"stances[{seed_count('stances')}]" in out and "appears twice" in out
    assert f"claim_relations[{seed_count('claim_relations')}]" in out
    assert out.count("appears twice") == 3


def test_commands_refuse_an_unmigrated_database(databases, tmp_path) -> None:
    from tests.conftest import make_app

    url = databases.empty()
    app = make_app(url, tmp_path / "instance")
    try:
        runner = app.test_cli_runner()
        path = _write_json(tmp_path, seed_document())
        for args in (["import", str(path)], ["export", "-o", str(tmp_path / "out.json")]):
            result = runner.invoke(args=args)
            assert result.exit_code == 1, result.output
            assert "kb db upgrade" in result.output
    finally:
        app.extensions["kb.engine"].dispose()
        databases.drop(url)
