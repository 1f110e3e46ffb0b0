"""Fuzz tests: hostile input generated with Hypothesis (and Schemathesis for the JSON API).

The "kb-fuzz" profile makes every run reproducible (derandomize: the same examples each time, so
CI cannot pass one day and fail the next on luck) and bounded (a fixed number of examples per
test, no per-example deadline: a slow CI machine is not a bug). KB_FUZZ_EXAMPLES scales every
test's example count for a longer hunt by hand, e.g. KB_FUZZ_EXAMPLES=10 (ten times as many).

Every test counts the examples it really ran with `tally`; the counts are printed at the end of
the run ("fuzz examples run"), because the closing report of issue #8 needs the figures.
"""

from __future__ import annotations

import os
from collections import Counter
from typing import Any

from flask import Flask
from hypothesis import HealthCheck, settings
from sqlalchemy import func, select

from kb import models as m
from kb.store import datastate

settings.register_profile(
    "kb-fuzz",
    derandomize=True,
    deadline=None,
    database=None,
    print_blob=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
settings.load_profile("kb-fuzz")

SCALE = float(os.environ.get("KB_FUZZ_EXAMPLES", "1") or 1)
COUNTS: Counter[str] = Counter()

_TABLES = (
    m.Person,
    m.Source,
    m.Quote,
    m.Topic,
    m.Claim,
    m.Stance,
    m.ClaimRelation,
    m.User,
    m.Revision,
)


def examples(n: int) -> settings:
    """Settings for a test that runs `n` examples (times KB_FUZZ_EXAMPLES)."""
    return settings(max_examples=max(1, int(n * SCALE)))


def tally(name: str, n: int = 1) -> None:
    COUNTS[name] += n


def snapshot(app: Flask) -> dict[str, int]:
    """Row counts of every table and the data version: equal before and after a refused
    request means the request wrote nothing."""
    with app.app_context():
        session = app.extensions["kb.sessionmaker"]()
        try:
            out = {
                model.__tablename__: session.scalar(select(func.count()).select_from(model))
                for model in _TABLES
            }
            out["data_version"] = datastate.current(session)
            return out
        finally:
            session.close()


def pytest_terminal_summary(terminalreporter: Any) -> None:
    if COUNTS:
        width = max(len(k) for k in COUNTS)
        # "form responses: ..." split the form examples by status: not counted twice.
        total = sum(v for k, v in COUNTS.items() if not k.startswith("form responses"))
        terminalreporter.write_sep("-", f"fuzz examples and requests ({total} in all)")
        for k, v in sorted(COUNTS.items()):
            terminalreporter.write_line(f"  {k:<{width}}  {v}")


def printable(value: Any) -> str:
    return repr(value)[:300]
