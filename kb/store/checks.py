"""Integrity and consistency checks of a kb database, for `kb check` and `/healthz`.

The database enforces most rules itself (foreign keys, CHECK, UNIQUE), but not all of them: a
stance must rest on its own person's words, a source's date must agree with its precision, a
record a revision names must not vanish without a "delete" revision. And the enforcement can be
bypassed: a script that turns SQLite's foreign keys off, a restored file with a torn page, a
tool that writes past the ORM. These checks look at what is actually stored.

Each check runs on its own connection, so a check that fails (a corrupt page makes SQLite
raise, PostgreSQL aborts a transaction on the first error) reports its own problem without
hiding the others. The checks read with indexed joins and aggregates only: nothing is loaded
into memory whole.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from alembic.runtime.migration import MigrationContext
from sqlalchemy import Connection, Engine, and_, extract, func, or_, select, text
from sqlalchemy.exc import SQLAlchemyError

from kb import migrate
from kb import models as m
from kb.naturalsort import sort_key
from kb.store import agreement_tables
from kb.store.latest import newer_exists
from kb.store.trail_checks import checked_labels

EXAMPLES = 5  # problem rows named per check; the count covers all of them

OK, PROBLEM, SKIPPED = "ok", "problem", "skipped"


@dataclass
class CheckResult:
    """What one check found: `count` problem rows, a few of them described in `examples`."""

    name: str
    title: str
    status: str
    count: int = 0
    examples: list[str] = field(default_factory=list)
    note: str = ""


Finding = tuple[int, list[str]]  # (how many problems, a few of them described)


@dataclass(frozen=True)
class Check:
    name: str
    title: str
    run: Callable[[Connection], Finding]
    # Runs only on these dialects; elsewhere it is reported as skipped with `skip_note`.
    dialects: frozenset[str] | None = None
    skip_note: str = ""


# -- the schema revision -------------------------------------------------------------------------


@dataclass(frozen=True)
class SchemaState:
    """Where the database's schema stands against the code's migrations.

    status: "ok" (at head), "not migrated" (no kb schema), "behind" (an older revision this code
    knows: `kb db upgrade` moves it on) or "ahead" (a revision this code does not know, e.g.
    a newer release migrated the database)."""

    status: str
    current: str | None
    head: str | None
    detail: str

    @property
    def ok(self) -> bool:
        return self.status == "ok"


def schema_state(current: str | None, url: str) -> SchemaState:
    head, known = migrate.head_revision(url), migrate.known_revisions(url)
    if current == head:
        return SchemaState("ok", current, head, "the schema is at the latest migration")
    if current is None:
        return SchemaState(
            "not migrated", current, head, "the database has no kb schema: run `kb db upgrade`"
        )
    if current in known:
        return SchemaState(
            "behind",
            current,
            head,
            f"the schema is at {current}, this code needs {head}: run `kb db upgrade`",
        )
    return SchemaState(
        "ahead",
        current,
        head,
        f"the schema is at {current}, a revision this code does not know "
        "(was the database migrated by a newer release?)",
    )


# -- the checks ----------------------------------------------------------------------------------


def _sqlite_integrity(conn: Connection) -> Finding:
    rows = [r[0] for r in conn.exec_driver_sql("PRAGMA integrity_check")]
    if rows == ["ok"]:
        return 0, []
    return len(rows), rows[:EXAMPLES]


def _sqlite_foreign_keys(conn: Connection) -> Finding:
    rows = conn.exec_driver_sql("PRAGMA foreign_key_check").all()
    examples = [f"{table} row {rowid} names a missing {parent}" for table, rowid, parent, _ in rows]
    return len(rows), examples[:EXAMPLES]


def _foreign_keys() -> Iterable[tuple[Any, Any, Any]]:
    """(table, column, referenced column) for every foreign key of the model."""
    for table in m.Base.metadata.sorted_tables:
        for fk in sorted(table.foreign_keys, key=lambda f: f.parent.name):
            yield table, fk.parent, fk.column


def _orphans(conn: Connection) -> Finding:
    """Rows whose foreign key names a record that does not exist, per relation, whatever the
    database: SQLite only enforces foreign keys on connections that ask for it."""
    total, examples = 0, []
    for table, column, target in _foreign_keys():
        target_alias = target.table.alias("target")
        missing = (
            select(column)
            .select_from(table.outerjoin(target_alias, column == target_alias.c[target.name]))
            .where(column.is_not(None), target_alias.c[target.name].is_(None))
        )
        n = conn.scalar(select(func.count()).select_from(missing.subquery())) or 0
        if n:
            total += n
            values = conn.scalars(missing.distinct().order_by(column).limit(3)).all()
            shown = ", ".join(map(str, values))
            examples.append(
                f"{table.name}.{column.name} -> {target.table.name}: {n} row(s) "
                f"name missing {target.table.name} {shown}"
            )
    return total, examples[:EXAMPLES]


def _evidence_speaker(conn: Connection) -> Finding:
    """A stance rests on the person's own words: every evidence quote is spoken by the stance's
    person (kb.edits and the importer refuse anything else)."""
    se, st, q = m.stance_evidence, m.Stance.__table__, m.Quote.__table__
    wrong = (
        select(st.c.id, st.c.person_id, q.c.id, q.c.speaker_id)
        .select_from(se.join(st, se.c.stance_id == st.c.id).join(q, se.c.quote_id == q.c.id))
        .where(q.c.speaker_id != st.c.person_id)
    )
    n = conn.scalar(select(func.count()).select_from(wrong.subquery())) or 0
    rows = conn.execute(wrong.order_by(st.c.id, q.c.id).limit(EXAMPLES)).all() if n else []
    return n, [
        f"stance {sid} (person {pid}) cites quote {qid}, spoken by person {spk}"
        for sid, pid, qid, spk in rows
    ]


def _stance_without_evidence(conn: Connection) -> Finding:
    """Every stance needs at least one quote as evidence, or its person's signature of a
    statement on its claim (kb.rules.evidence_problem; the importer and the forms say so)."""
    st, se = m.Stance.__table__, m.stance_evidence
    sig, stm = m.Signature.__table__, m.Statement.__table__
    signed = (
        select(sig.c.id)
        .join(stm, stm.c.id == sig.c.statement_id)
        .where(sig.c.person_id == st.c.person_id, stm.c.claim_id == st.c.claim_id)
        .exists()
    )
    bare = (
        select(st.c.id)
        .select_from(st.outerjoin(se, se.c.stance_id == st.c.id))
        .where(se.c.stance_id.is_(None), ~signed)
    )
    n = conn.scalar(select(func.count()).select_from(bare.subquery())) or 0
    ids = conn.scalars(bare.order_by(st.c.id).limit(EXAMPLES)).all() if n else []
    return n, [f"stance {i} has no evidence quote and no signature" for i in ids]


def _stance_latest(conn: Connection) -> Finding:
    """The stored latest flag (kb.store.latest) marks the stance the rule picks: pages filter on it,
    so a tool that wrote stances past kb would leave people on the wrong side of a claim."""
    st = m.Stance.__table__
    wrong = select(st.c.id, st.c.latest).where(st.c.latest != ~newer_exists(st.c))
    n = conn.scalar(select(func.count()).select_from(wrong.subquery())) or 0
    rows = conn.execute(wrong.order_by(st.c.id).limit(EXAMPLES)).all() if n else []
    return n, [
        f"stance {sid} is marked {'latest' if flag else 'not latest'} but is "
        f"{'not ' if flag else ''}the latest of its person on its claim"
        for sid, flag in rows
    ]


def _sort_keys(conn: Connection) -> Finding:
    """Lists sort by the stored sort key (kb.naturalsort): one written past kb, or by an older
    rule, puts a name out of its place. Read in one pass per table, compared in Python."""
    wrong: list[str] = []
    for model, column in m.SORTED_BY.items():
        table = model.__table__
        rows = conn.execute(select(table.c.id, table.c[column], table.c.sort_key))
        noun = table.name
        wrong += [f"{noun} {i} has a stale sort key" for i, t, k in rows if k != sort_key(t or "")]
    return len(wrong), wrong[:EXAMPLES]


def _relation_to_self(conn: Connection) -> Finding:
    cr = m.ClaimRelation.__table__
    selfish = select(cr.c.id, cr.c.from_claim_id).where(cr.c.from_claim_id == cr.c.to_claim_id)
    n = conn.scalar(select(func.count()).select_from(selfish.subquery())) or 0
    rows = conn.execute(selfish.order_by(cr.c.id).limit(EXAMPLES)).all() if n else []
    return n, [f"claim relation {rid} relates claim {cid} to itself" for rid, cid in rows]


def _partial_dates(conn: Connection, table: Any, day: Any, precision: Any, noun: str) -> Finding:
    """A partial date is stored as its first day: 2003 with precision "year" is 2003-01-01,
    so a year-precise date on 2003-05-17 says something the evidence did not."""
    month, day_of = extract("month", day), extract("day", day)
    bad = select(table.c.id, day, precision).where(
        or_(
            and_(day.is_(None), precision.is_not(None)),
            and_(day.is_not(None), precision.is_(None)),
            and_(precision == "year", or_(month != 1, day_of != 1)),
            and_(precision == "month", day_of != 1),
        )
    )
    n = conn.scalar(select(func.count()).select_from(bad.subquery())) or 0
    rows = conn.execute(bad.order_by(table.c.id).limit(EXAMPLES)).all() if n else []
    return n, [f"{noun} {i}: date {d} with precision {p}" for i, d, p in rows]


def _source_dates(conn: Connection) -> Finding:
    s = m.Source.__table__
    return _partial_dates(conn, s, s.c.published_on, s.c.date_precision, "source")


def _quote_dates(conn: Connection) -> Finding:
    q = m.Quote.__table__
    return _partial_dates(conn, q, q.c.said_on, q.c.said_precision, "quote")


def _reply_dates(conn: Connection) -> Finding:
    """A reply's date agrees with its precision, and a reply has a date: its own or, when it
    has none, its source's (the right of reply rests on dated evidence)."""
    r, s = m.Reply.__table__, m.Source.__table__
    n, examples = _partial_dates(conn, r, r.c.replied_on, r.c.replied_precision, "reply")
    undated = (
        select(r.c.id, r.c.source_id)
        .join(s, s.c.id == r.c.source_id)
        .where(r.c.replied_on.is_(None), s.c.published_on.is_(None))
        .order_by(r.c.id)
    )
    rows = conn.execute(undated).all()
    examples += [f"reply {i} has no date, nor has its source {sid}" for i, sid in rows]
    return n + len(rows), examples[:EXAMPLES]


def _report_targets(conn: Connection) -> Finding:
    """A report still waiting for the editors (open, or accepted and not fixed) names a record
    that exists: one whose record went leaves a quote marked disputed that no one can see."""
    rp = m.Report.__table__
    pending = or_(
        rp.c.status == "open", and_(rp.c.status == "accepted", rp.c.fixed_by_id.is_(None))
    )
    gone = or_(
        *(
            and_(rp.c.target == name, rp.c.target_id.not_in(select(model.__table__.c.id)))
            for name, model in (("quote", m.Quote), ("stance", m.Stance), ("source", m.Source))
        )
    )
    bad = select(rp.c.id, rp.c.target, rp.c.target_id).where(pending, gone)
    n = conn.scalar(select(func.count()).select_from(bad.subquery())) or 0
    rows = conn.execute(bad.order_by(rp.c.id).limit(EXAMPLES)).all() if n else []
    return n, [f"report {i} waits on {t} {t_id}, which no longer exists" for i, t, t_id in rows]


def _data_version(conn: Connection) -> Finding:
    """kb_state holds exactly one row, id 1, with a data version: caches key on it."""
    rows = conn.execute(select(m.KbState.id, m.KbState.data_version)).all()
    if len(rows) == 1 and rows[0][0] == 1 and (rows[0][1] or 0) >= 0 and rows[0][1] is not None:
        return 0, []
    if not rows:
        return 1, ["kb_state has no row: the data version is missing"]
    return len(rows), [f"kb_state row id={i} data_version={v}" for i, v in rows[:EXAMPLES]]


def _differences(stored: Any, fresh: Any, width: int) -> list[tuple[tuple[int, ...], Any, Any]]:
    """(key, stored counts or None, computed counts or None) of the rows that differ, by key;
    rows are arrays whose first `width` columns are the key."""

    def by_key(rows: Any) -> dict[tuple[int, ...], tuple[int, ...]]:
        return {tuple(r[:width]): tuple(r[width:]) for r in rows.tolist()}

    old, new = by_key(stored), by_key(fresh)
    keys = sorted(k for k in old.keys() | new.keys() if old.get(k) != new.get(k))
    return [(k, old.get(k), new.get(k)) for k in keys]


def _agreement_store(conn: Connection) -> Finding:
    """The agreement store (kb.store.agreement_store) against the matrix products computed
    afresh from the latest stances, picked by their dates (a wrong latest flag is the
    stance-latest check's finding, not this one's); a store behind the data version is not read by pages, so
    it is noted, not counted."""
    state = agreement_tables.state(conn)
    kept, data = state.kept, state.data
    if kept != data:
        return 0, [
            f"not in use: it reflects data version {kept}, the data is at {data};"
            " pages compute the agreement until `kb graph rebuild`"
        ]
    pairs, sides = agreement_tables.computed(*agreement_tables.signs_by_date(conn))
    wrong = _differences(agreement_tables.stored_pairs(conn), pairs, 2)
    wrong_sides = _differences(agreement_tables.stored_sides(conn), sides, 1)
    ids = {p for key, *_ in wrong[:EXAMPLES] for p in key}
    slugs = dict(conn.execute(select(m.Person.id, m.Person.slug).where(m.Person.id.in_(ids))).all())
    said = lambda counts: "none" if counts is None else "{}/{}/{}".format(*counts)  # noqa: E731
    examples = [
        f"pair {slugs.get(a, a)} / {slugs.get(b, b)}: kept {said(old)},"
        f" computed {said(new)} (agree/disagree/shared)"
        for (a, b), old, new in wrong[:EXAMPLES]
    ] + [
        f"claim {c}: kept {said(old)}, computed {said(new)} (supporters/opponents/mixed)"
        for (c,), old, new in wrong_sides[: max(0, EXAMPLES - len(wrong))]
    ]
    return len(wrong) + len(wrong_sides), examples


def _revision_entities(conn: Connection) -> Finding:
    from kb.store.history import MODELS

    r = m.Revision.__table__
    unknown = (
        select(r.c.entity, func.count())
        .where(r.c.entity.not_in(sorted(MODELS)))
        .group_by(r.c.entity)
        .order_by(r.c.entity)
    )
    rows = conn.execute(unknown).all()
    return sum(c for _e, c in rows), [
        f"{c} revision(s) of unknown entity {e!r}" for e, c in rows[:EXAMPLES]
    ]


def _revision_vanished(conn: Connection) -> Finding:
    """Records that revisions name but that no longer exist, although their last revision did
    not delete them: something removed them behind the history's back."""
    from kb.store.history import MODELS, operation

    r = m.Revision.__table__
    total, examples = 0, list[str]()
    for entity, cls in MODELS.items():
        t = cls.__table__
        latest = (
            select(func.max(r.c.id))
            .where(r.c.entity == entity, r.c.entity_id.not_in(select(t.c.id)))
            .group_by(r.c.entity_id)
        )
        found = conn.execute(
            select(r.c.id, r.c.entity_id, r.c.action, r.c.changes)
            .where(r.c.id.in_(latest))
            .order_by(r.c.id)
            .execution_options(yield_per=1000)
        )
        for rev_id, entity_id, action, changes in found:
            rev = m.Revision(action=action, entity=entity, changes=changes)
            if operation(rev) != "delete":
                total += 1
                if len(examples) < EXAMPLES:
                    examples.append(
                        f"{entity} {entity_id} is gone, but its last revision ({rev_id}, "
                        f"{action}) did not delete it"
                    )
    return total, examples


def _schema_check(url: str) -> Callable[[Connection], Finding]:
    def run(conn: Connection) -> Finding:
        state = schema_state(MigrationContext.configure(conn).get_current_revision(), url)
        return (0, []) if state.ok else (1, [state.detail])

    return run


def _engine_checks() -> list[Check]:
    """SQLite's own checks of the file (PostgreSQL does its own)."""
    pg_pages = "PostgreSQL has no PRAGMA integrity_check: run pg_amcheck for its pages and indexes"
    pg_fks = "PostgreSQL enforces foreign keys on every write (the orphans check still runs)"
    sqlite = frozenset({"sqlite"})
    return [
        Check(
            "sqlite-integrity",
            "SQLite's check of every page, index and constraint (PRAGMA integrity_check)",
            _sqlite_integrity,
            sqlite,
            pg_pages,
        ),
        Check(
            "sqlite-foreign-keys",
            "rows whose foreign key names a missing record (PRAGMA foreign_key_check)",
            _sqlite_foreign_keys,
            sqlite,
            pg_fks,
        ),
    ]


def _data_checks() -> list[Check]:
    """The checks of what kb stores, on any database."""
    return [
        Check("data-version", "kb_state holds the data version", _data_version),
        Check("orphans", "every foreign key names an existing record", _orphans),
        Check(
            "evidence-speaker",
            "a stance's evidence quotes are spoken by the stance's person",
            _evidence_speaker,
        ),
        Check(
            "stance-evidence",
            "every stance has at least one evidence quote",
            _stance_without_evidence,
        ),
        Check(
            "stance-latest",
            "the latest flag marks each person's latest stance on each claim",
            _stance_latest,
        ),
        Check("sort-keys", "names, titles and texts carry their natural sort key", _sort_keys),
        Check("relation-self", "no claim relation relates a claim to itself", _relation_to_self),
        Check("source-dates", "source dates agree with their precision", _source_dates),
        Check("quote-dates", "quote dates agree with their precision", _quote_dates),
        Check("reply-dates", "every reply is dated, with its precision", _reply_dates),
        Check(
            "report-targets",
            "every report waiting for the editors names an existing record",
            _report_targets,
        ),
        Check(
            "checked-labels",
            "each quote's checked label agrees with its verification trail",
            checked_labels,
        ),
        Check("revision-entities", "revisions name only known kinds of record", _revision_entities),
        Check(
            "agreement-store",
            "the agreement kept in the database equals one computed from the stances",
            _agreement_store,
        ),
        Check(
            "revision-vanished",
            "records that revisions name were deleted with a revision",
            _revision_vanished,
        ),
    ]


def checks(url: str) -> list[Check]:
    """Every check, in the order `kb check` prints them."""
    schema = Check("schema", "the schema is at the latest migration", _schema_check(url))
    return [*_engine_checks(), schema, *_data_checks()]


def _error_text(exc: BaseException) -> str:
    orig = getattr(exc, "orig", None)
    return str(orig if orig is not None else exc).strip().splitlines()[0]


def run_checks(engine: Engine, url: str) -> list[CheckResult]:
    """Run every check against the database; never raises for what the database does.

    A database that cannot be reached at all gives a single "connect" problem."""
    try:
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
    except SQLAlchemyError as exc:
        return [CheckResult("connect", "the database answers", PROBLEM, 1, [_error_text(exc)])]
    results = []
    for check in checks(url):
        if check.dialects is not None and engine.dialect.name not in check.dialects:
            results.append(CheckResult(check.name, check.title, SKIPPED, note=check.skip_note))
            continue
        try:
            with engine.connect() as conn:
                count, examples = check.run(conn)
        except Exception as exc:  # noqa: BLE001 - reported, with the rest still run
            # A check that cannot even read its tables has found a problem itself (a missing
            # table, a malformed page, two schema versions at once).
            count, examples = 1, [f"the check failed: {_error_text(exc)}"]
        status = PROBLEM if count else OK
        results.append(CheckResult(check.name, check.title, status, count, examples))
    return results
