"""Which kb/1 reader a path needs: a folder of CSVs, a zip bundle, one <entity>.csv, or a JSON
document, told from the file's content and name; and a zip's directory checked before anything
in it is read.

Every reader is an Input (kb.formats.reading) that hands out each entity's records one at a
time (`records(entity)`), with the line each record starts on, so an importer can check a
million stances without holding them. Problems that stop a file from being read at all (bad
encoding, malformed JSON or CSV, a missing column) raise `ReadError` with a Problem naming the
file and line; problems with one record are the importer's to find. The readers:
kb.formats.json_input and kb.formats.csv_input.
"""

from __future__ import annotations

import codecs
import os
import re
import zipfile
from pathlib import Path
from typing import IO

from kb.errors import Problem
from kb.formats import kb1
from kb.formats.csv_input import CsvInput, csv_files
from kb.formats.json_input import JsonInput
from kb.formats.reading import Input, Opener, ReadError, wide_text

# Limits on a zip archive, checked on its directory before any member is read. A member never
# yields more than the size its header declares (zipfile stops there and checks the CRC), so
# declared sizes bound what can come out: a small "zip bomb" that would expand to gigabytes
# is refused up front instead of being unpacked. kb's own bundle is 10 members compressed
# about 10:1; the ratio limit leaves a wide margin, and small members are never blamed for it.
MAX_ZIP_MEMBERS = 1000
MAX_ZIP_UNPACKED = 8 * 1024 * 1024 * 1024
MAX_ZIP_RATIO = 200
_RATIO_FROM = 1024 * 1024


def _opener(path: Path) -> Opener:
    """Opens `path` when called: a folder's files are opened one at a time, when read."""
    return lambda: open(path, "rb")  # noqa: SIM115 - the reader closes it


def open_input(
    path: str | os.PathLike[str], display_name: str | None = None, **zip_limits: int
) -> Input:
    """The right reader for `path`: a folder of CSVs, a zip bundle (its kb.json if it has
    one, else its CSVs), a single <entity>.csv, or a JSON document. Raises ReadError when the
    path cannot be used at all. `zip_limits` (max_members, max_unpacked, max_ratio) override
    the MAX_ZIP_* defaults for a zip."""
    p = Path(path)
    name = display_name or p.name
    if p.is_dir():
        found, extra = csv_files(sorted(f.name for f in p.iterdir() if f.is_file()))
        if not found:
            raise ReadError(
                Problem("folder", None, "holds no kb/1 CSV file (people.csv, ...)", file=name)
            )
        files: dict[str, tuple[Opener, int]] = {
            e: (_opener(p / fname), (p / fname).stat().st_size) for e, fname in found.items()
        }
        return CsvInput(files, name, extra)
    if not p.exists():
        raise ReadError(Problem("path", None, "does not exist", file=name))
    if zipfile.is_zipfile(p):  # the content decides, whatever the name says
        return _zip_input(p, name, **zip_limits)
    with open(p, "rb") as fh:
        head = fh.read(_SNIFF_BYTES)
    start = head[:4]
    if start.startswith(codecs.BOM_UTF8):
        start = start[3:]
    wide = wide_text(start)
    if wide:
        raise ReadError(
            Problem("file", None, f"is {wide} text, not UTF-8; save it as UTF-8", 1, name)
        )
    stem, _, ext = Path(name).name.rpartition(".")  # an upload is named by its display name
    if ext.lower() == "csv":
        entity = stem if stem in kb1.ENTITIES else ""
        if not entity:
            raise ReadError(
                Problem(
                    "file",
                    None,
                    f"a CSV file must be named after its entity: {', '.join(kb1.ENTITIES)}.csv",
                    file=name,
                )
            )
        return CsvInput({entity: (lambda: open(p, "rb"), p.stat().st_size)}, name, [])
    problem = _not_json(head, ext.lower())
    if problem:
        raise ReadError(Problem("file", None, problem, file=name))
    return JsonInput(lambda: open(p, "rb"), name, p.stat().st_size)


# Enough of a file's start to tell what it is (past a byte order mark and leading blanks).
_SNIFF_BYTES = 4096
_ZIP_MAGIC = (b"PK\x03\x04", b"PK\x05\x06", b"PK\x07\x08")
_JSON_STARTS = b'{["-0123456789tfn'


def _not_json(head: bytes, ext: str) -> str | None:
    """What a file that is not a readable zip really is, when it is not what a JSON reader
    can read, from its first bytes: so that garbage named .zip is "not a zip archive" and a
    binary file is "not JSON", rather than a "malformed JSON" message about column 1."""
    body = head.removeprefix(codecs.BOM_UTF8).lstrip(b" \t\r\n")
    looks_json = bool(body) and body[:1] in _JSON_STARTS
    if head.startswith(_ZIP_MAGIC):
        return "is a damaged zip archive (it starts like one, but cannot be read as one)"
    if ext == "zip":
        hint = "; it looks like a JSON document: name it .json" if looks_json else ""
        return (
            f"is not a zip archive (a zip starts with 'PK'; this starts with {_start(head)}){hint}"
        )
    if not body:
        if len(head) == _SNIFF_BYTES:
            return None  # only blanks so far: the JSON reader reads on
        return "is empty (or only blanks): a kb/1 JSON document starts with '{'"
    if not looks_json:
        return (
            f"is not JSON: a kb/1 JSON document starts with '{{'; this file starts with "
            f"{_start(head)}"
        )
    return None


def _start(head: bytes) -> str:
    """A file's first bytes as a message shows them (repr: control bytes stay visible)."""
    return repr(head[:16]) if head else "nothing (it is empty)"


def _unsafe_member(member: str) -> str | None:
    """Why a member's path would land outside the folder it is unpacked into, if it would.
    kb reads members without unpacking them, but such a name is a sign of a hostile or broken
    archive, and the next tool to unpack it might not be as careful."""
    path = member.replace("\\", "/")
    if path.startswith("/") or re.match(r"^[A-Za-z]:", path):
        return "has an absolute path"
    if ".." in path.split("/"):
        return "has a path that leads out of its folder ('..')"
    if "\x00" in path or any(ord(c) < 32 for c in path):
        return "has control characters in its name"
    return None


def _zip_input(
    p: Path,
    name: str,
    max_members: int = MAX_ZIP_MEMBERS,
    max_unpacked: int = MAX_ZIP_UNPACKED,
    max_ratio: int = MAX_ZIP_RATIO,
) -> Input:
    """A zip bundle's reader, once its directory has passed the limits above: nothing is
    unpacked from an archive that is refused."""
    try:
        zf = zipfile.ZipFile(p)
        infolist = zf.infolist()
    except (zipfile.BadZipFile, OSError, EOFError, ValueError) as exc:
        raise ReadError(
            Problem("file", None, f"is not a readable zip archive: {exc}", file=name)
        ) from None
    refused = _directory_problem(infolist, max_members, max_unpacked, max_ratio)
    if refused:
        zf.close()
        raise ReadError(Problem("zip", None, refused, file=name))
    infos = {i.filename: i for i in infolist if not i.is_dir()}
    return _bundle_input(zf, infos, name)


def _directory_problem(
    infolist: list[zipfile.ZipInfo], max_members: int, max_unpacked: int, max_ratio: int
) -> str | None:
    """Why a zip's directory is refused (the first reason found), if it is."""
    if len(infolist) > max_members:
        return (
            f"holds {len(infolist)} members; the limit is {max_members} "
            "(a kb bundle has 10): refused without unpacking"
        )
    total = 0
    seen: set[str] = set()
    for info in infolist:
        if info.filename in seen:
            return f"the member {info.filename!r} appears twice: which one is meant?"
        seen.add(info.filename)
        why = _unsafe_member(info.filename)
        if why:
            return f"the member {info.filename!r} {why}: refused without unpacking"
        total += info.file_size
        if info.file_size > _RATIO_FROM and info.file_size > max_ratio * max(info.compress_size, 1):
            return (
                f"the member {info.filename!r} would unpack to {info.file_size:,} bytes from "
                f"{info.compress_size:,} (more than {max_ratio} times its size): "
                "this looks like a zip bomb and was refused without unpacking"
            )
    if total > max_unpacked:
        return (
            f"would unpack to {total:,} bytes; the limit is {max_unpacked:,}: "
            "refused without unpacking"
        )
    return None


def _member_opener(zf: zipfile.ZipFile, info: zipfile.ZipInfo) -> Opener:
    """Opens one member when called; a member zipfile cannot unpack is a ReadError."""

    def open_member() -> IO[bytes]:
        try:
            return zf.open(info)
        except (zipfile.BadZipFile, NotImplementedError, RuntimeError) as exc:
            raise ReadError(
                Problem("file", None, f"cannot be read from the zip: {exc}", file=info.filename)
            ) from None

    return open_member


def _bundle_input(zf: zipfile.ZipFile, infos: dict[str, zipfile.ZipInfo], name: str) -> Input:
    """The archive's kb.json (the one nearest the top) if it has one, else its CSV files. The
    Input keeps the archive open until it is closed."""
    jsons = [n for n in infos if n.rsplit("/", 1)[-1] == "kb.json"]
    if jsons:
        member = sorted(jsons, key=len)[0]
        opener = _member_opener(zf, infos[member])
        inp: Input = JsonInput(opener, f"{name}:{member}", infos[member].file_size)
        inp.archive = zf  # type: ignore[attr-defined]
        return inp
    found, extra = csv_files(sorted(infos))
    if not found:
        zf.close()
        raise ReadError(
            Problem("zip", None, "holds neither kb.json nor any kb/1 CSV file", file=name)
        )
    files = {
        e: (_member_opener(zf, infos[member]), infos[member].file_size)
        for e, member in found.items()
    }
    inp = CsvInput(files, name, extra)
    inp.archive = zf  # type: ignore[attr-defined]
    return inp
