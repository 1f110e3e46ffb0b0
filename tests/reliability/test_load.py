"""Load: kb under its production server (gunicorn, `kb serve`) on loopback, with readers and
editors at once for a fixed time, against a file database (or the PostgreSQL the suite targets).

What must hold, whatever the interleaving: no 5xx at all, "database is locked" never reaches a
client, and every save the server acknowledged (its 302 after the POST) is in the database
afterwards, with its revision. The figures are printed (`pytest -s`) for the closing note.
"""

from __future__ import annotations

import random
import re
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from sqlalchemy import select

from kb import models as m
from kb.load.seed import load_seed
from kb.web import auth
from kb.web.database import session_scope
from tests.conftest import PASSWORD, make_app
from tests.reliability.support import Client, Server, report, start_server

pytestmark = pytest.mark.load

DURATION_SECONDS = 20.0
READERS = 8
EDITORS = 4
SHARED_TOPICS = 2  # topics every editor updates, so that saves collide (409) on purpose

READ_PATHS = [
    "/",
    "/people",
    "/claims",
    "/sources",
    "/topics",
    "/people/francois-chollet",
    "/people/elon-musk",
    "/claims/ai-existential-risk",
    "/sources/hawking-bbc-2014",
    "/topics/ai-risk",
    "/graph",
    "/agreement",
    "/compare/francois-chollet/elon-musk",
    "/people.json",
    "/claims.json?per_page=20",
]
SEARCH_PATHS = [
    "/search?q=intelligence",
    "/search?q=risk&kind=claim",
    "/search.json?q=human",
    "/search?q=load",
    "/search?q=synthetic+load",
]
EXPORT_PATHS = [
    "/export/stances.csv",
    "/export/people.csv",
    "/export/kb.json",
    "/export/graph.json",
    "/claims.csv",
]
EDIT_LOCATION = re.compile(r"/admin/(topic|claim)/(\d+)/edit$")


@dataclass
class Tally:
    """What the clients saw; shared by the threads, guarded by one lock."""

    lock: threading.Lock = field(default_factory=threading.Lock)
    statuses: Counter = field(default_factory=Counter)
    kinds: Counter = field(default_factory=Counter)
    failures: list[str] = field(default_factory=list)
    created: list[tuple[str, int, str]] = field(default_factory=list)  # entity, id, name/text
    updated: list[tuple[int, str]] = field(default_factory=list)  # topic id, description
    conflicts: int = 0
    new_topic_slugs: list[str] = field(default_factory=list)

    def saw(self, kind: str, method: str, path: str, status: int, body: str) -> None:
        with self.lock:
            self.statuses[status] += 1
            self.kinds[kind] += 1
            if status >= 500:
                self.failures.append(f"{method} {path}: {status} {body[:300]!r}")
            if "database is locked" in body:
                self.failures.append(f"{method} {path}: 'database is locked' in the response")


def _checked(tally: Tally, client: Client, kind: str, method: str, path: str, form=None):
    try:
        status, headers, body = client.request(method, path, form)
    except OSError as exc:  # refused or reset: the server failed this client
        with tally.lock:
            tally.failures.append(f"{method} {path}: {type(exc).__name__}: {exc}")
        return 0, None, ""
    tally.saw(kind, method, path, status, body)
    return status, headers, body


def reader(server: Server, tally: Tally, stop: threading.Event, seed: int) -> None:
    rng = random.Random(seed)
    client = Client(server.host, server.port)
    while not stop.is_set():
        roll = rng.random()
        if roll < 0.55:
            kind, path = "page", rng.choice(READ_PATHS)
        elif roll < 0.8:
            kind, path = "search", rng.choice(SEARCH_PATHS)
        elif roll < 0.9 and tally.new_topic_slugs:
            kind, path = "page", f"/topics/{rng.choice(tally.new_topic_slugs)}"
        else:
            kind, path = "export", rng.choice(EXPORT_PATHS)
        status, _headers, _body = _checked(tally, client, kind, "GET", path)
        if status not in (0, 200) and status < 500:
            with tally.lock:
                tally.failures.append(f"GET {path}: {status} for a reader")


def editor(
    server: Server,
    tally: Tally,
    stop: threading.Event,
    number: int,
    shared: list[tuple[int, str, str]],
) -> None:
    rng = random.Random(1000 + number)
    client = Client(server.host, server.port)
    client.login(f"load-editor-{number}", PASSWORD)
    i = 0
    while not stop.is_set():
        i += 1
        roll = rng.random()
        if roll < 0.4:
            name = f"Synthetic load topic {number}-{i}"
            path, data, entity = "/admin/topic/new", {"name": name}, "topic"
        elif roll < 0.6:
            name = f"Synthetic load claim {number}-{i}: a test record, not a real claim."
            data = {"text": name, "topics": [rng.choice(shared)[1]]}
            path, entity = "/admin/claim/new", "claim"
        else:
            topic_id, slug, topic_name = rng.choice(shared)
            name = f"edited by load editor {number}, save {i}"
            path = f"/admin/topic/{topic_id}/edit"
            data = {"name": topic_name, "slug": slug, "description": name}
            entity = "update"
        try:
            fields = client.form_fields(path)
        except (OSError, AssertionError) as exc:
            with tally.lock:
                tally.failures.append(f"GET {path} (form): {exc}")
            continue
        tally.saw("form", "GET", path, 200, "")
        status, headers, body = _checked(tally, client, "edit", "POST", path, {**fields, **data})
        if status == 302:
            found = EDIT_LOCATION.search(headers["Location"])
            if not found:
                with tally.lock:
                    tally.failures.append(f"POST {path}: redirected to {headers['Location']}")
                continue
            with tally.lock:
                if entity == "update":
                    tally.updated.append((int(found.group(2)), name))
                else:
                    tally.created.append((entity, int(found.group(2)), name))
                    if entity == "topic":
                        tally.new_topic_slugs.append(f"synthetic-load-topic-{number}-{i}")
        elif status == 409 and entity == "update":
            with tally.lock:
                tally.conflicts += 1
        elif status != 0 and status < 500:
            with tally.lock:
                tally.failures.append(f"POST {path}: {status} {body[:300]!r}")


def _seed(url: str, instance: Path) -> list[tuple[int, str, str]]:
    """The seed, one editor account per editing client, and the shared topics."""
    app = make_app(url, instance)
    try:
        with app.app_context(), session_scope() as session:
            load_seed(session)
            for n in range(EDITORS):
                auth.create_user(session, f"load-editor-{n}", "editor", PASSWORD)
            topics = [
                m.Topic(slug=f"synthetic-shared-{k}", name=f"Synthetic shared topic {k}")
                for k in range(SHARED_TOPICS)
            ]
            session.add_all(topics)
            session.flush()
            return [(t.id, t.slug, t.name) for t in topics]
    finally:
        app.extensions["kb.engine"].dispose()


def _check_database(url: str, instance: Path, tally: Tally) -> list[str]:
    """Every acknowledged save, read back with its revision."""
    problems = []
    app = make_app(url, instance)
    try:
        with app.app_context(), session_scope() as session:
            revisions: dict[tuple[str, int], list[m.Revision]] = {}
            for rev in session.scalars(
                select(m.Revision).where(m.Revision.actor.like("load-editor-%"))
            ):
                revisions.setdefault((rev.entity, rev.entity_id), []).append(rev)
            for entity, record_id, name in tally.created:
                model = m.Topic if entity == "topic" else m.Claim
                obj = session.get(model, record_id)
                value = None if obj is None else (obj.name if entity == "topic" else obj.text)
                if value != name:
                    problems.append(f"acknowledged {entity} #{record_id} {name!r} reads {value!r}")
                if not any(r.action == "create" for r in revisions.get((entity, record_id), [])):
                    problems.append(f"acknowledged {entity} #{record_id} has no create revision")
            for topic_id, description in tally.updated:
                if not any(
                    r.action == "update"
                    and (r.changes.get("description") or [None, None])[1] == description
                    for r in revisions.get(("topic", topic_id), [])
                ):
                    problems.append(f"acknowledged save {description!r} has no revision")
            for topic_id in {t for t, _d in tally.updated}:
                latest = max(revisions[("topic", topic_id)], key=lambda r: r.id)
                now = session.get(m.Topic, topic_id).description
                if now != latest.changes["description"][1]:
                    problems.append(f"topic #{topic_id} reads {now!r}, its last revision differs")
    finally:
        app.extensions["kb.engine"].dispose()
    return problems


def test_readers_and_editors_under_gunicorn(databases, tmp_path) -> None:
    url = databases.migrated()
    try:
        shared = _seed(url, tmp_path / "instance")
        server = start_server(url, tmp_path, workers=2, threads=4)
        tally = Tally()
        stop = threading.Event()
        threads = [
            threading.Thread(target=reader, args=(server, tally, stop, n)) for n in range(READERS)
        ] + [
            threading.Thread(target=editor, args=(server, tally, stop, n, shared))
            for n in range(EDITORS)
        ]
        started = time.monotonic()
        try:
            for t in threads:
                t.start()
            time.sleep(DURATION_SECONDS)
        finally:
            stop.set()
            for t in threads:
                t.join(timeout=120)
            elapsed = time.monotonic() - started
            server.stop()
        requests = sum(tally.statuses.values())
        report(
            "load",
            databases.backend,
            f"load on {databases.backend}: {READERS} readers + {EDITORS} editors for "
            f"{elapsed:.1f} s: {requests} requests ({dict(tally.kinds)}), "
            f"statuses {dict(sorted(tally.statuses.items()))}; "
            f"{len(tally.created)} creates and {len(tally.updated)} updates acknowledged, "
            f"{tally.conflicts} edit conflicts (409)",
        )
        log = server.output()
        assert not tally.failures, "\n".join(tally.failures[:20]) + "\n" + log[-3000:]
        assert "database is locked" not in log
        assert "Traceback" not in log, log[-3000:]
        # The run did what it claims: every kind of request, many of them, and real saves.
        assert all(tally.kinds[k] > 0 for k in ("page", "search", "export", "edit"))
        assert len(tally.created) >= EDITORS and len(tally.updated) >= EDITORS
        assert not any(t.is_alive() for t in threads)
        problems = _check_database(url, tmp_path / "instance", tally)
        assert not problems, "\n".join(problems[:20])
    finally:
        databases.drop(url)
