"""A JSON array written one item per line, in chunks, for the streamed JSON exports (kb/1 and
JSON-LD): memory stays flat whatever the size, and each chunk is a few hundred items so the
response is not a million tiny writes."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from typing import Any

CHUNK = 200


class JsonArray:
    """The items of one JSON array, written across any number of `items` calls; `empty` says
    whether any was written (the closing bracket goes on its own line after the last)."""

    def __init__(self) -> None:
        self.empty = True

    def items(self, records: Iterable[Any]) -> Iterator[str]:
        buf: list[str] = []
        for record in records:
            buf.append(("\n" if self.empty else ",\n") + json.dumps(record, ensure_ascii=False))
            self.empty = False
            if len(buf) >= CHUNK:
                yield "".join(buf)
                buf.clear()
        if buf:
            yield "".join(buf)
