"""Keeping Python's cycle collector away from the values kb keeps per state of the data.

A worker keeps large values for as long as the data does not change: the agreement graph, the
camps, the opinion map, counts and orderings (kb.store.memo). CPython's collector walks every
object it tracks in each of its full collections, and those run whenever enough new objects
have survived since the last: with the kept values in memory, each took 165 ms in one process
at the reference scale, and a second or more with five workers on two cores, which no page
could hide (first visits had a p99 of 1.2 to 3.8 s while their median stayed near 100 ms).
Once a costly value is built, `settle` collects what is garbage and moves everything still
alive out of the collector's sight (gc.freeze), so later collections walk only what requests
create. A value built from scratch that quickly is not worth a full collection.

Only a long-running server worker gains, so settling is off until `enable` (kb serve's workers
call it). A short-lived process, a command or a test, would pay a full collection for nothing:
in a test worker's big heap each took a second or more, minutes over the suite."""

from __future__ import annotations

import gc
import threading

SETTLE_AFTER_SECONDS = 0.25
"""A value that took at least this long to build made enough long-lived objects to settle."""

_lock = threading.Lock()
settling = False
"""Whether `built` settles at all; see the module's docstring."""


def enable() -> None:
    """Settle costly values from now on in this process (a server worker, after its fork)."""
    global settling
    settling = True


def settle() -> None:
    """Collect everything (frozen objects too: a value kept before may have become garbage
    since), then freeze what is left."""
    with _lock:
        gc.unfreeze()
        gc.collect()
        gc.freeze()


def built(seconds: float) -> None:
    """Tell the heap a kept value took `seconds` to build; settles it when that was long and
    settling is on."""
    if settling and seconds >= SETTLE_AFTER_SECONDS:
        settle()
