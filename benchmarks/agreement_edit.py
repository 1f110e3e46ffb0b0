"""The cost of one edit's update of the agreement store (issue 16), on the claim with most holders.

    python benchmarks/agreement_edit.py --db PATH [--runs N]
    python benchmarks/agreement_edit.py --people 2000 --claims 5000 --stances 200000 [--runs N]

Works on a copy of PATH (or on a database `kb synth` builds at the given scale), migrated and
with the store rebuilt (`kb graph rebuild`, timed). Then, on the claim with the most latest
stances, it changes one holder's position and commits, N times, and reports the median of:

- the store's update alone (kb.store.agreement_store.apply_changes: read the claim's holders,
  one upsert executemany of the pair differences, the deletes of emptied pairs);
- the whole edit's commit with the store kept, and the same with the store out of step (its
  listeners then do nothing): the difference is what keeping the store costs an edit;
- a worker's first copy (load_agreement with nothing to patch: computed, once per worker),
  patching that copy after one edit (kb.graph.agreement_load: what every worker does after
  each edit), and computing it afresh (build_agreement: what every worker did after each edit
  before).

The issue's target: under 50 ms for a claim with 3,747 stances at the reference scale.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def kb(db: Path, *args: str) -> float:
    env = {**os.environ, "KB_DATABASE_URL": f"sqlite:///{db}", "KB_INSTANCE_PATH": str(db.parent)}
    started = time.perf_counter()
    subprocess.run([sys.executable, "-m", "kb", *args], check=True, env=env, cwd=ROOT)
    return time.perf_counter() - started


def median_ms(xs: list[float]) -> float:
    return round(statistics.median(xs) * 1000, 2)


def edits(app: Any, runs: int, claim_id: int) -> tuple[list[float], list[float]]:
    """(commit seconds, apply_changes seconds) of `runs` position changes on the claim."""
    from sqlalchemy import select

    from kb import models as m
    from kb.store import agreement_store
    from kb.web.database import session_scope

    applied: list[float] = []
    original = agreement_store.apply_changes

    def timed(conn: Any, changes: Any, version: int) -> None:
        started = time.perf_counter()
        original(conn, changes, version)
        applied.append(time.perf_counter() - started)

    agreement_store.apply_changes = timed  # type: ignore[assignment]
    commits = []
    positions = ["supports", "opposes", "mixed"]
    try:
        with app.app_context():
            for run in range(runs):
                with session_scope() as session:
                    stance = session.scalars(
                        select(m.Stance)
                        .where(m.Stance.claim_id == claim_id, m.Stance.latest)
                        .order_by(m.Stance.id)
                        .offset(run % 50)
                        .limit(1)
                    ).one()
                    stance.position = positions[(positions.index(stance.position) + 1) % 3]
                    started = time.perf_counter()
                    session.commit()
                    commits.append(time.perf_counter() - started)
    finally:
        agreement_store.apply_changes = original  # type: ignore[assignment]
    return commits, applied


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", type=Path)
    for name, default in (("people", 2000), ("claims", 5000), ("stances", 200000)):
        parser.add_argument(f"--{name}", type=int, default=default)
    parser.add_argument("--runs", type=int, default=20)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="kb-agreement-bench-"))
    db = work / "bench.db"
    out: dict[str, Any] = {}
    if args.db:
        shutil.copyfile(args.db, db)
        kb(db, "db", "upgrade")
        source = str(args.db)
    else:
        scale = dict(
            people=args.people,
            claims=args.claims,
            sources=max(10, args.stances // 10),
            quotes=args.stances,
            stances=args.stances,
            relations=max(1, args.claims),
        )
        synth = [f"--{k}={v}" for k, v in scale.items()]
        out["synth_s"] = round(kb(db, "synth", *synth), 1)
        source = "kb synth " + " ".join(synth)
    out["rebuild_s"] = round(kb(db, "graph", "rebuild"), 2)
    measure(db, args.runs, out)
    out["database"] = source
    print(json.dumps(out, indent=1))
    shutil.rmtree(work, ignore_errors=True)


def measure(db: Path, runs: int, out: dict[str, Any]) -> None:
    from sqlalchemy import func, select, text

    from kb import create_app
    from kb import models as m
    from kb.graph import agreement, agreement_load
    from kb.web.database import session_scope

    app = create_app({"DATABASE_URL": f"sqlite:///{db}", "SECRET_KEY": "bench"})
    with app.app_context(), session_scope() as session:
        claim_id, holders = session.execute(
            select(m.Stance.claim_id, func.count())
            .where(m.Stance.latest)
            .group_by(m.Stance.claim_id)
            .order_by(func.count().desc())
            .limit(1)
        ).one()
        stances = session.scalar(select(func.count()).where(m.Stance.claim_id == claim_id))
        out.update(
            claim_id=claim_id,
            claim_stances=stances,
            claim_holders=holders,
            people=session.scalar(select(func.count()).select_from(m.Person)),
            all_stances=session.scalar(select(func.count()).select_from(m.Stance)),
            pairs=session.scalar(select(func.count()).select_from(m.AgreementPair)),
        )
        started = time.perf_counter()
        agreement_load.load_agreement(session)
        out["load_agreement_first_copy_s"] = round(time.perf_counter() - started, 3)
        started = time.perf_counter()
        agreement.build_agreement(session)
        out["build_agreement_s"] = round(time.perf_counter() - started, 3)
    commits, applied = edits(app, runs, claim_id)
    out["store_update_ms"] = median_ms(applied)
    out["store_update_max_ms"] = round(max(applied) * 1000, 2)
    out["edit_commit_ms"] = median_ms(commits)
    with app.app_context(), session_scope() as session:
        started = time.perf_counter()
        agreement_load.load_agreement(session)  # the copy read above, patched with N edits
        out["load_agreement_patched_ms"] = round((time.perf_counter() - started) * 1000, 1)
    commits, _ = edits(app, 1, claim_id)
    with app.app_context(), session_scope() as session:
        started = time.perf_counter()
        agreement_load.load_agreement(session)
        out["load_agreement_after_one_edit_ms"] = round((time.perf_counter() - started) * 1000, 1)
    with app.app_context(), session_scope() as session:
        session.execute(text("UPDATE agreement_state SET data_version = -1"))
    commits_without, _ = edits(app, runs, claim_id)
    out["edit_commit_without_store_ms"] = median_ms(commits_without)
    app.extensions["kb.engine"].dispose()


if __name__ == "__main__":
    main()
