"""kb beside Datasette on a copy of the same data, in one run (issue 16 item 4).

`--only datasette` writes the publishable copy with `kb export --format sqlite` (what a reader
who picked Datasette instead would serve), starts `datasette serve COPY -i -m METADATA` (one
process, immutable as `datasette publish` serves a file; Datasette's default settings) and
`kb serve` (its defaults), and measures under the same wrk load, with the same rows asked of
each:

- kb's filtered claim list, /claims?topic=T&position=P&page=N, against Datasette's filtered
  table page of the same claims: /copy/claims?_where=id in (claims of topic T)&_where=id in
  (claims with a latest stance of position P)&_size=50 (kb's page size), pages by
  Datasette's keyset `_next=<id>` instead of a page number;
- kb's /search?q=W against Datasette's full-text search of the quotes table,
  /copy/quotes?_search=W&_size=50 (the copy gives each table its own FTS5 index, and quotes
  are most of what kb's search finds).

Each row twice: cold, a different filter or word at every request (kb's with an ignored
`visit=<n>` too, so that its page cache never answers; Datasette keeps no page cache), and
warm, the same URL at every request after a warm-up. The table says whether kb is at least as
fast as Datasette in each row: at least its req/s and at most its p99.
"""

from __future__ import annotations

import contextlib
import random
import socket
import sqlite3
import subprocess
import sys
import time
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode

from loadrun import WARMUP_SECONDS, Load, get_ms, log, rotation_script, run_wrk, warm
from rotating import COMMON_WORDS, with_visit

SECTION = "datasette"
PAGE_SIZE = 50


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Datasette:
    """`datasette serve` on loopback for the copy, started and stopped here."""

    def __init__(self, copy: Path, metadata: Path, logfile: Path):
        self.port = free_port()
        self.log = open(logfile, "a")  # noqa: SIM115 - closed in stop()
        args = [sys.executable, "-m", "datasette", "serve", "-i", str(copy)]
        args += ["-m", str(metadata), "-h", "127.0.0.1", "-p", str(self.port)]
        self.proc = subprocess.Popen(args, stdout=self.log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 120
        while True:
            with contextlib.suppress(OSError):
                if get_ms(self.port, "/-/versions.json")[0] == 200:
                    return
            if self.proc.poll() is not None or time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"datasette did not start; see {logfile}")
            time.sleep(0.3)

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        self.log.close()


def datasette_list(db: str, topic_id: int, position: str, after: int | None) -> str:
    args = [
        ("_where", f"id in (select claim_id from claim_topics where topic_id = {topic_id})"),
        (
            "_where",
            f"id in (select claim_id from stances where latest = 1 and position = '{position}')",
        ),
        ("_size", str(PAGE_SIZE)),
    ]
    if after:
        args.append(("_next", str(after)))
    return f"/{db}/claims?{urlencode(args)}"


def url_pairs(copy: Path, db: str, topic: str) -> dict[str, tuple[list[str], list[str]]]:
    """Each row's (kb URLs, Datasette URLs): many for a cold row, one for a warm one."""
    with contextlib.closing(sqlite3.connect(copy)) as conn:
        topics = list(conn.execute("SELECT id, slug FROM topics ORDER BY id"))
        (claims,) = conn.execute("SELECT count(*) FROM claims").fetchone()
        (quotes,) = conn.execute("SELECT max(id) FROM quotes").fetchone()
    topic_id = next((i for i, s in topics if s == topic), topics[0][0] if topics else 0)
    positions = ("supports", "opposes", "mixed")
    kb_lists, ds_lists = [], []
    for i, slug in topics:
        for position in positions:
            for n in range(20):
                kb_lists.append(with_visit(f"/claims?topic={quote(slug)}&position={position}"))
                kb_lists[-1] += f"&page={n + 1}"
                ds_lists.append(datasette_list(db, i, position, n * max(1, claims // 20)))
    # numbers every quote's text holds one of ("Synthetic quote <n> by ..."): a few matches each
    rng = random.Random(7)
    numbers = [str(rng.randrange(1, (quotes or 1) + 1)) for _ in range(1000)]
    kb_search = [with_visit(f"/search?q={quote(w)}") for w in COMMON_WORDS]
    ds_search = [f"/{db}/quotes?_search={quote(w)}&_size={PAGE_SIZE}" for w in COMMON_WORDS]
    return {
        "filtered claim list, cold": (kb_lists, ds_lists),
        "filtered claim list, warm": (
            [f"/claims?topic={quote(topic)}&position=supports"],
            [datasette_list(db, topic_id, "supports", None)],
        ),
        "search, common words, cold": (kb_search, ds_search),
        "search, common words, warm": (
            ["/search?q=existential%20risk"],
            [f"/{db}/quotes?_search=existential%20risk&_size={PAGE_SIZE}"],
        ),
        "search, rare numbers, cold": (
            [with_visit(f"/search?q={n}") for n in numbers],
            [f"/{db}/quotes?_search={n}&_size={PAGE_SIZE}" for n in numbers],
        ),
        "search, rare numbers, warm": (
            ["/search?q=4242"],
            [f"/{db}/quotes?_search=4242&_size={PAGE_SIZE}"],
        ),
    }


def one_side(
    res: Any, work: Path, who: str, port: int, row: str, urls: list[str], runs: int, load: Load
) -> tuple[Any, Any]:
    rps = res.add(SECTION, f"{row}: {who} req/s", "req/s")
    p99 = res.add(SECTION, f"{row}: {who} p99", "ms", better="lower")
    status, _ = get_ms(port, urls[0].replace("{n}", "check"))
    if status != 200:
        p99.note = f"HTTP {status} for {urls[0]}"
    if len(urls) == 1:
        warm(port, urls[0], load.threads, load.connections, WARMUP_SECONDS)
    for _ in range(runs):
        script = rotation_script(work / f"{who}.lua", urls)
        figures = run_wrk(f"http://127.0.0.1:{port}/", load, script)
        if not figures["rps"]:
            p99.note = f"no request completed within {load.seconds} s"
            continue
        rps.values.append(figures["rps"])
        p99.values.append(figures["p99"])
        if figures["errors"] or figures["socket_errors"]:
            p99.note = f"errors: {figures['errors']:.0f} non-2xx/3xx {figures['socket_errors']}"
        log(f"datasette: {row}, {who}: {figures['rps']:.0f} req/s, p99 {figures['p99']:.1f} ms")
    return rps, p99


def side_table(rows: list[tuple[str, tuple[Any, Any], tuple[Any, Any]]]) -> str:
    """The markdown table: each row's req/s and p99 for kb and Datasette, and the verdict."""
    lines = [
        "| row | kb req/s | kb p99 ms | Datasette req/s | Datasette p99 ms | kb at least as fast |",
        "|---|---|---|---|---|---|",
    ]
    for row, (kb_rps, kb_p99), (ds_rps, ds_p99) in rows:
        figures = [m.median() for m in (kb_rps, kb_p99, ds_rps, ds_p99)]
        if None not in figures[:2] and ds_p99.note.startswith("no request completed"):
            verdict = f"yes (Datasette: {ds_p99.note})"
        elif None in figures:
            verdict = "-"
        else:
            faster = figures[0] >= figures[2] and figures[1] <= figures[3]
            verdict = "yes" if faster else "NO"
        troubled = [m.note for m in (kb_p99, ds_p99) if m.note.startswith(("errors", "HTTP"))]
        if troubled:
            verdict += f" ({'; '.join(troubled)})"
        cells = [f"{x:,.1f}" if x is not None else "-" for x in figures]
        lines.append(f"| {row} | " + " | ".join(cells) + f" | {verdict} |")
    return "\n".join(lines)


def bench_datasette(
    res: Any,
    work: Path,
    export: Any,
    kb_port: int,
    topic: str,
    runs: int,
    load: Load,
) -> str:
    """See the module's docstring. `export(args)` runs `kb export` on the measured database
    (True when it succeeded). Returns the side-by-side table (markdown)."""
    copy, metadata = work / "copy.db", work / "copy.metadata.json"
    for path in (copy, metadata):
        path.unlink(missing_ok=True)
    if not export(["export", "--format", "sqlite", "--output", str(copy)]):
        res.missing(SECTION, "all rows", "kb export --format sqlite failed")
        return ""
    log(f"datasette: copy written, {copy.stat().st_size / 1e6:.0f} MB")
    server = Datasette(copy, metadata, work / "datasette.log")
    rows = []
    try:
        for row, (kb_urls, ds_urls) in url_pairs(copy, copy.stem, topic).items():
            kb_side = one_side(res, work, "kb", kb_port, row, kb_urls, min(runs, 2), load)
            ds_side = one_side(
                res, work, "Datasette", server.port, row, ds_urls, min(runs, 2), load
            )
            rows.append((row, kb_side, ds_side))
    finally:
        server.stop()
    return side_table(rows)
