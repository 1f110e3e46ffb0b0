"""The zip bundle: every CSV, the JSON dump, the schema and a README, written as a stream.

zipfile can write to a stream it cannot seek: it then puts each member's sizes and CRC in a data
descriptor after the member instead of going back to patch the header. `iter_zip` hands zipfile
such a sink and yields whatever it has written after every chunk, so the bundle leaves the
server while it is being made and never sits in memory or on disk whole. Members are written
with ZIP64 extensions allowed, so a member may pass 4 GB.
"""

from __future__ import annotations

import datetime as dt
import zipfile
from collections.abc import Callable, Iterable, Iterator

README = """kb export bundle (format kb/1)
==============================

kb.json             the whole knowledge base as one kb/1 JSON document
kb1.schema.json     its JSON Schema (draft 2020-12)
<entity>.csv        the same records, one CSV file per entity: people, affiliations, topics,
                    sources, claims, quotes, verifications, statements, signatures, stances,
                    claim_relations, replies, reports

CSV files are UTF-8 without a byte order mark, RFC 4180 (comma, double quotes, CRLF).
A cell beginning with = + - @ a tab or a carriage return is prefixed with a single quote so a
spreadsheet shows it as text rather than running it; kb removes that quote again on import.
The JSON keeps the exact text.

quotes.disputed is true while an editor has accepted a reader's report on the quote and no
revision has fixed it yet; kb writes it and an import ignores it. replies.csv is the speakers'
replies to the attribution of their quotes (endorsed or disputed, with the source recording it).
reports.csv is readers' reports of problems with a quote, a stance or a source, and what the
editors decided (their public fields only: never the reader's e-mail, explanation or evidence
link, which are for kb's editors; a report about a record deleted since is left out).

Many-to-many fields are one cell of space-separated values: sources.authors (person slugs),
claims.topics (topic slugs), stances.evidence (quote ids; may be empty when the person signed
a statement on the claim: signatures.csv). An empty cell is a missing value.

Records refer to each other by slug (people, topics, sources, claims) and quotes by their "id"
("q" and kb's database id, stable from one export to the next).
Import this bundle (or the folder of CSVs, or kb.json) with `kb import PATH`.
The full description of every field is docs/FORMAT.md in kb's source.
"""


class _Sink:
    """A write-only, unseekable file that keeps what was written until it is drained."""

    def __init__(self) -> None:
        self._chunks: list[bytes] = []

    def write(self, data: bytes) -> int:
        self._chunks.append(bytes(data))
        return len(data)

    def flush(self) -> None:
        pass

    def close(self) -> None:
        """Nothing to release (ZipFile never closes a file it was handed)."""

    def drain(self) -> bytes:
        data = b"".join(self._chunks)
        self._chunks.clear()
        return data


Member = tuple[str, Callable[[], Iterable[str]]]


def iter_zip(members: Iterable[Member], when: dt.datetime | None = None) -> Iterator[bytes]:
    """Yield a zip archive of `members` (name, factory of text chunks), compressed, as it is
    written. Each factory is called only when its member's turn comes."""
    sink = _Sink()
    stamp = (when or dt.datetime.now(dt.UTC)).timetuple()[:6]
    with zipfile.ZipFile(sink, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=6) as zf:
        for name, factory in members:
            info = zipfile.ZipInfo(name, date_time=stamp)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            with zf.open(info, "w", force_zip64=True) as member:
                for chunk in factory():
                    member.write(chunk.encode("utf-8"))
                    data = sink.drain()
                    if data:
                        yield data
            yield sink.drain()
    yield sink.drain()
