"""kb's benchmark: bulk load, exports, pages and the agreement graph, each beside its floor.

    python benchmarks/run.py [--scale tiny|small|reference] [--runs N] [--only SECTIONS]
                             [--db FILE | --db-url postgresql+psycopg://...]

Builds a synthetic SQLite database with `kb synth` (the reference scale is 2,000 people,
50,000 claims, 200,000 sources, 1,000,000 quotes, 1,000,000 stances, 200,000 relations),
then measures:

- bulk: rows/s of `kb synth`, and of `kb import` of a JSON dump of the same data, against
  `executemany` of the same rows into the same schema (plain sqlite3);
- export: /export/stances.csv and /export/kb.json fetched whole from `kb serve`: rows/s, time
  to first byte and the serving worker's peak RSS, against plain sqlite3 + csv/json writing
  the same rows;
- pages: /, a person page, a claim page, a filtered claim list, a search and /graph under
  `wrk -t2 -c8` on loopback: requests/s, p50 and p99, against the SQL the page runs, replayed
  with plain sqlite3;
- graph: building the agreement graph and the camps, cold and from the cache;
- uncached (also part of pages): every public page kind with every request a first visit
  (benchmarks/rotating.py);
- after-edit: the same first visits, each kind's runs right after one real edit
  (benchmarks/after_edit.py);
- datasette: kb's filtered list and search beside Datasette's on a copy of the same data
  (benchmarks/datasette_side.py).

`--db-url postgresql+psycopg://...` measures a PostgreSQL database instead (benchmarks/target.py).

Every figure is the median of several runs with min and max. The table is printed and written
as JSON to benchmarks/out/. Anything kb does not have yet is reported as "missing".
Only loopback is ever contacted; every load run is bounded in time.
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import http.client
import io
import json
import os
import platform
import shutil
import signal
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "benchmarks" / "out"
sys.path.insert(0, str(ROOT))

import target  # noqa: E402
from after_edit import bench_after_edit  # noqa: E402
from datasette_side import bench_datasette  # noqa: E402
from loadrun import WARMUP_SECONDS, Load, log, parse_wrk, warm  # noqa: E402
from rotating import bench_first_visits, first_visit_kinds  # noqa: E402
from target import SQLITE_PRAGMAS, Db, connection, dict_rows, url_of  # noqa: E402

from kb.formats.kb1 import FIELDS  # noqa: E402

STANCE_COLUMNS = list(FIELDS["stances"])

SCALES: dict[str, dict[str, int]] = {
    "tiny": dict(people=20, claims=100, sources=200, quotes=1000, stances=1000, relations=200),
    "small": dict(
        people=200, claims=5000, sources=20000, quotes=100000, stances=100000, relations=20000
    ),
    "reference": dict(
        people=2000,
        claims=50000,
        sources=200000,
        quotes=1000000,
        stances=1000000,
        relations=200000,
    ),
}
# How many runs each section makes at each scale, and how long each page is loaded (seconds).
PLAN: dict[str, dict[str, int]] = {
    "tiny": dict(bulk=2, export=2, export_json=2, pages=2, page_seconds=2, graph=2),
    "small": dict(bulk=3, export=3, export_json=3, pages=3, page_seconds=4, graph=3),
    "reference": dict(bulk=1, export=3, export_json=1, pages=3, page_seconds=4, graph=3),
}
# A page whose single request takes longer than this is timed once, not put under load.
SLOW_PAGE_S = 5.0
# The issue asks for a reference run in under 20 minutes on two cores.
BUDGET_MINUTES = {"reference": 19.0}
TARGETS = {
    "export_ratio": 2.0,  # within 2x of the floor in rows/s
    "export_rss_mb": 200.0,
    "export_ttfb_ms": 100.0,
    "page_p99_ms": 100.0,  # person, claim, list and search pages
    "graph_cold_s": 10.0,
    "bulk_ratio": 3.0,
}
# Tables in insertion order, for counting rows and for the executemany floor.
TABLES = (
    "person",
    "topic",
    "source",
    "source_author",
    "claim",
    "claim_topic",
    "quote",
    "stance",
    "stance_evidence",
    "claim_relation",
)


# ----------------------------------------------------------------------------- results


@dataclass
class Metric:
    section: str
    name: str
    unit: str
    values: list[float] = field(default_factory=list)
    floor: list[float] = field(default_factory=list)
    # "higher" when more is better (rows/s), "lower" for latencies; the ratio is kb / floor
    # for "lower" and floor / kb for "higher", so it reads "how many times slower than floor".
    better: str = "higher"
    target: str = ""
    ok: bool | None = None
    note: str = ""

    def summary(self) -> dict[str, Any]:
        def stats(xs: list[float]) -> dict[str, float] | None:
            if not xs:
                return None
            return {"median": statistics.median(xs), "min": min(xs), "max": max(xs), "n": len(xs)}

        out: dict[str, Any] = {
            "section": self.section,
            "name": self.name,
            "unit": self.unit,
            "kb": stats(self.values),
            "floor": stats(self.floor),
            "target": self.target,
            "ok": self.ok,
            "note": self.note,
        }
        out["ratio"] = self.ratio()
        return out

    def median(self) -> float | None:
        return statistics.median(self.values) if self.values else None

    def ratio(self) -> float | None:
        if not self.values or not self.floor:
            return None
        kb, fl = statistics.median(self.values), statistics.median(self.floor)
        if kb <= 0 or fl <= 0:
            return None
        return fl / kb if self.better == "higher" else kb / fl


class Results:
    def __init__(self) -> None:
        self.metrics: list[Metric] = []

    def add(self, section: str, name: str, unit: str, **kw: Any) -> Metric:
        metric = Metric(section, name, unit, **kw)
        self.metrics.append(metric)
        return metric

    def missing(self, section: str, name: str, why: str) -> None:
        self.add(section, name, "", note=f"missing: {why}")


# ----------------------------------------------------------------------------- kb helpers


def kb_env(db: Db, instance: Path) -> dict[str, str]:
    env = dict(os.environ)
    env["KB_DATABASE_URL"] = url_of(db)
    env["KB_INSTANCE_PATH"] = str(instance)
    env["PYTHONPATH"] = str(ROOT) + os.pathsep + env.get("PYTHONPATH", "")
    env.setdefault("KB_SECRET_KEY", "benchmark-only")
    return env


def kb_cmd(*args: str) -> list[str]:
    """The `kb` command of the checkout this script lives in (not whatever kb is installed)."""
    return [sys.executable, "-c", "from kb.__main__ import cli; cli()", *args]


def run_kb(
    args: list[str], db: Db, instance: Path, timeout: float
) -> tuple[float, subprocess.CompletedProcess[str]]:
    started = time.perf_counter()
    proc = subprocess.run(
        kb_cmd(*args),
        env=kb_env(db, instance),
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    return time.perf_counter() - started, proc


def sqlite_connect(path: Path) -> sqlite3.Connection:
    conn = sqlite3.connect(path)
    for pragma in SQLITE_PRAGMAS:
        conn.execute(pragma)
    return conn


def count_rows(db: Db) -> dict[str, int]:
    with connection(db) as conn:
        return {t: conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in TABLES}


def remove_db(path: Path) -> None:
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)


def make_app(db: Db, instance: Path) -> Any:
    sys.path.insert(0, str(ROOT))
    os.environ["KB_INSTANCE_PATH"] = str(instance)
    from kb import create_app

    return create_app(
        {"DATABASE_URL": url_of(db), "SECRET_KEY": "benchmark-only", "HTTP_CACHING": False}
    )


# ----------------------------------------------------------------------------- server


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """`kb serve` on loopback, started and stopped by this script."""

    def __init__(self, db: Db, instance: Path, logfile: Path, workers: int | None = None):
        self.port = free_port()
        args = ["serve", "--host", "127.0.0.1", "--port", str(self.port)]
        if workers:
            args += ["--workers", str(workers)]
        self.log = open(logfile, "a")  # noqa: SIM115 - closed in stop()
        self.proc = subprocess.Popen(
            kb_cmd(*args),
            env=kb_env(db, instance),
            cwd=ROOT,
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 120
        while True:
            try:
                status, _, _ = fetch(self.port, "/", limit=1)
                if status < 500:
                    break
            except OSError:
                pass
            if self.proc.poll() is not None or time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"kb serve did not start; see {logfile}")
            time.sleep(0.3)

    def workers(self) -> list[int]:
        children = Path(f"/proc/{self.proc.pid}/task/{self.proc.pid}/children")
        try:
            return [int(p) for p in children.read_text().split()]
        except OSError:
            return []

    def peak_rss_mb(self) -> float:
        """The largest peak resident set (VmHWM) of any worker: what one request cost."""
        peak = 0
        for pid in self.workers():
            with contextlib.suppress(OSError):
                for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                    if line.startswith("VmHWM:"):
                        peak = max(peak, int(line.split()[1]))
        return peak / 1024

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        self.log.close()


def fetch(port: int, path: str, limit: int | None = None) -> tuple[int, float, dict[str, float]]:
    """GET a URL on loopback, streaming the body: status, time to first byte (s), and
    {bytes, lines, seconds}. `limit` stops after that many bytes."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=600)
    started = time.perf_counter()
    conn.request("GET", path)
    response = conn.getresponse()
    first = response.read(1)
    ttfb = time.perf_counter() - started
    size, lines = len(first), first.count(b"\n")
    while limit is None or size < limit:
        chunk = response.read(1 << 16)
        if not chunk:
            break
        size += len(chunk)
        lines += chunk.count(b"\n")
    elapsed = time.perf_counter() - started
    conn.close()
    return response.status, ttfb, {"bytes": size, "lines": lines, "seconds": elapsed}


# ----------------------------------------------------------------------------- bulk


def make_template(work: Path) -> Path:
    """An empty database migrated to the latest schema, copied for each load."""
    template = work / "template.sqlite3"
    if not template.exists():
        _, proc = run_kb(["db", "upgrade"], template, work / "instance", 300)
        if proc.returncode:
            raise RuntimeError(f"kb db upgrade failed:\n{proc.stderr}")
    return template


def copy_template(template: Path, dst: Path) -> None:
    remove_db(dst)
    shutil.copyfile(template, dst)


def synth_args(scale: dict[str, int]) -> list[str]:
    args = ["synth", "--seed", "1"]
    for key, value in scale.items():
        args += [f"--{key}", str(value)]
    return args


def build_db(work: Path, scale: dict[str, int], db: Path) -> float:
    """A fresh synthetic database at `db`; returns the seconds `kb synth` took."""
    copy_template(make_template(work), db)
    seconds, proc = run_kb(synth_args(scale), db, work / "instance", 1800)
    if proc.returncode:
        raise RuntimeError(f"kb synth failed:\n{proc.stdout}\n{proc.stderr}")
    return seconds


class Budget:
    """A deadline for the whole run: sections and their repeated runs stop starting once it
    has passed, and what was skipped is said in the table."""

    def __init__(self, seconds: float | None):
        self.deadline = None if seconds is None else time.monotonic() + seconds

    def left(self) -> float:
        return float("inf") if self.deadline is None else self.deadline - time.monotonic()

    def over(self) -> bool:
        return self.left() <= 0


@dataclass
class Bulk:
    synth: Metric
    imp: Metric
    exp: Metric
    rows: int = 0


def bulk_metrics(res: Results) -> Bulk:
    target = f"within {TARGETS['bulk_ratio']}x"
    return Bulk(
        res.add("bulk", "kb synth", "rows/s", target=target),
        res.add("bulk", "kb import (JSON)", "rows/s", target=target),
        res.add("bulk", "kb export --format json (to a file)", "rows/s"),
    )


def bench_synth(bulk: Bulk, work: Path, scale: dict[str, int], runs: int, db: Path) -> None:
    for run in range(runs):
        seconds = build_db(work, scale, db)
        bulk.rows = sum(count_rows(db).values())
        bulk.synth.values.append(bulk.rows / seconds)
        log(f"bulk: kb synth run {run + 1}: {bulk.rows} rows in {seconds:.1f} s")


def bench_bulk_floor(bulk: Bulk, work: Path, db: Path, runs: int, budget: Budget) -> None:
    """The floor: the same rows, executemany'd by plain sqlite3 into the same schema, with
    the same connection settings kb uses for a bulk load."""
    template = make_template(work)
    for run in range(runs):
        if run and budget.over():
            bulk.synth.note = f"floor: {run} run(s), time budget spent"
            break
        floor_db = work / "floor.sqlite3"
        copy_template(template, floor_db)
        seconds = 0.0
        with (
            contextlib.closing(sqlite3.connect(db)) as src,
            contextlib.closing(sqlite_connect(floor_db)) as dst,
        ):
            dst.execute("PRAGMA cache_size = -262144")
            for table in TABLES:
                rows = src.execute(f"SELECT * FROM {table}").fetchall()
                if not rows:
                    continue
                marks = ",".join("?" * len(rows[0]))
                started = time.perf_counter()
                dst.executemany(f"INSERT INTO {table} VALUES ({marks})", rows)
                dst.commit()
                seconds += time.perf_counter() - started
                del rows
        bulk.synth.floor.append(bulk.rows / seconds)
        bulk.imp.floor.append(bulk.rows / seconds)
        remove_db(floor_db)
        log(f"bulk: executemany floor run {run + 1}: {seconds:.1f} s")


def bench_import(bulk: Bulk, work: Path, db: Path, runs: int, budget: Budget) -> None:
    template = make_template(work)
    dump = work / "dump.json"
    try:
        seconds, proc = run_kb(
            ["export", "--format", "json", "--output", str(dump)],
            db,
            work / "instance",
            max(60.0, min(1800.0, budget.left())),
        )
    except subprocess.TimeoutExpired:
        bulk.exp.note = bulk.imp.note = "skipped: the time budget ran out during the export"
        return
    if proc.returncode:
        bulk.exp.note = f"missing: kb export failed: {(proc.stderr or proc.stdout).strip()[-300:]}"
        bulk.imp.note = "missing: no JSON dump to import"
        return
    bulk.exp.values.append(bulk.rows / seconds)
    log(f"bulk: kb export json: {seconds:.1f} s, {dump.stat().st_size / 1e6:.0f} MB")
    for run in range(runs):
        if budget.over():
            bulk.imp.note = f"{run} run(s): time budget spent"
            break
        target = work / "imported.sqlite3"
        copy_template(template, target)
        timeout = max(60.0, min(1800.0, budget.left()))
        try:
            seconds, proc = run_kb(["import", str(dump)], target, work / "instance", timeout)
        except subprocess.TimeoutExpired:
            bulk.imp.note = f"stopped: not done within the time budget ({timeout:.0f} s)"
            remove_db(target)
            break
        if proc.returncode:
            bulk.imp.note = f"kb import failed: {(proc.stderr or proc.stdout).strip()[-300:]}"
            break
        imported = sum(count_rows(target).values())
        if imported != bulk.rows:
            bulk.imp.note = f"imported {imported} rows of {bulk.rows}"
        bulk.imp.values.append(imported / seconds)
        log(f"bulk: kb import run {run + 1}: {imported} rows in {seconds:.1f} s")
        remove_db(target)
    dump.unlink(missing_ok=True)


# ----------------------------------------------------------------------------- exports


def floor_stances_csv(db: Db) -> tuple[int, float, float]:
    """Plain sqlite3 + csv writing the rows of /export/stances.csv (the same two ordered
    queries, merged): rows, seconds, time to the first row."""
    started = time.perf_counter()
    sink = open(os.devnull, "w", newline="")  # noqa: SIM115
    writer = csv.writer(sink)
    writer.writerow(STANCE_COLUMNS)  # the header kb writes: only the rows are the floor's own
    first = None
    n = 0
    with connection(db) as conn:
        rows = conn.execute(
            "SELECT s.id, p.slug, c.slug, s.position, s.basis, s.probability, s.horizon, s.as_of,"
            " s.note FROM stance s JOIN person p ON p.id = s.person_id"
            " JOIN claim c ON c.id = s.claim_id ORDER BY s.id"
        )
        links = conn.cursor().execute(
            "SELECT stance_id, quote_id FROM stance_evidence ORDER BY stance_id, quote_id"
        )
        pending = links.fetchone()
        for row in rows:
            refs = []
            while pending is not None and pending[0] < row[0]:
                pending = links.fetchone()
            while pending is not None and pending[0] == row[0]:
                refs.append(f"q{pending[1]}")
                pending = links.fetchone()
            writer.writerow([*row[1:], ";".join(refs)])
            n += 1
            if first is None:
                first = time.perf_counter() - started
    sink.close()
    return n, time.perf_counter() - started, first or 0.0


def floor_json(db: Db) -> tuple[int, float, float]:
    """Plain sqlite3 + json writing every record of the knowledge base, one object each."""
    started = time.perf_counter()
    first = None
    n = 0
    with connection(db) as conn, open(os.devnull, "w") as sink:
        for table in ("person", "topic", "source", "claim", "quote", "stance", "claim_relation"):
            for row in dict_rows(conn, f"SELECT * FROM {table} ORDER BY id"):
                sink.write(json.dumps(row, default=str))
                sink.write(",\n")
                n += 1
                if first is None:
                    first = time.perf_counter() - started
    return n, time.perf_counter() - started, first or 0.0


def bench_exports(
    res: Results, work: Path, db: Db, runs: int, json_runs: int, budget: Budget
) -> None:
    counts = count_rows(db)
    records = sum(counts[t] for t in ("person", "topic", "source", "claim", "quote", "stance"))
    records += counts["claim_relation"]
    specs = [
        ("/export/stances.csv", counts["stance"], floor_stances_csv, True),
        ("/export/kb.json", records, floor_json, False),
    ]
    for path, rows, floor, csv_rows in specs:
        speed = res.add(
            "export", f"{path} rows/s", "rows/s", target=f"within {TARGETS['export_ratio']}x"
        )
        ttfb = res.add(
            "export",
            f"{path} first byte",
            "ms",
            better="lower",
            target=f"< {TARGETS['export_ttfb_ms']:.0f} ms",
        )
        rss = res.add(
            "export",
            f"{path} worker peak RSS",
            "MB",
            better="lower",
            target=f"<= {TARGETS['export_rss_mb']:.0f} MB",
        )
        # One worker, so the peak RSS is the one that served the export.
        server = Server(db, work / "instance", work / "serve-export.log", workers=1)
        try:
            baseline = server.peak_rss_mb()
            for run in range(runs if csv_rows else json_runs):
                if run and budget.over():
                    speed.note = f"{run} run(s): time budget spent"
                    break
                status, first, body = fetch(server.port, path)
                if status == 404:
                    speed.note = "missing: 404"
                    break
                if status != 200:
                    speed.note = f"HTTP {status}"
                    break
                got = body["lines"] - 1 if csv_rows else rows
                if csv_rows and got != rows:
                    speed.note = f"{got} CSV lines for {rows} stances"
                speed.values.append(got / body["seconds"])
                ttfb.values.append(first * 1000)
                log(
                    f"export: {path} run {run + 1}: {body['bytes'] / 1e6:.0f} MB in "
                    f"{body['seconds']:.1f} s, first byte {first * 1000:.0f} ms"
                )
            if speed.values:
                rss.values.append(server.peak_rss_mb())
                rss.note = f"worker RSS before the first export: {baseline:.0f} MB"
        finally:
            server.stop()
        for _ in range(len(speed.values)):
            n, seconds, first = floor(db)
            speed.floor.append(n / seconds)
            ttfb.floor.append(first * 1000)


# ----------------------------------------------------------------------------- pages


def pick_subjects(db: Db) -> dict[str, str]:
    """The hottest person, claim and topic (the worst case for their pages), and the median
    person and claim by number of stances (the typical case)."""
    with connection(db) as conn:

        def ranked(table: str, column: str) -> list[str]:
            return [
                row[0]
                for row in conn.execute(
                    f"SELECT x.slug FROM {table} x JOIN stance s ON s.{column} = x.id "
                    "GROUP BY x.id ORDER BY count(*) DESC, x.id"
                )
            ]

        people = ranked("person", "person_id") or [""]
        claims = ranked("claim", "claim_id") or [""]
        topic = conn.execute(
            "SELECT t.slug FROM topic t JOIN claim_topic ct ON ct.topic_id = t.id "
            "GROUP BY t.id ORDER BY count(*) DESC LIMIT 1"
        ).fetchone()
        return {
            "person": people[0],
            "median person": people[len(people) // 2],
            "claim": claims[0],
            "median claim": claims[len(claims) // 2],
            "topic": topic[0] if topic else "",
        }


def page_urls(app: Any, subjects: dict[str, str]) -> dict[str, str | None]:
    """Each benchmarked page's URL, or None when its endpoint does not exist yet."""
    from flask import url_for
    from werkzeug.routing import BuildError

    wanted = {
        "home": ("browse.home", {}),
        "person (busiest)": ("browse.person", {"slug": subjects["person"]}),
        "person (median)": ("browse.person", {"slug": subjects["median person"]}),
        "claim (hottest)": ("browse.claim", {"slug": subjects["claim"]}),
        "claim (median)": ("browse.claim", {"slug": subjects["median claim"]}),
        "claim list (filtered)": (
            "browse.claims",
            {"topic": subjects["topic"], "position": "supports"},
        ),
        # A common phrase (in about a tenth of all quotes and claims) and a rare word.
        "search": ("browse.search", {"q": "existential risk"}),
        "search (rare word)": ("browse.search", {"q": "4242"}),
        "graph": ("graph.graph", {}),
        "agreement": ("graph.agreement", {}),
        "compare (busiest, median person)": (
            "graph.compare",
            {"slug_a": subjects["person"], "slug_b": subjects["median person"]},
        ),
    }
    urls: dict[str, str | None] = {}
    with app.test_request_context():
        for name, (endpoint, args) in wanted.items():
            try:
                urls[name] = url_for(endpoint, **args)
            except BuildError:
                urls[name] = None
    if urls["home"] is None:
        urls["home"] = "/"
    return urls


def capture_sql(app: Any, url: str) -> tuple[int, list[tuple[str, Any]], float]:
    """The SQL a page runs, captured from an in-process request (the second one, so caches
    are as warm as under load), and how long the first request took (s). A page slower than
    SLOW_PAGE_S is not asked for a second time."""
    from sqlalchemy import event

    from kb.web.database import get_engine

    with app.app_context():
        engine = get_engine()
    statements: list[tuple[str, Any]] = []

    def listener(_conn, _cursor, statement, parameters, _context, executemany) -> None:
        if not executemany and statement.lstrip().upper().startswith(("SELECT", "WITH")):
            statements.append((statement, parameters))

    client = app.test_client()
    event.listen(engine, "before_cursor_execute", listener)
    try:
        started = time.perf_counter()
        status = client.get(url).status_code
        first = time.perf_counter() - started
        if first < SLOW_PAGE_S:
            statements.clear()
            status = client.get(url).status_code
    finally:
        event.remove(engine, "before_cursor_execute", listener)
    return status, statements, first


def replay_sql(db: Db, statements: list[tuple[str, Any]], budget: float) -> list[float]:
    """Latency (ms) of running the statements with plain sqlite3, repeated within `budget` s."""
    times: list[float] = []
    with connection(db, tuned=True) as conn:
        deadline = time.perf_counter() + budget
        while not times or (time.perf_counter() < deadline and len(times) < 200):
            started = time.perf_counter()
            for sql, params in statements:
                conn.execute(sql, params or ()).fetchall()
            times.append((time.perf_counter() - started) * 1000)
    return times


def bench_pages(
    res: Results,
    work: Path,
    db: Db,
    runs: int,
    seconds: int,
    threads: int,
    connections: int,
    budget: Budget,
) -> None:
    if not shutil.which("wrk"):
        res.missing("pages", "all pages", "wrk is not installed (apt-get install wrk)")
        return
    app = make_app(db, work / "instance")
    subjects = pick_subjects(db)
    urls = page_urls(app, subjects)
    server = Server(db, work / "instance", work / "serve-pages.log")
    try:
        for name, url in urls.items():
            judged = name.startswith(("person", "claim", "search"))
            label = f"{name} {url}" if url else name
            if url is None:
                res.missing("pages", name, "no such endpoint yet")
                continue
            status, statements, first = capture_sql(app, url)
            if status != 200:
                res.missing("pages", label, f"HTTP {status} in-process")
                continue
            if first >= SLOW_PAGE_S:
                # Not load-tested: eight connections of it would only time out.
                slow = res.add(
                    "pages",
                    f"{label} one request, in-process",
                    "ms",
                    better="lower",
                    values=[first * 1000],
                    target=f"< {TARGETS['page_p99_ms']:.0f} ms" if judged else "",
                    note=f"not load-tested: over {SLOW_PAGE_S:.0f} s",
                )
                slow.floor.extend(replay_sql(db, statements, budget=0.0))
                log(f"pages: {name}: one request took {first:.1f} s; not load-tested")
                continue
            rps = res.add("pages", f"{label} req/s", "req/s")
            p50 = res.add("pages", f"{label} p50", "ms", better="lower")
            p99 = res.add(
                "pages",
                f"{label} p99",
                "ms",
                better="lower",
                target=f"< {TARGETS['page_p99_ms']:.0f} ms" if judged else "",
            )
            # Warm every worker (see warm); what follows measures the steady state.
            fetch(server.port, url)
            warm(server.port, url, threads, connections, WARMUP_SECONDS)
            for run in range(runs):
                if run and budget.over():
                    p99.note = f"{run} run(s): time budget spent"
                    break
                out = subprocess.run(
                    [
                        "wrk",
                        f"-t{threads}",
                        f"-c{connections}",
                        f"-d{seconds}s",
                        "--timeout",
                        "30s",
                        "--latency",
                        f"http://127.0.0.1:{server.port}{url}",
                    ],
                    capture_output=True,
                    text=True,
                    timeout=seconds + 60,
                ).stdout
                figures = parse_wrk(out)
                if not figures["rps"]:
                    p99.note = f"no request completed within {seconds} s"
                    continue
                rps.values.append(figures["rps"])
                p50.values.append(figures["p50"])
                p99.values.append(figures["p99"])
                if figures["errors"] or figures["socket_errors"]:
                    p99.note = (
                        f"errors: {figures['errors']:.0f} non-2xx/3xx {figures['socket_errors']}"
                    )
                log(
                    f"pages: {name} run {run + 1}: {figures['rps']:.0f} req/s, "
                    f"p50 {figures['p50']:.1f} ms, p99 {figures['p99']:.1f} ms"
                )
            floor = replay_sql(db, statements, budget=2.0)
            p50.floor.extend(floor)
            p99.floor.append(sorted(floor)[max(0, int(len(floor) * 0.99) - 1)])
            rps.floor.append(1000.0 / statistics.median(floor))
            p50.note = f"{len(statements)} SQL statements"
            rps.note = "floor: one connection, serial"
        kinds = first_visit_kinds(db, urls)
        load = Load(threads, connections, seconds)
        bench_first_visits(res, work, server.port, kinds, runs, load, budget)
        # A revalidation: the same page with a matching If-None-Match is a 304.
        status, _, _ = fetch(server.port, "/")
        conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
        conn.request("GET", "/")
        etag = conn.getresponse().getheader("ETag")
        conn.close()
        if etag:
            out = subprocess.run(
                [
                    "wrk",
                    f"-t{threads}",
                    f"-c{connections}",
                    f"-d{seconds}s",
                    "--latency",
                    "-H",
                    f"If-None-Match: {etag}",
                    f"http://127.0.0.1:{server.port}/",
                ],
                capture_output=True,
                text=True,
                timeout=seconds + 60,
            ).stdout
            figures = parse_wrk(out)
            res.add("pages", "/ revalidated (304) req/s", "req/s", values=[figures["rps"]])
            res.add(
                "pages", "/ revalidated (304) p99", "ms", better="lower", values=[figures["p99"]]
            )
    finally:
        server.stop()


def bench_uncached(res: Results, work: Path, db: Db, runs: int, load: Load, budget: Budget) -> None:
    """--only uncached: bench_pages' first-visit runs alone, after warming every worker's
    agreement graph (/graph and the busiest person until steady, as bench_pages does)."""
    if not shutil.which("wrk"):
        res.missing("pages", "all pages", "wrk is not installed (apt-get install wrk)")
        return
    urls = page_urls(make_app(db, work / "instance"), pick_subjects(db))
    server = Server(db, work / "instance", work / "serve-pages.log")
    try:
        for url in (urls["graph"], urls["person (busiest)"]):
            if url:
                warm(server.port, url, load.threads, load.connections, WARMUP_SECONDS)
        kinds = first_visit_kinds(db, urls)
        bench_first_visits(res, work, server.port, kinds, runs, load, budget)
    finally:
        server.stop()


def bench_edits(res: Results, work: Path, db: Db, runs: int, load: Load, budget: Budget) -> None:
    """--only after-edit: benchmarks/after_edit.py on its own server, on a copy of an SQLite
    file (the edits change the data; a PostgreSQL database is edited in place)."""
    if not shutil.which("wrk"):
        res.missing("after-edit", "all pages", "wrk is not installed (apt-get install wrk)")
        return
    if isinstance(db, Path):  # the edits change the data: never the file given
        copy = work / "after-edit.sqlite3"
        remove_db(copy)
        with contextlib.closing(sqlite3.connect(db)) as src, connection(copy) as dst:
            src.backup(dst)
        db = copy
    urls = page_urls(make_app(db, work / "instance"), pick_subjects(db))
    kinds = first_visit_kinds(db, urls)
    server = Server(db, work / "instance", work / "serve-after-edit.log")
    try:
        env = kb_env(db, work / "instance")
        bench_after_edit(res, work, db, env, server.port, urls, kinds, runs, load, budget)
    finally:
        server.stop()


def bench_beside_datasette(res: Results, work: Path, db: Db, runs: int, load: Load) -> str:
    """--only datasette: benchmarks/datasette_side.py against `kb serve` on the same data."""
    if not shutil.which("wrk"):
        res.missing("datasette", "all rows", "wrk is not installed (apt-get install wrk)")
        return ""

    def export(args: list[str]) -> bool:
        _, proc = run_kb(args, db, work / "instance", 3600)
        if proc.returncode:
            log(f"datasette: kb export failed: {(proc.stderr or proc.stdout)[-500:]}")
        return proc.returncode == 0

    server = Server(db, work / "instance", work / "serve-datasette.log")
    try:
        topic = pick_subjects(db)["topic"]
        return bench_datasette(res, work, export, server.port, topic, runs, load)
    finally:
        server.stop()


# ----------------------------------------------------------------------------- graph

GRAPH_SNIPPET = """
import json, sys, time
sys.path.insert(0, sys.argv[1])
from kb import create_app
app = create_app({"DATABASE_URL": sys.argv[2], "SECRET_KEY": "benchmark-only"})
import kb.graph as g
from kb.web.database import get_session
with app.app_context():
    s = get_session()
    t0 = time.perf_counter(); a = g.build_agreement(s); t1 = time.perf_counter()
    c = g.camps(a); t2 = time.perf_counter()
    g.cached.camps(s); t3 = time.perf_counter()
    g.cached.agreement(s); g.cached.camps(s); t4 = time.perf_counter()
    print(json.dumps({"agreement": t1 - t0, "camps": t2 - t1, "cold_total": t2 - t0,
                      "cache_fill": t3 - t2, "cached": t4 - t3,
                      "camps_found": len(c)}))
"""


def bench_graph(res: Results, work: Path, db: Db, runs: int, budget: Budget) -> None:
    names = {
        "agreement": ("agreement graph, cold", "s"),
        "camps": ("camps from the agreement graph", "s"),
        "cold_total": ("agreement + camps, cold", "s"),
        "cached": ("agreement + camps, cached", "ms"),
    }
    metrics = {
        key: res.add(
            "graph",
            label,
            unit,
            better="lower",
            target=f"< {TARGETS['graph_cold_s']:.0f} s" if key == "cold_total" else "",
        )
        for key, (label, unit) in names.items()
    }
    for run in range(runs):
        if run and budget.over():
            metrics["cold_total"].note = f"{run} run(s): time budget spent"
            break
        proc = subprocess.run(
            [sys.executable, "-c", GRAPH_SNIPPET, str(ROOT), url_of(db)],
            env={**os.environ, "KB_INSTANCE_PATH": str(work / "instance")},
            capture_output=True,
            text=True,
            timeout=1200,
        )
        if proc.returncode:
            note = proc.stderr.strip().splitlines()[-1:] or ["failed"]
            metrics["cold_total"].note = f"missing: {note[0][:200]}"
            return
        figures = json.loads(proc.stdout.strip().splitlines()[-1])
        for key, metric in metrics.items():
            scale = 1000.0 if metric.unit == "ms" else 1.0
            metric.values.append(figures[key] * scale)
        metrics["camps"].note = f"{figures['camps_found']} camps"
        log(f"graph: run {run + 1}: {figures}")


# ----------------------------------------------------------------------------- verdicts


def judge(res: Results) -> None:
    for metric in res.metrics:
        med = metric.median()
        if med is None or not metric.target:
            continue
        ratio = metric.ratio()
        if metric.section in ("bulk", "export") and metric.unit == "rows/s":
            limit = TARGETS["bulk_ratio"] if metric.section == "bulk" else TARGETS["export_ratio"]
            metric.ok = ratio is not None and ratio <= limit
        elif metric.name.endswith("first byte"):
            metric.ok = med < TARGETS["export_ttfb_ms"]
        elif metric.name.endswith("peak RSS"):
            metric.ok = med <= TARGETS["export_rss_mb"]
        elif metric.name.endswith(("p99", "in-process")) or metric.section == "after-edit":
            metric.ok = med < TARGETS["page_p99_ms"]
        elif metric.name == "agreement + camps, cold":
            metric.ok = med < TARGETS["graph_cold_s"]


def fmt(x: float | None) -> str:
    if x is None:
        return "-"
    if x >= 1000:
        return f"{x:,.0f}"
    if x >= 10:
        return f"{x:.1f}"
    return f"{x:.2f}"


def table(res: Results) -> str:
    lines = [
        "| section | measure | unit | median | min | max | n | floor | x floor | target | met |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for metric in res.metrics:
        s = metric.summary()
        kb, fl = s["kb"], s["floor"]
        met = {True: "yes", False: "NO", None: ""}[metric.ok]
        cells = [
            metric.section,
            metric.name + (f" ({metric.note})" if metric.note else ""),
            metric.unit,
            fmt(kb["median"]) if kb else "-",
            fmt(kb["min"]) if kb else "-",
            fmt(kb["max"]) if kb else "-",
            str(kb["n"]) if kb else "0",
            fmt(fl["median"]) if fl else "-",
            fmt(s["ratio"]) if s["ratio"] is not None else "-",
            metric.target,
            met,
        ]
        lines.append("| " + " | ".join(c.replace("|", "/") for c in cells) + " |")
    return "\n".join(lines)


# ----------------------------------------------------------------------------- main


def choose_db(args: Any, work: Path, res: Results, bulk: Bulk | None, runs: int) -> Db:
    """The database measured: --db as it is, --db-url (PostgreSQL) migrated and loaded with
    `kb synth` when empty, or a fresh SQLite file built with `kb synth` (timed by the bulk
    section when it runs)."""
    scale = SCALES[args.scale]
    if args.db_url:
        url: str = args.db_url

        def kb_on_pg(kb_args: list[str], timeout: float) -> Any:
            return run_kb(kb_args, url, work / "instance", timeout)

        log(f"preparing the PostgreSQL database ({args.scale} scale when empty)")
        seconds = target.prepare_postgres(url, synth_args(scale), scale["people"], kb_on_pg, log)
        if seconds:
            rows = sum(count_rows(url).values())
            res.add("bulk", "kb synth into PostgreSQL", "rows/s", values=[rows / seconds])
        if "bulk" in args.only.split(","):
            done = target.import_into_postgres(
                url, work, lambda a, u, t: run_kb(a, u, work / "instance", t), log
            )
            if isinstance(done, str):
                res.missing("bulk", "kb import (JSON) into PostgreSQL", done)
            else:
                res.add(
                    "bulk", "kb import (JSON) into PostgreSQL", "rows/s", values=[done[0] / done[1]]
                )
        return url
    if args.db:
        return Path(args.db)
    db = work / "kb.sqlite3"
    log(f"building the {args.scale} database with kb synth")
    if bulk is not None:
        bench_synth(bulk, work, scale, runs, db)
    else:
        build_db(work, scale, db)
    return db


def _exit_on_term(_signum: int, _frame: object) -> None:
    """SIGTERM (a timeout, a CI job cancelled) ends the run through its `finally` blocks, so
    the kb serve and Datasette servers it started are stopped, not left serving."""
    raise SystemExit(128 + signal.SIGTERM)


def main(argv: list[str] | None = None) -> int:
    signal.signal(signal.SIGTERM, _exit_on_term)
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", choices=list(SCALES), default="small")
    parser.add_argument("--runs", type=int, help="runs per section (default: by scale)")
    parser.add_argument(
        "--only",
        default="bulk,export,pages,graph",
        help="comma-separated sections to run (default: bulk,export,pages,graph): "
        "bulk, export, pages (warm pages, then the uncached first visits), graph; "
        "uncached (the first visits alone); after-edit (one real edit before each kind's "
        "first-visit runs); datasette (kb beside Datasette on a `kb export --format sqlite` "
        "copy). See benchmarks/RESULTS.md, 'How each measure is made'",
    )
    parser.add_argument(
        "--db",
        type=Path,
        help="reuse this synthetic SQLite database instead of building one (skips bulk)",
    )
    parser.add_argument(
        "--db-url",
        help="measure this PostgreSQL database (postgresql+psycopg://...) instead of SQLite: "
        "migrated, and filled with kb synth at --scale when it has no people (one already "
        "loaded is reused; it must hold --scale's number of people); every section runs on "
        "it; bulk there times kb synth (when it loaded it) and kb import of its JSON dump into "
        "a scratch database on the same server (kb_bench_import, dropped after), no floor",
    )
    parser.add_argument("--workdir", type=Path, help="keep databases here (default: a temp dir)")
    parser.add_argument("--out", type=Path, default=OUT, help="where the JSON goes")
    parser.add_argument(
        "--budget",
        type=float,
        help="minutes the whole run may take; later runs are skipped past it "
        "(default: 19 at the reference scale, none otherwise; 0 = none)",
    )
    parser.add_argument("--connections", type=int, default=8, help="wrk connections")
    parser.add_argument("--threads", type=int, default=2, help="wrk threads")
    args = parser.parse_args(argv)

    plan = dict(PLAN[args.scale])
    if args.runs:
        plan.update(
            bulk=args.runs,
            export=args.runs,
            export_json=args.runs,
            pages=args.runs,
            graph=args.runs,
        )
    sections = {s.strip() for s in args.only.split(",") if s.strip()}
    started = time.perf_counter()
    minutes = args.budget if args.budget is not None else BUDGET_MINUTES.get(args.scale)
    budget = Budget(minutes * 60 if minutes else None)
    res = Results()
    sides = ""
    tmp = None
    if args.workdir:
        work = args.workdir
        work.mkdir(parents=True, exist_ok=True)
    else:
        tmp = tempfile.mkdtemp(prefix="kb-bench-")
        work = Path(tmp)
    (work / "instance").mkdir(exist_ok=True)
    try:
        reused = args.db or args.db_url
        bulk = bulk_metrics(res) if "bulk" in sections and not reused else None
        db = choose_db(args, work, res, bulk, plan["bulk"])
        counts = count_rows(db)
        log(f"database: {counts}")
        # Every section gets at least one run; repeated runs stop once the time budget is
        # spent, and the import (the costliest) only starts within it.
        if bulk is not None:
            bench_bulk_floor(bulk, work, db, plan["bulk"], budget)
        if "graph" in sections:
            bench_graph(res, work, db, plan["graph"], budget)
        if "export" in sections:
            bench_exports(res, work, db, plan["export"], plan["export_json"], budget)
        if "pages" in sections:
            bench_pages(
                res,
                work,
                db,
                plan["pages"],
                plan["page_seconds"],
                args.threads,
                args.connections,
                budget,
            )
        load = Load(args.threads, args.connections, plan["page_seconds"])
        if "uncached" in sections and "pages" not in sections:
            bench_uncached(res, work, db, plan["pages"], load, budget)
        if "datasette" in sections:
            sides = bench_beside_datasette(res, work, db, plan["pages"], load)
        if "after-edit" in sections:
            bench_edits(res, work, db, plan["pages"], load, budget)
        if bulk is not None:
            bench_import(bulk, work, db, plan["bulk"], budget)
    finally:
        if tmp:
            shutil.rmtree(tmp, ignore_errors=True)
    judge(res)
    elapsed = time.perf_counter() - started
    report = {
        "scale": args.scale,
        "database": target.kind(db),
        "counts": counts,
        "plan": plan,
        "started": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() - elapsed)),
        "seconds": elapsed,
        "machine": {
            "cores": len(os.sched_getaffinity(0)),
            "python": platform.python_version(),
            "sqlite": sqlite3.sqlite_version,
            "load_average_at_end": os.getloadavg(),
        },
        "results": [m.summary() for m in res.metrics],
        "beside_datasette": sides,
    }
    args.out.mkdir(parents=True, exist_ok=True)
    out_file = args.out / f"results-{args.scale}-{time.strftime('%Y%m%dT%H%M%S')}.json"
    out_file.write_text(json.dumps(report, indent=2))
    buf = io.StringIO()
    rows = sum(counts.values())
    print(f"kb benchmark, scale {args.scale}, {target.kind(db)}: {rows:,} rows", file=buf)
    print(table(res), file=buf)
    if sides:
        print(f"\nkb beside Datasette ({target.kind(db)}):\n{sides}", file=buf)
    print(f"\n{elapsed:.0f} s in all; JSON: {out_file}", file=buf)
    print(buf.getvalue())
    return 0


if __name__ == "__main__":
    sys.exit(main())
