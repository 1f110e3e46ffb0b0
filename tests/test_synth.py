"""kb synth: deterministic per seed, skewed, obviously synthetic, and every constraint holds."""

from __future__ import annotations

from collections import Counter

import pytest
from sqlalchemy import func, select

from kb import models as m
from kb.load.synth import Scale, generate
from kb.store import datastate

SMALL = Scale(people=30, claims=60, sources=80, quotes=400, stances=600, relations=150)


def _snapshot(session) -> dict[str, list[tuple]]:
    """Every synthetic row, without ids' absolute values' dependence on timestamps."""
    tables = {
        "person": select(m.Person.slug, m.Person.name, m.Person.affiliation, m.Person.url),
        "source": select(
            m.Source.slug,
            m.Source.kind,
            m.Source.url,
            m.Source.published_on,
            m.Source.date_precision,
        ),
        "claim": select(m.Claim.slug, m.Claim.text),
        "quote": select(m.Quote.id, m.Quote.text, m.Quote.speaker_id, m.Quote.source_id),
        "stance": select(
            m.Stance.person_id,
            m.Stance.claim_id,
            m.Stance.position,
            m.Stance.as_of,
            m.Stance.probability,
        ),
        "evidence": select(m.stance_evidence.c.stance_id, m.stance_evidence.c.quote_id),
        "relation": select(
            m.ClaimRelation.from_claim_id, m.ClaimRelation.to_claim_id, m.ClaimRelation.kind
        ),
    }
    return {
        name: sorted(map(tuple, session.execute(q).all()), key=repr) for name, q in tables.items()
    }


@pytest.fixture
def make_session(databases, tmp_path):
    """Sessions on fresh migrated databases, closed and dropped at the end."""
    from tests.conftest import make_app

    apps = []

    def factory():
        app = make_app(databases.migrated(), tmp_path / f"instance{len(apps)}")
        apps.append(app)
        return app.extensions["kb.sessionmaker"]()

    yield factory
    for app in apps:
        app.extensions["kb.engine"].dispose()
        databases.drop(app.config["DATABASE_URL"])


def test_same_seed_same_data_other_seed_other_data(make_session) -> None:
    snaps = []
    for seed in (7, 7, 8):
        with make_session() as session:
            generate(session, SMALL, seed=seed, batch_size=50)
            session.commit()
            snaps.append(_snapshot(session))
    assert snaps[0] == snaps[1]
    assert snaps[0]["stance"] != snaps[2]["stance"]


def test_counts_constraints_and_obviously_synthetic(make_session) -> None:
    with make_session() as session:
        before = datastate.current(session)
        report = generate(session, SMALL, seed=3, batch_size=64)
        session.commit()
        assert report.counts == {
            "people": 30,
            "topics": SMALL.topics,
            "claims": 60,
            "sources": 80,
            "quotes": 400,
            "stances": 600,
            "claim_relations": 150,
        }
        assert datastate.current(session) == before + 1

        names = session.scalars(select(m.Person.name)).all()
        assert all(n.startswith("Synthetic Person ") for n in names)
        urls = (
            session.scalars(select(m.Source.url)).all()
            + session.scalars(select(m.Person.url)).all()
        )
        assert all(u.startswith("https://example.org/synthetic/") for u in urls)
        assert all(t.startswith("Synthetic ") for t in session.scalars(select(m.Quote.text)))

        # Evidence is always spoken by the stance's own person.
        mismatched = session.scalar(
            select(func.count())
            .select_from(m.stance_evidence)
            .join(m.Stance, m.Stance.id == m.stance_evidence.c.stance_id)
            .join(m.Quote, m.Quote.id == m.stance_evidence.c.quote_id)
            .where(m.Quote.speaker_id != m.Stance.person_id)
        )
        assert mismatched == 0
        assert session.scalar(select(func.count()).select_from(m.stance_evidence)) > 300
        # Every stance cites evidence (kb's rule), whatever its basis.
        without = session.scalar(
            select(func.count())
            .select_from(m.Stance)
            .where(~m.Stance.id.in_(select(m.stance_evidence.c.stance_id)))
        )
        assert without == 0
        assert session.scalar(select(func.count()).where(m.Stance.basis == "inferred")) > 0

        relations = session.execute(
            select(m.ClaimRelation.from_claim_id, m.ClaimRelation.to_claim_id, m.ClaimRelation.kind)
        ).all()
        assert all(a != b for a, b, _ in relations)
        assert len(set(relations)) == len(relations)

        stances = session.execute(
            select(m.Stance.person_id, m.Stance.claim_id, m.Stance.as_of)
        ).all()
        assert len(set(stances)) == len(stances)
        undated = Counter((p, c) for p, c, d in stances if d is None)
        assert max(undated.values()) == 1

        # Skewed: the busiest person takes far more stances than the typical one.
        per_person = sorted(Counter(p for p, _, _ in stances).values())
        assert per_person[-1] >= 2.5 * per_person[len(per_person) // 2]
        # Everyone is quoted at least once (there are more quotes than people).
        speakers = session.scalar(select(func.count(func.distinct(m.Quote.speaker_id))))
        assert speakers == 30


def test_tight_scale_still_meets_the_unique_rules(make_session) -> None:
    """Nearly every (person, claim) slot and relation pair used: the fallbacks must still find
    free ones rather than break a constraint or loop forever."""
    tight = Scale(people=2, claims=3, sources=2, quotes=4, stances=17, relations=11)
    with make_session() as session:
        report = generate(session, tight, seed=1)
        session.commit()
    assert report.counts["stances"] == 17 and report.counts["claim_relations"] == 11


def test_impossible_scale_is_refused() -> None:
    assert Scale(people=1, claims=1, stances=4, quotes=0, sources=0, relations=0).check()
    assert Scale(people=1, claims=2, relations=5, quotes=0, sources=0, stances=0).check()
    assert "negative" in Scale(people=-1).check()[0]
    assert "--quotes must be at least --people" in Scale(people=5, quotes=4).check()[0]


def test_cli_reports_counts_and_refuses_a_second_run(runner) -> None:
    args = [
        "synth",
        "--people",
        "5",
        "--claims",
        "8",
        "--sources",
        "6",
        "--quotes",
        "20",
        "--stances",
        "25",
        "--relations",
        "6",
        "--seed",
        "2",
    ]
    result = runner.invoke(args=args)
    assert result.exit_code == 0, result.output
    assert "stances: 25" in result.output
    assert "rows/s" in result.output
    again = runner.invoke(args=args)
    assert again.exit_code != 0
    assert "already holds synthetic data" in again.output


def test_cli_rejects_bad_numbers(runner) -> None:
    result = runner.invoke(args=["synth", "--people", "-3"])
    assert result.exit_code == 2
    assert "--people must not be negative" in result.output


def test_synthetic_quotes_are_dated_like_their_sources(session):
    """A synthetic quote is said on its source's date (one in ten of those dated to the day
    a little earlier), never after it, and an undated source gives an undated quote."""
    generate(session, SMALL)
    rows = session.execute(
        select(m.Quote.said_on, m.Quote.said_precision, m.Source.published_on).join(
            m.Source, m.Quote.source_id == m.Source.id
        )
    ).all()
    assert rows
    assert all((said is None) == (published is None) for said, _, published in rows)
    assert all(said <= published for said, _, published in rows if said is not None)
    earlier = [r for r in rows if r.said_on is not None and r.said_on < r.published_on]
    assert earlier and all(r.said_precision == "day" for r in earlier)
