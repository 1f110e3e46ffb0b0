"""The one state-keyed cache (kb.store.memo): a value is never served for another state of the data,
not even after the database is dropped and built again, when its version counter restarts."""

from __future__ import annotations

import gc
import shutil

from flask import Flask
from sqlalchemy import text
from sqlalchemy.engine import make_url

from kb.cli.serving import KbServer
from kb.graph import cache, cached
from kb.models import Person
from kb.queries.listing import MEMO
from kb.store import datastate, heap
from kb.store.memo import StateCache
from kb.web.database import session_scope
from kb.web.home_matrix import home_matrix
from tests.factories import make_claim, make_person, make_stance


def _rebuild(app: Flask, databases, url: str) -> None:
    """Drop the test's database and create it again, migrated and empty, under the same URL."""
    app.extensions["kb.engine"].dispose()
    databases.drop(url)
    template = make_url(databases.template).database
    if databases.backend == "postgresql":
        with databases.admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{make_url(url).database}" TEMPLATE "{template}"'))
    else:
        shutil.copyfile(template, make_url(url).database)


def _write_pair(app: Flask, second_position: str) -> tuple[int, int]:
    """Two people and a claim in one commit: the first supports it, the second as given."""
    with app.app_context(), session_scope() as s:
        a, b = make_person(s), make_person(s)
        claim = make_claim(s)
        make_stance(s, a, claim, "supports")
        make_stance(s, b, claim, second_position)
        s.flush()
        return a.id, b.id


def _read(app: Flask, a: int, b: int) -> tuple[tuple, float, list[str]]:
    """The data state, the pair's agreement score and the home page matrix's positions."""
    with app.app_context(), session_scope() as s:
        score = cached.agreement(s).pair(a, b).score
        rows = home_matrix(s)["rows"]
        positions = sorted(cell["position"] for row in rows for cell in row["cells"])
        return datastate.state(s), score, positions


def test_a_rebuilt_database_is_not_served_the_old_graph(app, databases, database_url) -> None:
    cache.clear()
    MEMO.clear()
    a, b = _write_pair(app, "supports")
    before, score, positions = _read(app, a, b)
    assert (score, positions) == (1.0, ["supports", "supports"])
    _rebuild(app, databases, database_url)
    assert _write_pair(app, "opposes") == (a, b)  # the same ids, the same version: other data
    after, score, positions = _read(app, a, b)
    assert after[0] == before[0] and after[1] != before[1]
    assert (score, positions) == (-1.0, ["opposes", "supports"])
    assert cache.builds["agreement"] == 2


def test_a_rebuilt_database_is_not_served_the_old_pages(app, databases, database_url) -> None:
    """The HTTP page cache and the ETag validators key on the same state as the caches above."""
    client = app.test_client()
    _write_pair(app, "supports")
    first = client.get("/people")
    _rebuild(app, databases, database_url)
    _write_pair(app, "opposes")
    with app.app_context(), session_scope() as s:
        names = sorted(p.name for p in s.query(Person))
    again = client.get("/people")
    assert again.headers.get("X-KB-Page-Cache") != "hit"
    assert all(name in again.get_data(as_text=True) for name in names)
    assert again.headers["ETag"] != first.headers["ETag"]
    revalidated = client.get("/people", headers={"If-None-Match": first.headers["ETag"]})
    assert revalidated.status_code == 200


def test_a_value_slow_to_build_is_kept_out_of_the_collectors_walks(app, monkeypatch) -> None:
    """A costly value is settled (kb.store.heap): the objects it holds are frozen, so a full
    collection no longer walks them; a quick one is left to the collector as usual."""
    memo = StateCache(size=4)
    monkeypatch.setattr(heap, "settling", True)  # as in a kb serve worker
    gc.unfreeze()
    try:
        with app.app_context(), session_scope() as s:
            monkeypatch.setattr(heap, "SETTLE_AFTER_SECONDS", 3600.0)  # no build is this slow
            quick = memo.get(s, "quick", lambda: [[k] for k in range(20_000)])
            assert gc.get_freeze_count() == 0
            monkeypatch.setattr(heap, "SETTLE_AFTER_SECONDS", 0.0)  # every build counts as slow
            slow = memo.get(s, "slow", lambda: [[k] for k in range(20_000)])
            assert gc.get_freeze_count() >= 40_000  # both values, and what was alive besides
            walked = {id(o) for o in gc.get_objects()}  # what a full collection looks at
            assert id(slow[0]) not in walked and id(quick[0]) not in walked
            fresh = [-1]  # made after: the collector still sees it
            assert id(fresh) in {id(o) for o in gc.get_objects()}
    finally:
        gc.unfreeze()


def test_only_a_server_worker_settles_its_values(app, monkeypatch) -> None:
    """A short-lived process (a command, a test) never pays for a full collection; a kb serve
    worker turns settling on when it loads the app, after its fork."""
    monkeypatch.setattr(heap, "settling", False)
    monkeypatch.setattr(heap, "SETTLE_AFTER_SECONDS", 0.0)
    gc.unfreeze()
    heap.built(60.0)
    assert gc.get_freeze_count() == 0
    KbServer({"bind": "127.0.0.1:0", "workers": 1}, lambda: app).load()
    assert heap.settling
    gc.unfreeze()
