"""The import parsers under hostile input: JSON, CSV and zip that are malformed, truncated, huge,
in the wrong encoding, zip bombs and members whose paths leave the folder.

Each example goes through the real reader and importer (kb.formats.readers.open_input and
kb.load.importer.import_input, as `kb import` and /admin/import use them) on a real database. The
property: the import either succeeds (then it is rolled back here) or raises DataError whose
problems say where (file, line or record) and why, in text that can be printed and shown; and a
refused import leaves every table and the data version as they were. Anything else (another
exception, a crash) fails the test.
"""

from __future__ import annotations

import copy
import csv
import io
import json
import struct
import warnings
import zipfile
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kb.errors import DataError
from kb.formats import json_input, kb1, readers
from kb.formats.readers import open_input
from kb.formats.reading import ReadError
from kb.load.importer import import_input
from kb.load.seed import seed_document
from tests.conftest import csrf_token

from .conftest import examples, snapshot, tally

SEED = seed_document()


def small_document() -> dict[str, Any]:
    """One record of each entity, all consistent: a valid kb/1 document to spoil."""
    doc = copy.deepcopy(SEED)
    stance = doc["stances"][0]
    quote_ids = set(stance["evidence"])
    quotes = [q for q in doc["quotes"] if q["id"] in quote_ids]
    claim = next(c for c in doc["claims"] if c["slug"] == stance["claim"])
    sources = [s for s in doc["sources"] if s["slug"] in {q["source"] for q in quotes}]
    people = [p for p in doc["people"] if p["slug"] == stance["person"]]
    for s in sources:
        s["authors"] = [a for a in s.get("authors") or [] if a == stance["person"]]
    topics = [t for t in doc["topics"] if t["slug"] in set(claim.get("topics") or [])]
    other = next(c for c in doc["claims"] if c["slug"] != claim["slug"])
    other = {**other, "topics": [t for t in other.get("topics") or [] if t in claim["topics"]]}
    return {
        "format": kb1.FORMAT,
        "people": people,
        "topics": topics,
        "sources": sources,
        "claims": [claim, other],
        "quotes": quotes,
        "stances": [stance],
        "claim_relations": [
            {"from": other["slug"], "to": claim["slug"], "kind": "supports", "note": None}
        ],
    }


SMALL = small_document()
SMALL_BYTES = json.dumps(SMALL, ensure_ascii=False, indent=1).encode("utf-8")


def _check_problem_text(problems: list[Any]) -> None:
    assert problems
    for p in problems:
        text = str(p)
        text.encode("utf-8")  # printable on a terminal and a page: no lone surrogates
        assert p.message and len(text) < 2000, text
        assert p.file or p.record == "import" or p.line is not None, text


def attempt(app, path: Path, **zip_limits: int) -> tuple[str, list[Any]]:
    """Import `path` as `kb import` would; ("ok", []) or ("refused", problems). A success is
    rolled back; a refusal must have written nothing."""
    before = snapshot(app)
    with app.app_context():
        session = app.extensions["kb.sessionmaker"]()
        try:
            try:
                inp = open_input(path, **zip_limits)
            except ReadError as exc:
                _check_problem_text([exc.problem])
                outcome: tuple[str, list[Any]] = ("refused", [exc.problem])
            else:
                try:
                    import_input(session, inp)
                except DataError as exc:
                    _check_problem_text(exc.problems)
                    outcome = ("refused", exc.problems)
                else:
                    outcome = ("ok", [])
            session.rollback()
        finally:
            session.close()
    assert snapshot(app) == before
    return outcome


def _write(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


# -- damaged JSON ------------------------------------------------------------------------------


@st.composite
def damaged(draw: st.DrawFn, original: bytes) -> bytes:
    """`original` truncated, with bytes flipped, inserted or deleted."""
    data = bytearray(original)
    for _ in range(draw(st.integers(1, 4))):
        op = draw(st.sampled_from(["truncate", "flip", "insert", "delete"]))
        at = draw(st.integers(0, max(0, len(data) - 1)))
        if op == "truncate":
            del data[at:]
        elif op == "flip" and data:
            data[at] = draw(st.integers(0, 255))
        elif op == "insert":
            data[at:at] = draw(
                st.one_of(
                    st.binary(min_size=1, max_size=8),
                    st.sampled_from(
                        [
                            b"\x00",
                            b"\xff\xfe",
                            b"\xef\xbb\xbf",
                            b"{",
                            b"]",
                            b'"',
                            b"\\u",
                            b"\\ud800",
                        ]
                    ),
                )
            )
        elif data:
            del data[at : at + draw(st.integers(1, 64))]
    return bytes(data)


@examples(120)
@given(data=damaged(SMALL_BYTES))
def test_damaged_json_is_refused_cleanly(app, tmp_path, data: bytes) -> None:
    tally("import: damaged JSON")
    outcome, _problems = attempt(app, _write(tmp_path, "kb.json", data))
    if data != SMALL_BYTES and not data.strip():
        assert outcome == "refused"


def test_truncated_json_names_the_line(app, tmp_path) -> None:
    data = SMALL_BYTES[: len(SMALL_BYTES) // 2]
    outcome, problems = attempt(app, _write(tmp_path, "kb.json", data))
    assert outcome == "refused"
    assert problems[0].file == "kb.json" and problems[0].line and problems[0].line > 1
    assert "malformed JSON" in problems[0].message


# -- hostile values in well-formed JSON --------------------------------------------------------

hostile_text = st.one_of(
    st.text(max_size=40),
    st.text(st.characters(codec=None, min_codepoint=0, max_codepoint=0x10FFFF), max_size=20),
    st.sampled_from(
        [
            "\x00",
            "a\x00b",
            "\ud800",
            "x\udfff",
            "\u202e\u200b",
            "\r\n",
            " ",
            "<script>alert(1)</script>",
            "=cmd|' /C calc'!A0",
            "../../etc/passwd",
            "9999-99-99",
            "2017-02-30",
            "0000",
            "-1",
            "1e9999",
            "a b",
            "a/b",
        ]
    ),
    st.integers(1, 5).map(lambda n: "x" * (20000 * n + 1)),
)
hostile_value = st.one_of(
    hostile_text,
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**30), max_value=10**30),
    st.floats(allow_nan=True, allow_infinity=True),
    st.lists(hostile_text, max_size=3),
    st.dictionaries(st.text(max_size=5), st.integers(), max_size=2),
    st.just([[[[[]]]]]),
)


@st.composite
def spoiled_document(draw: st.DrawFn) -> dict[str, Any]:
    doc = copy.deepcopy(SMALL)
    for _ in range(draw(st.integers(1, 3))):
        entity = draw(st.sampled_from(kb1.ENTITIES))
        records = doc.setdefault(entity, [])
        dicts = [r for r in records if isinstance(r, dict)]
        where = draw(st.sampled_from(["field", "field", "field", "new field", "record"]))
        if where == "record" or not dicts:
            records.append(draw(hostile_value))
            continue
        rec = dicts[draw(st.integers(0, len(dicts) - 1))]
        if where == "new field":
            rec[draw(hostile_text)] = draw(hostile_value)
        else:
            rec[draw(st.sampled_from(kb1.FIELDS[entity]))] = draw(hostile_value)
    return doc


@examples(150)
@given(doc=spoiled_document())
def test_hostile_values_in_json_are_refused_with_the_field(app, tmp_path, doc) -> None:
    tally("import: hostile JSON values")
    data = json.dumps(doc, ensure_ascii=True).encode("ascii")  # NaN, \ud800 escapes and all
    attempt(app, _write(tmp_path, "kb.json", data))


def test_lone_surrogates_and_nul_are_refused_by_field(app, tmp_path) -> None:
    doc = copy.deepcopy(SMALL)
    doc["people"][0]["name"] = "Ada\ud800"
    doc["people"][0]["slug"] = "bad\udfffslug"
    doc["claims"][0]["text"] = "nul\x00here"
    data = json.dumps(doc, ensure_ascii=True).encode("ascii")
    outcome, problems = attempt(app, _write(tmp_path, "kb.json", data))
    assert outcome == "refused"
    fields = {p.field for p in problems}
    assert {"name", "slug", "text"} <= fields, problems
    assert any("surrogate" in p.message for p in problems)
    assert any("NUL" in p.message for p in problems)


def test_huge_value_is_refused_not_buffered(app, tmp_path, monkeypatch) -> None:
    # A string with no end: the reader stops at MAX_RECORD_CHARS instead of reading the file
    # into memory (the limit is lowered here so the test writes 300 KB, not 16 MB).
    monkeypatch.setattr(json_input, "MAX_RECORD_CHARS", 100_000)
    data = b'{"format": "kb/1", "people": [{"slug": "a", "name": "' + b"x" * 300_000
    outcome, problems = attempt(app, _write(tmp_path, "kb.json", data))
    assert outcome == "refused"
    assert "longer than the limit" in problems[0].message


# -- encodings ---------------------------------------------------------------------------------

ENCODINGS = ["utf-16", "utf-16-le", "utf-16-be", "utf-32", "latin-1", "cp1252", "utf-8-sig"]


@examples(40)
@given(
    encoding=st.sampled_from(ENCODINGS),
    kind=st.sampled_from(["json", "csv"]),
    nul_at=st.none() | st.integers(0, 2000),
)
def test_wrong_encodings_say_what_is_wrong(app, tmp_path, encoding, kind, nul_at) -> None:
    tally("import: encodings")
    doc = copy.deepcopy(SMALL)
    doc["people"][0]["name"] = "Ådå Lövelace, née Byron"  # not ASCII: the encodings differ
    if kind == "json":
        text = json.dumps(doc, ensure_ascii=False)
        name = "kb.json"
    else:
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(kb1.FIELDS["people"])
        for rec in doc["people"]:
            writer.writerow(kb1.csv_cells("people", rec))
        text = out.getvalue()
        name = "people.csv"
    data = bytearray(text.encode(encoding, errors="replace"))
    if nul_at is not None:
        data[min(nul_at, len(data)) : min(nul_at, len(data))] = b"\x00"
    outcome, problems = attempt(app, _write(tmp_path, name, bytes(data)))
    if encoding == "utf-8-sig" and nul_at is None:
        assert outcome == "ok", problems  # a byte order mark is not an error
    elif encoding != "utf-8-sig":
        assert outcome == "refused"
        if nul_at is None:
            assert "UTF-8" in problems[0].message, problems[0]


# -- CSV ---------------------------------------------------------------------------------------

csv_cell = st.one_of(
    st.text(max_size=30),
    st.sampled_from(['"', '"a"b', "a\nb", "\r", "\x00", "=1+1", "'=x", " ", "a b c"]),
)


@st.composite
def hostile_csv(draw: st.DrawFn) -> tuple[str, bytes]:
    entity = draw(st.sampled_from(kb1.ENTITIES))
    header = list(kb1.FIELDS[entity])
    if draw(st.booleans()):
        header = draw(st.permutations(header))
    if draw(st.integers(0, 4)) == 0:
        header = draw(st.lists(csv_cell, max_size=6))
    rows = draw(
        st.lists(
            st.lists(csv_cell, min_size=max(0, len(header) - 1), max_size=len(header) + 1),
            max_size=4,
        )
    )
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    writer.writerows(rows)
    data = out.getvalue().encode("utf-8")
    if draw(st.integers(0, 3)) == 0:
        data = draw(damaged(data))
    return entity, data


@examples(150)
@given(sample=hostile_csv())
def test_hostile_csv_is_refused_with_file_and_line(app, tmp_path, sample) -> None:
    tally("import: hostile CSV")
    entity, data = sample
    attempt(app, _write(tmp_path, f"{entity}.csv", data))


def test_unbalanced_quote_in_csv_names_file_and_line(app, tmp_path) -> None:
    data = b'slug,name\r\nada,"Ada\r\nbob,Bob\r\n'
    outcome, problems = attempt(app, _write(tmp_path, "people.csv", data))
    assert outcome == "refused"
    assert problems[0].file == "people.csv" and problems[0].line == 2


def test_huge_csv_cell_is_refused(app, tmp_path) -> None:
    data = b"slug,name\r\nada," + b"x" * (csv.field_size_limit() + 10) + b"\r\n"
    outcome, problems = attempt(app, _write(tmp_path, "people.csv", data))
    assert outcome == "refused"
    assert "people.csv" in str(problems[0])


# -- zip ---------------------------------------------------------------------------------------


def _zip(members: list[tuple[str, bytes]], compression: int = zipfile.ZIP_DEFLATED) -> bytes:
    buf = io.BytesIO()
    with warnings.catch_warnings(), zipfile.ZipFile(buf, "w") as zf:
        warnings.simplefilter("ignore")  # "Duplicate name": hostile archives have them
        for name, data in members:
            info = zipfile.ZipInfo(name, date_time=(2020, 1, 1, 0, 0, 0))
            info.compress_type = compression
            zf.writestr(info, data)
    return buf.getvalue()


member_name = st.one_of(
    st.sampled_from(
        [
            "kb.json",
            "people.csv",
            "bundle/kb.json",
            "bundle/people.csv",
            "README.txt",
            "../kb.json",
            "../../../../etc/passwd",
            "/kb.json",
            "/etc/people.csv",
            "C:/people.csv",
            "a\\..\\..\\people.csv",
            "bundle/../../kb.json",
            "x/./people.csv",
            ".hidden.csv",
            "dir/",
            "people.csv\x00.txt",
        ]
    ),
    st.text(min_size=1, max_size=20),
)
member_data = st.one_of(
    st.just(SMALL_BYTES),
    damaged(SMALL_BYTES),
    st.sampled_from([b"", b"slug,name\r\nada,Ada\r\n", b"\xff\xfe{", b"PK\x03\x04"]),
    st.binary(max_size=200),
)


@examples(120)
@given(
    members=st.lists(st.tuples(member_name, member_data), min_size=0, max_size=5),
    cut=st.none() | st.integers(0, 400),
    flip=st.none() | st.tuples(st.integers(0, 400), st.integers(0, 255)),
)
def test_hostile_zips_are_refused_cleanly(app, tmp_path, members, cut, flip) -> None:
    tally("import: hostile zips")
    data = bytearray(_zip(members))
    if flip is not None and data:
        data[flip[0] % len(data)] = flip[1]
    if cut is not None:
        del data[len(data) - min(cut, len(data)) :]
    outcome, problems = attempt(app, _write(tmp_path, "bundle.zip", bytes(data)))
    names = [n for n, _ in members]
    escaping = any(n.startswith(("/", "../")) or "/../" in n or n.startswith("C:") for n in names)
    if escaping and flip is None and cut is None:
        assert outcome == "refused"
        message = problems[0].message
        assert "refused without unpacking" in message or "appears twice" in message


def test_duplicate_members_are_refused(app, tmp_path) -> None:
    data = _zip([("kb.json", SMALL_BYTES), ("kb.json", b"{}")])
    outcome, problems = attempt(app, _write(tmp_path, "bundle.zip", data))
    assert outcome == "refused"
    assert "'kb.json' appears twice" in problems[0].message


@pytest.mark.parametrize(
    "name", ["../kb.json", "/etc/kb.json", "bundle/../../people.csv", "C:\\kb.json", "a\\..\\..\\b"]
)
def test_member_paths_that_leave_the_folder_are_refused(app, tmp_path, name) -> None:
    data = _zip([("README.txt", b"hello"), (name, SMALL_BYTES)])
    outcome, problems = attempt(app, _write(tmp_path, "bundle.zip", data))
    assert outcome == "refused"
    assert problems[0].file == "bundle.zip"
    assert repr(name) in problems[0].message and "refused without unpacking" in problems[0].message


def test_a_zip_bomb_is_refused_before_unpacking(app, tmp_path) -> None:
    # 64 MB of spaces (valid JSON whitespace) squeezed into ~64 KB: the ratio gives it away.
    bomb = _zip([("kb.json", SMALL_BYTES + b" " * (64 * 1024 * 1024))])
    assert len(bomb) < 200_000
    outcome, problems = attempt(app, _write(tmp_path, "bundle.zip", bomb))
    assert outcome == "refused"
    assert "zip bomb" in problems[0].message and "kb.json" in problems[0].message


def test_total_unpacked_size_is_limited(app, tmp_path) -> None:
    # Incompressible members under the ratio limit, but more in total than the limit allows.
    data = _zip([(f"extra{i}.bin", bytes(range(256)) * 40) for i in range(5)])
    outcome, problems = attempt(app, _write(tmp_path, "bundle.zip", data), max_unpacked=40_000)
    assert outcome == "refused"
    assert "would unpack to 51,200 bytes; the limit is 40,000" in problems[0].message


def test_a_lying_header_cannot_unpack_more_than_it_declares(app, tmp_path) -> None:
    # A central directory that claims a 100 GB member is refused on its word, without reading.
    data = bytearray(_zip([("kb.json", SMALL_BYTES)], compression=zipfile.ZIP_STORED))
    cd = data.rfind(b"PK\x01\x02")
    struct.pack_into("<I", data, cd + 24, 0xFFFFFFFE)  # uncompressed size
    outcome, problems = attempt(app, _write(tmp_path, "bundle.zip", bytes(data)))
    assert outcome == "refused"
    assert "would unpack to" in problems[0].message or "zip bomb" in problems[0].message


def test_too_many_members_are_refused(app, tmp_path) -> None:
    data = _zip([(f"m{i}.txt", b"") for i in range(readers.MAX_ZIP_MEMBERS + 1)])
    outcome, problems = attempt(app, _write(tmp_path, "bundle.zip", data))
    assert outcome == "refused"
    assert f"holds {readers.MAX_ZIP_MEMBERS + 1} members" in problems[0].message


def test_corrupt_compressed_data_is_a_clear_error(app, tmp_path) -> None:
    data = bytearray(_zip([("kb.json", SMALL_BYTES * 4)]))
    start = 30 + len("kb.json")  # the first member's compressed bytes
    for i in range(start + 200, start + 260):
        data[i] ^= 0x5A
    outcome, problems = attempt(app, _write(tmp_path, "bundle.zip", bytes(data)))
    assert outcome == "refused"
    assert "kb.json" in str(problems[0])
    assert "damaged" in problems[0].message or "malformed JSON" in problems[0].message


# -- the same files through `kb import` and /admin/import -------------------------------------

hostile_file = st.one_of(
    damaged(SMALL_BYTES).map(lambda d: ("kb.json", d)),
    hostile_csv().map(lambda s: (f"{s[0]}.csv", s[1])),
    st.lists(st.tuples(member_name, member_data), max_size=4).map(
        lambda members: ("bundle.zip", _zip(members))
    ),
    st.sampled_from(ENCODINGS).map(
        lambda enc: ("kb.json", json.dumps(SMALL, ensure_ascii=False).encode(enc, "replace"))
    ),
)


@examples(40)
@given(sample=hostile_file)
def test_kb_import_command_reports_and_exits_1(app, tmp_path, sample) -> None:
    tally("import: `kb import` command")
    name, data = sample
    path = _write(tmp_path, name, data)
    before = snapshot(app)
    result = app.test_cli_runner().invoke(args=["import", str(path)])
    assert result.exit_code in (0, 1), result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert "Traceback" not in result.output
    if result.exit_code == 1:
        assert "error: " in result.output and snapshot(app) == before


@examples(40)
@given(sample=hostile_file)
def test_admin_upload_previews_or_refuses_and_writes_nothing(app, editor_client, sample) -> None:  # noqa: F811
    tally("import: /admin/import upload")
    name, data = sample
    before = snapshot(app)
    token = csrf_token(editor_client, "/admin/import/")
    r = editor_client.post(
        "/admin/import/",
        data={"csrf_token": token, "file": (io.BytesIO(data), name)},
        content_type="multipart/form-data",
    )
    assert r.status_code in (200, 422), r.status_code
    assert snapshot(app) == before  # a preview is a dry run, refused or not
    if r.status_code == 422:
        assert "problem" in r.text.lower()
