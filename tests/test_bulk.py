"""kb.load.bulk: batched Core inserts return ids, write link rows, and leave the database as the ORM
would (server defaults, version 1, sequences moved on), on SQLite and PostgreSQL alike."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.exc import IntegrityError, OperationalError

from kb import models as m
from kb.db import SQLITE_BUSY_TIMEOUT_MS
from kb.load import bulk
from kb.load.importer import DocumentInput, import_input
from kb.store import datastate
from tests.factories import make_person


def _rows(prefix: str, n: int):
    """A generator, to show that bulk consumes its input lazily."""
    for i in range(n):
        yield {"slug": f"{prefix}-{i}", "name": f"Bulk {prefix} {i}"}


def test_bulk_inserts_every_table_with_links_in_batches(session) -> None:
    existing = make_person(session)  # ids continue after rows already there
    session.commit()
    before = datastate.current(session)
    people = bulk.insert_people(session, _rows("p", 7), batch_size=3)
    assert list(people) == [f"p-{i}" for i in range(7)]
    assert min(people.values()) > existing.id
    assert len(set(people.values())) == 7

    topics = bulk.insert_topics(session, _rows("t", 2), batch_size=3)
    sources = bulk.insert_sources(
        session,
        [
            {
                "slug": f"s-{i}",
                "title": f"Bulk source {i}",
                "kind": "paper",
                "published_on": dt.date(2020, 5, 1),
                "date_precision": "month",
                "author_ids": [people["p-0"], people["p-1"]] if i == 0 else [],
            }
            for i in range(4)
        ],
        batch_size=3,
    )
    claims = bulk.insert_claims(
        session,
        [
            {"slug": "c-0", "text": "Claim zero.", "topic_ids": list(topics.values())},
            {"slug": "c-1", "text": "Claim one."},
        ],
    )
    quote_ids = bulk.insert_quotes(
        session,
        (
            {
                "text": f"Bulk words {i}.",
                "speaker_id": people["p-0"],
                "source_id": sources["s-0"],
                "attribution": "verbatim",
                "checked": "primary",
            }
            for i in range(5)
        ),
        batch_size=2,
    )
    assert len(quote_ids) == 5 and quote_ids == sorted(quote_ids)
    stance_ids = bulk.insert_stances(
        session,
        [
            {
                "person_id": people["p-0"],
                "claim_id": claims["c-0"],
                "position": "supports",
                "basis": "explicit",
                "as_of": dt.date(2021, 1, 1),
                "evidence_ids": quote_ids[:2],
            },
            {
                "person_id": people["p-1"],
                "claim_id": claims["c-0"],
                "position": "mixed",
                "basis": "inferred",
            },
        ],
    )
    relation_ids = bulk.insert_relations(
        session,
        [{"from_claim_id": claims["c-0"], "to_claim_id": claims["c-1"], "kind": "supports"}],
    )
    bulk.finish(session)
    session.commit()

    assert datastate.current(session) == before + 1
    source = session.get(m.Source, sources["s-0"])
    assert [a.slug for a in source.authors] == ["p-0", "p-1"]
    assert source.published_on == dt.date(2020, 5, 1)
    assert source.version == 1 and source.created_at is not None
    claim = session.get(m.Claim, claims["c-0"])
    assert sorted(t.slug for t in claim.topics) == ["t-0", "t-1"]
    stance = session.get(m.Stance, stance_ids[0])
    assert [q.id for q in stance.evidence] == quote_ids[:2]
    assert stance.as_of == dt.date(2021, 1, 1)
    assert session.get(m.ClaimRelation, relation_ids[0]).to_claim.slug == "c-1"
    assert session.scalar(select(func.count()).select_from(m.Person)) == 8

    # The ORM carries on after the bulk ids (PostgreSQL's sequence was moved past them).
    later = make_person(session)
    session.commit()
    assert later.id > max(people.values())


def test_empty_input_writes_nothing(session) -> None:
    assert bulk.insert_people(session, []) == {}
    assert bulk.insert_quotes(session, iter(())) == []
    assert session.scalar(select(func.count()).select_from(m.Person)) == 0


def test_the_database_still_refuses_bad_rows(session) -> None:
    with pytest.raises(IntegrityError):
        bulk.insert_claims(session, [{"slug": "x", "text": "A."}, {"slug": "x", "text": "B."}])


# -- a writer at the same time ------------------------------------------------------------------


class _Editor:
    """An editor creating a topic through kb.edits on its own connection while a bulk write
    runs. `try_now` tries once without waiting for any lock: True when it got in at once;
    otherwise it tries again in a thread, waiting as a real editor would (`finish` joins it)."""

    def __init__(self, app, slug: str = "editor-topic"):
        self.app, self.slug = app, slug
        self.got_in_at_once: bool | None = None
        self.thread: threading.Thread | None = None
        self.error: BaseException | None = None

    def _save(self, wait: bool) -> None:
        from kb.edits import records
        from kb.web.database import session_scope

        with self.app.app_context(), session_scope(self.app) as s:
            s.info["actor"] = "eve"
            raw = s.connection().connection.driver_connection
            sqlite = s.get_bind().dialect.name == "sqlite"
            if not wait:  # give up at once instead of waiting for the other writer
                s.execute(
                    text("PRAGMA busy_timeout = 0" if sqlite else "SET LOCAL lock_timeout = 1")
                )
            try:
                records.save_topic(s, None, {"name": "Made by an editor", "slug": self.slug})
            finally:
                if not wait and sqlite:  # the pooled connection's own setting again
                    raw.execute(f"PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_MS}")

    def try_now(self) -> None:
        try:
            self._save(wait=False)
            self.got_in_at_once = True
        except OperationalError:  # locked: the bulk writer holds the tables
            self.got_in_at_once = False
            self.thread = threading.Thread(target=self._retry)
            self.thread.start()

    def _retry(self) -> None:
        try:
            self._save(wait=True)
        except BaseException as exc:  # reported by finish()
            self.error = exc

    def finish(self) -> None:
        if self.thread is not None:
            self.thread.join(timeout=30)
            assert not self.thread.is_alive()
        assert self.error is None, self.error


def _topics_meeting(editor: _Editor, n: int):
    for i in range(n):
        if i == 0:
            editor.try_now()  # after kb.load.bulk has read the table, before it writes
        yield {"slug": f"t-{i}", "name": f"Bulk topic {i}"}


def test_bulk_insert_with_an_editor_writing_at_the_same_time(app, session) -> None:
    make_topic = {"slug": "before", "name": "Before"}
    bulk.insert_topics(session, [make_topic])
    session.commit()
    editor = _Editor(app)
    topics = bulk.insert_topics(session, _topics_meeting(editor, 5), batch_size=2)
    session.commit()
    editor.finish()
    assert not editor.got_in_at_once  # the bulk write kept it out while it counted ids
    for slug, id_ in topics.items():
        assert session.get(m.Topic, id_).slug == slug
    assert session.scalar(select(m.Topic.id).where(m.Topic.slug == "editor-topic")) not in (
        None,
        *topics.values(),
    )


class _DocumentMeetingAnEditor(DocumentInput):
    """A kb/1 document whose topics are read while an editor creates a topic."""

    def __init__(self, doc, editor: _Editor):
        super().__init__(doc, "import.json")
        self.editor = editor

    def records(self, entity: str):
        if entity == "topics":
            self.editor.try_now()  # after the importer has loaded the topics' keys
        return super().records(entity)


def test_an_import_while_an_editor_creates_topics(app, session) -> None:
    doc = {
        "format": "kb/1",
        "topics": [{"slug": f"t-{i}", "name": f"Topic {i}"} for i in range(4)],
        "claims": [{"slug": "c", "text": "A claim.", "topics": ["t-1", "t-3"]}],
    }
    editor = _Editor(app)
    report = import_input(session, _DocumentMeetingAnEditor(doc, editor))
    session.commit()
    editor.finish()
    assert report.created["topics"] == 4 and not editor.got_in_at_once
    claim = session.scalar(select(m.Claim).where(m.Claim.slug == "c"))
    assert sorted(t.slug for t in claim.topics) == ["t-1", "t-3"]
    slugs = set(session.scalars(select(m.Topic.slug)))
    assert slugs == {"t-0", "t-1", "t-2", "t-3", "editor-topic"}
