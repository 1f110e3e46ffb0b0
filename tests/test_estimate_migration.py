"""Migration 0007 (estimates) up and down with estimates in the database: going down drops the
range's high end, the subject and the quote, and keeps every stance with its probability and
horizon; coming back up gives the stances empty estimate columns to fill again."""

from __future__ import annotations

from sqlalchemy import select

from kb import migrate
from kb import models as m
from kb.db import make_engine
from kb.web.database import session_scope
from tests.conftest import make_app
from tests.factories import make_claim, make_person, make_quote, make_stance


def _stance_rows(url: str) -> list[tuple]:
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            t = m.Stance.__table__
            cols = [t.c.id, t.c.probability, t.c.horizon, t.c.position]
            return [tuple(r) for r in conn.execute(select(*cols).order_by(t.c.id))]
    finally:
        engine.dispose()


def test_0007_down_keeps_the_stances_and_up_gives_empty_estimates(databases, tmp_path) -> None:
    url = databases.empty()
    try:
        migrate.upgrade(url)
        app = make_app(url, tmp_path / "instance")
        with app.app_context(), session_scope() as session:
            person, claim = make_person(session), make_claim(session)
            quote = make_quote(session, person)
            make_stance(
                session,
                person,
                claim,
                evidence=[quote],
                probability=0.1,
                probability_high=0.2,
                horizon="the next 30 years",
                estimate_of="AI leading to extinction",
                estimate_quote=quote,
            )
        app.extensions["kb.engine"].dispose()
        before = _stance_rows(url)
        assert before == [(before[0][0], 0.1, "the next 30 years", "supports")]
        engine = make_engine(url)
        losses = [line[:5] for line in migrate.downgrade_losses(url, engine, "0006")]
        # every step above 0007 that drops something says so, the newest first
        assert losses == ["0016:", "0015:", "0012:", "0011:", "0009:", "0008:", "0007:"]
        engine.dispose()
        migrate.downgrade(url, "0006")
        assert _stance_rows(url) == before
        migrate.upgrade(url)
        assert _stance_rows(url) == before
        engine = make_engine(url)
        with engine.connect() as conn:
            t = m.Stance.__table__
            cols = (t.c.probability_high, t.c.estimate_of, t.c.estimate_quote_id)
            row = conn.execute(select(*cols)).one()
        engine.dispose()
        assert tuple(row) == (None, None, None)
    finally:
        databases.drop(url)
