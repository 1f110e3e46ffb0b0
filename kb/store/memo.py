"""Values computed once per state of a database's data, not once per request.

The one cache that the public pages' reads (kb.queries.listing) and the graphs (kb.graph.cache)
share. A value is keyed by the database (its URL, password hidden), the state of its data
(kb.store.datastate.state: the version every write bumps and the moment of that write) and what was
asked for, so a kept value is never stale: after a write, or after the database is dropped and
built again (its version restarts from 0, at another moment), the key changes and the next
request computes afresh. Entries live in this process (each gunicorn worker has its own), least
recently used dropped first; old states simply age out. Values are shared between threads and
must be treated as read-only by callers.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any, TypeVar

from sqlalchemy.orm import Session

from kb.store import datastate, heap

T = TypeVar("T")


def state_key(session: Session) -> tuple[Hashable, ...]:
    """The database and the state of its data: what every kept value is valid for."""
    url = session.get_bind().engine.url.render_as_string(hide_password=True)
    return (url, *datastate.state(session))


class StateCache:
    """An LRU of values per (database state, key), each built at most once while kept.

    `size` is the number of values kept, or a function returning it (read on each insert, so
    a setting can change it at run time). Threads asking for the same missing value wait for
    the one that builds it: after a write all of a worker's threads miss at once, and building
    a costly value once per thread multiplied the seconds it costs. A value slow to build is
    settled out of the cycle collector's way (kb.store.heap). `on_build` is called (under the
    cache's lock) after each value built, for counting."""

    def __init__(
        self,
        size: int | Callable[[], int] = 64,
        on_build: Callable[[], None] | None = None,
    ) -> None:
        self._size = size
        self._on_build = on_build
        self._items: OrderedDict[tuple[Hashable, ...], Any] = OrderedDict()
        self._flights: dict[tuple[Hashable, ...], threading.Lock] = {}
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._items)

    def _limit(self) -> int:
        return self._size() if callable(self._size) else self._size

    def _hit(self, full: tuple[Hashable, ...]) -> tuple[bool, Any]:
        if full in self._items:
            self._items.move_to_end(full)
            return True, self._items[full]
        return False, None

    def get(self, session: Session, key: Hashable, build: Callable[[], T]) -> T:
        """The value for (this database's state, key); `build` runs only on a miss."""
        full = (*state_key(session), key)
        with self._lock:
            found, value = self._hit(full)
            if found:
                return value
            flight = self._flights.setdefault(full, threading.Lock())
        with flight:
            with self._lock:
                found, value = self._hit(full)  # built by the thread we waited for
                if found:
                    return value
            try:
                started = time.perf_counter()
                value = build()
                heap.built(time.perf_counter() - started)
                with self._lock:
                    if self._on_build is not None:
                        self._on_build()
                    self._items[full] = value
                    while len(self._items) > self._limit():
                        self._items.popitem(last=False)
            finally:
                with self._lock:
                    self._flights.pop(full, None)
        return value

    def clear(self) -> None:
        with self._lock:
            self._items.clear()
            self._flights.clear()
