"""Graphs built once per change of the data, not once per request.

Every write bumps the data version (kb.datastate), so a cache keyed by (database URL, data
version, what was asked for) can never serve a stale graph: after a write the key changes and the
next request rebuilds. Entries live in this process (each gunicorn worker has its own) in a small
LRU per kind of result; old versions simply age out. Cached values are shared between threads and must be treated
as read-only by callers.
"""

from __future__ import annotations

import threading
from collections import Counter, OrderedDict
from collections.abc import Callable, Hashable
from typing import Any, TypeVar

from sqlalchemy.orm import Session

from kb import datastate

T = TypeVar("T")
MAX_ENTRIES = 16
"""Per kind of result: a few data versions x as_of dates x filters."""
MAX_ENTRIES_FOR = {"ego": 512, "picture": 64}
"""Neighbourhood pictures are per person or claim, so they get a bigger LRU of their own:
browsing many people must never evict the agreement graph, which is the costly one."""

_entries: dict[str, OrderedDict[tuple[Hashable, ...], Any]] = {}
_lock = threading.Lock()
_flights: dict[tuple[Hashable, ...], threading.Lock] = {}
"""One lock per value being built, so that concurrent misses build it once."""
builds: Counter[str] = Counter()
"""How many times each kind of graph was built (not served from the cache): for tests."""


def key_for(session: Session, name: str, params: Hashable) -> tuple[Hashable, ...]:
    url = session.get_bind().engine.url.render_as_string(hide_password=True)
    return (url, datastate.current(session), name, params)


def cached(session: Session, name: str, params: Hashable, build: Callable[[], T]) -> T:
    """The value for (this database, its data version, name, params), built at most once
    while it stays in the cache.

    Threads asking for the same missing value wait for the one that builds it: a worker's
    threads all miss at once after a write (or on a cold start), and building the agreement
    graph once per thread instead of once per worker multiplied the seconds it costs."""
    key = key_for(session, name, params)
    with _lock:
        entries = _entries.setdefault(name, OrderedDict())
        if key in entries:
            entries.move_to_end(key)
            return entries[key]
        flight = _flights.setdefault(key, threading.Lock())
    with flight:
        with _lock:
            if key in entries:  # built by the thread we waited for
                entries.move_to_end(key)
                return entries[key]
        try:
            value = build()
            with _lock:
                builds[name] += 1
                entries[key] = value
                entries.move_to_end(key)
                while len(entries) > MAX_ENTRIES_FOR.get(name, MAX_ENTRIES):
                    entries.popitem(last=False)
        finally:
            with _lock:
                _flights.pop(key, None)
    return value


def clear() -> None:
    with _lock:
        _entries.clear()
        _flights.clear()
        builds.clear()
