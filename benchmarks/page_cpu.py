"""Where a first visit's time goes: the CPU one page costs, one request at a time, in-process.

    python benchmarks/page_cpu.py --db PATH KIND [--requests N] [--profile]
    python benchmarks/page_cpu.py --db PATH --cold URL [URL ...]

KIND is person, claim, list, search (common words) or home: each request asks for a different
page of that kind (a person, a claim, a topic x position x page, a word) with the page cache
off, after one request that warms what kb keeps per state of the data (the agreement graph, the
memos). It prints the median, 90th percentile and maximum of the process CPU per request (no
queueing behind other clients: under load a page answers at several times this). --profile
prints pyinstrument's call tree. --cold asks for each URL once in a fresh process and prints
each one's CPU: what a worker pays the first time it meets a page kind.
"""

from __future__ import annotations

import argparse
import os
import random
import sqlite3
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

SEARCH_WORDS = ("existential risk", "alignment", "jobs", "regulation", "superintelligence")


def _app(db: Path) -> Any:
    os.environ.setdefault("KB_INSTANCE_PATH", tempfile.mkdtemp(prefix="kb-page-cpu-"))
    from kb import create_app

    config = {"HTTP_CACHING": False, "PAGE_CACHE_BYTES": 0, "SECRET_KEY": "benchmark"}
    return create_app({**config, "DATABASE_URL": f"sqlite:///{db}"})


def _urls(db: Path, kind: str, seed: int = 1) -> Callable[[], str]:
    """A function giving the next URL of `kind`, drawn from the database's own slugs."""
    rnd = random.Random(seed)
    with sqlite3.connect(db) as con:
        people = [r[0] for r in con.execute("SELECT slug FROM person")]
        claims = [r[0] for r in con.execute("SELECT slug FROM claim")]
        topics = [r[0] for r in con.execute("SELECT slug FROM topic")]
    makers: dict[str, Callable[[], str]] = {
        "person": lambda: f"/people/{rnd.choice(people)}",
        "claim": lambda: f"/claims/{rnd.choice(claims)}",
        "list": lambda: (
            f"/claims?topic={rnd.choice(topics)}"
            f"&position={rnd.choice(['supports', 'opposes', 'mixed'])}&page={rnd.randint(1, 4)}"
        ),
        "search": lambda: f"/search?q={rnd.choice(SEARCH_WORDS)}&page={rnd.randint(1, 3)}",
        "home": lambda: f"/?visit={rnd.random()}",
    }
    return makers[kind]


def _cpu_ms(client: Any, url: str) -> float:
    started = time.process_time()
    response = client.get(url)
    if response.status_code != 200:
        sys.exit(f"{url} answered {response.status_code}")
    return (time.process_time() - started) * 1000


def warm_pages(db: Path, kind: str, requests: int, profile: bool) -> None:
    client = _app(db).test_client()
    next_url = _urls(db, kind)
    _cpu_ms(client, next_url())  # what is kept per state of the data
    profiler = None
    if profile:
        from pyinstrument import Profiler

        profiler = Profiler()
        profiler.start()
    times = sorted(_cpu_ms(client, next_url()) for _ in range(requests))
    if profiler is not None:
        profiler.stop()
        print(profiler.output_text(unicode=False, color=False))
    p90 = times[max(0, int(len(times) * 0.9) - 1)]
    print(
        f"{kind}: {requests} requests, CPU median {statistics.median(times):.1f} ms, "
        f"p90 {p90:.1f} ms, max {times[-1]:.1f} ms"
    )


def cold_pages(db: Path, urls: list[str]) -> None:
    client = _app(db).test_client()
    for url in urls:
        print(f"{url}: {_cpu_ms(client, url):.0f} ms CPU")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", type=Path, required=True, help="a kb SQLite file at the head")
    parser.add_argument("kind", nargs="?", choices=["person", "claim", "list", "search", "home"])
    parser.add_argument("--requests", type=int, default=40)
    parser.add_argument("--profile", action="store_true", help="print pyinstrument's tree")
    parser.add_argument("--cold", nargs="+", metavar="URL", help="each URL once, fresh process")
    args = parser.parse_args()
    if not args.db.is_file():
        parser.error(f"{args.db}: no such file")
    if args.cold:
        cold_pages(args.db, args.cold)
    elif args.kind:
        warm_pages(args.db, args.kind, args.requests, args.profile)
    else:
        parser.error("give a KIND or --cold URL ...")


if __name__ == "__main__":
    main()
