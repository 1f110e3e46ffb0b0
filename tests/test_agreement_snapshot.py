"""A worker's first copy of the agreement is read from the snapshot the first worker kept
(kb.store.agreement_snapshot), patched when the data moved on since, and equal to the
agreement computed from the stances in every case. A worker is simulated by clearing this
process's caches and copies (kb.graph.cache.clear), which is all another worker lacks."""

from __future__ import annotations

import numpy as np
from sqlalchemy import func, select

from kb import models as m
from kb.graph import agreement_load, cache
from kb.graph.agreement import Agreement, build_agreement
from kb.web.database import session_scope
from tests.factories import make_claim, make_person, make_stance
from tests.helpers import raw_sql


def _same(a: Agreement, b: Agreement) -> bool:
    arrays = ("person_ids", "stance_counts", "i", "j", "agreements", "disagreements", "shared")
    latest = ("persons", "claims", "signs")
    return (
        all(np.array_equal(getattr(a, n), getattr(b, n)) for n in arrays)
        and np.array_equal(a.sides, b.sides)
        and all(np.array_equal(getattr(a.latest, n), getattr(b.latest, n)) for n in latest)
        and a.people == b.people
    )


def _first_copy(app) -> tuple[str, bool]:
    """How a fresh worker made its copy, and whether it equals one computed from the stances."""
    cache.clear()
    before = agreement_load.first_copies.copy()
    with app.app_context(), session_scope() as s:
        copy = agreement_load.load_agreement(s)
        same = _same(copy, build_agreement(s))
    (how,) = (agreement_load.first_copies - before).keys()
    return how, same


def _add_stances(app) -> None:
    with app.app_context(), session_scope() as s:
        person, claim = make_person(s), make_claim(s)
        for other in s.scalars(select(m.Person).where(m.Person.id != person.id).limit(3)):
            make_stance(s, other, claim, "opposes")
        make_stance(s, person, claim)


def test_the_first_worker_computes_and_keeps_the_next_reads(seeded_app) -> None:
    assert _first_copy(seeded_app) == ("computed", True)
    with seeded_app.app_context(), session_scope() as s:
        assert s.scalar(select(func.count()).select_from(m.AgreementSnapshot)) == 1
    assert _first_copy(seeded_app) == ("read", True)


def test_after_edits_a_new_worker_patches_the_snapshot(seeded_app) -> None:
    _first_copy(seeded_app)
    _add_stances(seeded_app)
    assert _first_copy(seeded_app) == ("patched", True)


def test_a_snapshot_far_behind_is_kept_again_after_the_patch(seeded_app, monkeypatch) -> None:
    monkeypatch.setattr(agreement_load, "SNAPSHOT_BEHIND", 1)
    _first_copy(seeded_app)
    _add_stances(seeded_app)
    assert _first_copy(seeded_app) == ("patched", True)
    assert _first_copy(seeded_app) == ("read", True)  # kept at the new version


def test_a_rebuilt_store_does_not_use_the_old_snapshot(seeded_app) -> None:
    _first_copy(seeded_app)
    result = seeded_app.test_cli_runner().invoke(args=["graph", "rebuild"])
    assert result.exit_code == 0, result.output
    assert _first_copy(seeded_app) == ("computed", True)


def _garble(app) -> None:
    junk = (
        "X'00FF00FF'"
        if app.extensions["kb.engine"].dialect.name == "sqlite"
        else ("decode('00FF00FF', 'hex')")
    )
    raw_sql(app, f"UPDATE agreement_snapshot SET arrays = {junk}")


def test_a_snapshot_that_cannot_be_read_back_is_computed_again(seeded_app, seeded_client):
    _first_copy(seeded_app)
    _garble(seeded_app)
    assert _first_copy(seeded_app) == ("computed", True)
    cache.clear()
    _garble(seeded_app)
    assert seeded_client.get("/graph").status_code == 200
