"""First visits: every public page kind under wrk with every request a page no cache holds.

A worker's page cache (kb.web.caching.PageCache) keys a stored page on its path and its whole
query string, and drops every page when the data changes. So a run makes each request a first
visit in one of two ways, through a wrk Lua script (loadrun.ROTATING_LUA):

- pages with one URL (home, the busiest and median person, the hottest and median claim, the
  filtered claim list, /graph, /agreement) get an argument the page ignores, `visit=<n>`, with
  an n no other request has had: the page cache misses every time, the page's queries and
  template run every time. What is computed once per state of the data and shared by all
  pages (the agreement graph, kb.store.memo's memos of counts and orderings) stays warm: that
  is what the after-edit runs (benchmarks/after_edit.py) measure cold;
- pages of a kind with many URLs go through many of them in turn (2,000 people, 2,000 claims,
  720 filtered lists, common words and rare numbers for search, /agreement?limit=2..150, 2,000
  pairs for /compare), each with `visit=<n>` too, so that a URL met again in a later run is
  still a first visit.
"""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any
from urllib.parse import quote

from loadrun import Load, log, rotation_script, run_wrk
from target import Db, rows

PAGE_P99_MS = 100.0
VISIT = "visit={n}"
# Searches for words every synthetic claim or quote may hold (kb.load.synth's SUBJECTS and
# PREDICATES): each matches a large part of the data, the worst case of search.
COMMON_WORDS = (
    "existential risk",
    "advanced AI",
    "frontier language models",
    "autonomous agents",
    "recursive self-improvement",
    "open-weight models",
    "machine superintelligence",
    "compute governance",
    "interpretability research",
    "international treaty",
    "beneficial",
    "controllable",
    "concentrate power",
    "licensing",
    "overhyped",
    "science",
    "aligned",
    "cyber",
)


def with_visit(url: str) -> str:
    return f"{url}{'&' if '?' in url else '?'}{VISIT}"


def one_url_kinds(urls: dict[str, str | None]) -> dict[str, list[str]]:
    """The single pages (run.page_urls' names and URLs), each asked for as a first visit."""
    wanted = (
        "home",
        "person (busiest)",
        "person (median)",
        "claim (hottest)",
        "claim (median)",
        "claim list (filtered)",
        "graph",
    )
    out = {
        f"{name} {url}, a new visit= each time": [with_visit(url)]
        for name in wanted
        if (url := urls.get(name))
    }
    out["agreement /agreement, a new visit= each time"] = [with_visit("/agreement")]
    return out


def many_url_kinds(db: Db) -> dict[str, list[str]]:
    """Many different pages of each kind, in a fixed random order."""
    rng = random.Random(42)
    people = [r[0] for r in rows(db, "SELECT slug FROM person ORDER BY id")]
    claims = [r[0] for r in rows(db, "SELECT slug FROM claim ORDER BY id")]
    topics = [r[0] for r in rows(db, "SELECT slug FROM topic ORDER BY id")]
    rng.shuffle(people)
    lists = [
        f"/claims?topic={quote(t)}&position={p}&page={n}"
        for t in topics
        for p in ("supports", "opposes", "mixed")
        for n in range(1, 21)
    ]
    rng.shuffle(lists)
    pairs = set()
    while len(people) > 1 and len(pairs) < min(2000, len(people) * (len(people) - 1) // 2):
        a, b = rng.sample(people, 2)
        pairs.add((a, b))
    kinds = {
        f"person, {min(len(people), 2000):,} different in turn": [
            f"/people/{quote(s)}" for s in people[:2000]
        ],
        f"claim, {min(len(claims), 2000):,} different in turn": [
            f"/claims/{quote(s)}" for s in rng.sample(claims, min(2000, len(claims)))
        ],
        f"claim list, {len(lists):,} filters and pages in turn": lists,
        f"search, {len(COMMON_WORDS)} common words in turn": [
            f"/search?q={quote(w)}" for w in COMMON_WORDS
        ],
        "search, 1,000 different numbers in turn": [
            f"/search?q={rng.randrange(1, 1_000_000)}" for _ in range(1000)
        ],
        "agreement /agreement?limit=2..150 in turn": [
            f"/agreement?limit={k}" for k in rng.sample(range(2, 151), 149)
        ],
        f"compare, {len(pairs):,} pairs of people in turn": [
            f"/compare/{quote(a)}/{quote(b)}" for a, b in sorted(pairs)
        ],
    }
    return {name: [with_visit(u) for u in urls] for name, urls in kinds.items()}


def first_visit_kinds(db: Db, urls: dict[str, str | None]) -> dict[str, list[str]]:
    return {**one_url_kinds(urls), **many_url_kinds(db)}


def add_metrics(res: Any, section: str, label: str) -> tuple[Any, Any, Any]:
    rps = res.add(section, f"{label} req/s", "req/s")
    p50 = res.add(section, f"{label} p50", "ms", better="lower")
    p99 = res.add(section, f"{label} p99", "ms", better="lower", target=f"< {PAGE_P99_MS:.0f} ms")
    return rps, p50, p99


def measure(
    metrics: tuple[Any, Any, Any], port: int, script: Path, load: Load, what: str
) -> dict[str, float]:
    """One wrk run through `script`, its figures added to (req/s, p50, p99)."""
    rps, p50, p99 = metrics
    figures = run_wrk(f"http://127.0.0.1:{port}/", load, script)
    if not figures["rps"]:
        p99.note = f"no request completed within {load.seconds} s"
        return figures
    rps.values.append(figures["rps"])
    p50.values.append(figures["p50"])
    p99.values.append(figures["p99"])
    if figures["errors"] or figures["socket_errors"]:
        p99.note = f"errors: {figures['errors']:.0f} non-2xx/3xx {figures['socket_errors']}"
    log(
        f"{what}: {figures['rps']:.0f} req/s, "
        f"p50 {figures['p50']:.1f} ms, p99 {figures['p99']:.1f} ms"
    )
    return figures


def bench_first_visits(
    res: Any,
    work: Path,
    port: int,
    kinds: dict[str, list[str]],
    runs: int,
    load: Load,
    budget: Any,
) -> None:
    """Each kind through wrk, at most two runs each, every request a first visit."""
    for name, urls in kinds.items():
        metrics = add_metrics(res, "pages", f"{name} (uncached)")
        for run in range(min(runs, 2)):
            if run and budget.over():
                metrics[2].note = f"{run} run(s): time budget spent"
                break
            script = rotation_script(work / "rotating.lua", urls)
            measure(metrics, port, script, load, f"pages: {name} run {run + 1}")
