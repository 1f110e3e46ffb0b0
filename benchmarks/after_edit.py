"""After an edit: the first visits of every page kind right after one real edit (issue 16 item 5).

`--only after-edit` starts `kb serve`, warms every page of bench_pages (each worker builds its
agreement graph and renders each page), then for each page kind of the first-visit runs
(benchmarks/rotating.py) and each of its runs: makes one edit, times the first request of
the kind alone, then runs wrk through the kind's URLs. Each kind's runs start right after an
edit of their own (with a single edit first, only the first kind would have met a changed
database: the others would find what the first kind's run had computed again).

The edit goes through kb's own path, as the admin's stance form saves: a separate process
loads the stance with kb's ORM, saves it with `kb.edits.savers.save(session, "stance", ...)`
with its position moved on (supports -> opposes -> mixed -> supports) and the version the
form would carry, and commits; kb's flush listeners then keep the latest flags, the agreement
store and the history, and bump the data version every worker checks on each request. The
stance edited is one of the latest stances of the claim with the most of them (the costliest
update of the agreement store), a different one each time.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

from loadrun import WARMUP_SECONDS, Load, get_ms, log, rotation_script, warm
from rotating import PAGE_P99_MS, add_metrics, measure
from target import Db, url_of

SECTION = "after-edit"

EDIT_SNIPPET = """
import json, sys, time
sys.path.insert(0, sys.argv[1])
from sqlalchemy import func, select
from kb import create_app
from kb import models as m
from kb.edits import savers
from kb.web.database import session_scope
app = create_app({"DATABASE_URL": sys.argv[2], "SECRET_KEY": "benchmark-only"})
nth = int(sys.argv[3])
with app.app_context(), session_scope() as session:
    claim_id, holders = session.execute(
        select(m.Stance.claim_id, func.count()).where(m.Stance.latest)
        .group_by(m.Stance.claim_id).order_by(func.count().desc(), m.Stance.claim_id).limit(1)
    ).one()
    stance = session.scalars(
        select(m.Stance).where(m.Stance.claim_id == claim_id, m.Stance.latest)
        .order_by(m.Stance.id).offset(nth % min(50, holders)).limit(1)
    ).one()
    data = {c.name: getattr(stance, c.name) for c in m.Stance.__table__.columns}
    data.update(
        person=stance.person.slug,
        claim=stance.claim.slug,
        evidence=[q.id for q in stance.evidence],
        estimate_quote=stance.estimate_quote_id and str(stance.estimate_quote_id),
        position={"supports": "opposes", "opposes": "mixed", "mixed": "supports"}[stance.position],
    )
    started = time.perf_counter()
    savers.save(session, "stance", stance, data, stance.version)
    session.commit()
    print(json.dumps({"seconds": time.perf_counter() - started, "stance": stance.id,
                      "holders": holders}))
"""

ROOT = Path(__file__).resolve().parent.parent


def edit(db: Db, env: dict[str, str], nth: int) -> dict[str, Any]:
    """One stance edit through kb.edits (see the module's docstring): its save + commit (s)."""
    proc = subprocess.run(
        [sys.executable, "-c", EDIT_SNIPPET, str(ROOT), url_of(db), str(nth)],
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    if proc.returncode:
        raise RuntimeError(f"the benchmark's edit failed:\n{proc.stderr[-2000:]}")
    return dict(json.loads(proc.stdout.strip().splitlines()[-1]))


def bench_after_edit(
    res: Any,
    work: Path,
    db: Db,
    env: dict[str, str],
    port: int,
    pages: dict[str, str | None],
    kinds: dict[str, list[str]],
    runs: int,
    load: Load,
    budget: Any,
) -> None:
    """See the module's docstring. `pages`: bench_pages' single URLs, warmed first."""
    for url in pages.values():
        if url:
            warm(port, url, load.threads, load.connections, WARMUP_SECONDS)
    log("after-edit: every page warmed")
    commits = res.add(SECTION, "one stance edit, save + commit", "ms", better="lower")
    worst = res.add(
        SECTION,
        "the first request after an edit, the slowest of every kind and run",
        "ms",
        better="lower",
        target=f"< {PAGE_P99_MS:.0f} ms",
    )
    try:
        _edit_then_visit(res, work, db, env, port, kinds, runs, load, budget, commits)
    finally:
        firsts = [m for m in res.metrics if m.name.endswith("the first request after an edit")]
        samples = [v for m in firsts for v in m.values]
        if samples:
            worst.values.append(max(samples))
            worst.note = f"of {len(samples)} first requests"


def _edit_then_visit(
    res: Any,
    work: Path,
    db: Db,
    env: dict[str, str],
    port: int,
    kinds: dict[str, list[str]],
    runs: int,
    load: Load,
    budget: Any,
    commits: Any,
) -> None:
    nth = 0
    for name, urls in kinds.items():
        metrics = add_metrics(res, SECTION, f"{name}, right after an edit")
        first = res.add(
            SECTION,
            f"{name}, the first request after an edit",
            "ms",
            better="lower",
            target=f"< {PAGE_P99_MS:.0f} ms",
        )
        for run in range(min(runs, 2)):
            if (run or nth) and budget.over():
                metrics[2].note = f"{run} run(s): time budget spent"
                break
            try:
                done = edit(db, env, nth)
            except (RuntimeError, subprocess.TimeoutExpired) as exc:
                commits.note = f"missing: {str(exc)[-300:]}"
                log(f"after-edit: {exc}")
                return
            nth += 1
            commits.values.append(done["seconds"] * 1000)
            commits.note = f"a stance of the claim with most latest stances ({done['holders']})"
            script = rotation_script(work / "after-edit.lua", urls)
            status, ms = get_ms(port, urls[0].replace("{n}", f"first-{nth}"))
            first.values.append(ms)
            if status != 200:
                first.note = f"HTTP {status}"
            measure(metrics, port, script, load, f"after-edit: {name} run {run + 1}")
