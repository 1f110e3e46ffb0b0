"""Graphs built once per change of the data, not once per request.

One kb.store.memo.StateCache per kind of result, so each kind has an LRU of its own: the key is the
database, the state of its data (kb.store.datastate.state) and what was asked for, so a cached graph
is never stale, not even after the database is rebuilt and its version counter restarts.
Cached values are shared between threads and must be treated as read-only by callers.
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable, Hashable
from typing import TypeVar

from sqlalchemy.orm import Session

from kb.store.memo import StateCache

T = TypeVar("T")
MAX_ENTRIES = 16
"""Per kind of result: a few data versions x as_of dates x filters."""
MAX_ENTRIES_FOR = {"ego": 512, "picture": 64}
"""Neighbourhood pictures are per person or claim, so they get a bigger LRU of their own:
browsing many people must never evict the agreement graph, which is the costly one."""

_entries: dict[str, StateCache] = {}
_lock = threading.Lock()
builds: Counter[str] = Counter()
"""How many times each kind of graph was built (not served from the cache): for tests."""
_forgetters: list[Callable[[], None]] = []


def _cache_for(name: str) -> StateCache:
    with _lock:
        if name not in _entries:

            def count() -> None:
                builds[name] += 1

            # the limits are read on each insert, so that a changed setting takes effect
            _entries[name] = StateCache(
                size=lambda: MAX_ENTRIES_FOR.get(name, MAX_ENTRIES), on_build=count
            )
        return _entries[name]


def cached(session: Session, name: str, params: Hashable, build: Callable[[], T]) -> T:
    """The value for (this database, the state of its data, name, params), built at most once
    while it stays in the cache (concurrent misses wait for one build: see StateCache)."""
    return _cache_for(name).get(session, params, build)


def on_clear(forget: Callable[[], None]) -> None:
    """Have `clear` also forget graphs kept outside these caches (kb.graph.agreement_load's
    copies to patch)."""
    _forgetters.append(forget)


def clear() -> None:
    with _lock:
        _entries.clear()
        builds.clear()
        for forget in _forgetters:
            forget()
