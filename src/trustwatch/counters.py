"""Velocity counters: distinct members of a key within a sliding time window.

Adding the same member twice counts once, so a redelivered event never inflates a
count. The in-process store is the default; ``stream.redis_counters`` scales out.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Sequence
from typing import Protocol


class CounterStore(Protocol):
    def add(self, key: str, member: str, at: float, window_s: float) -> int:
        """Record ``member`` under ``key`` at time ``at``; return distinct members in window."""
        ...

    def add_many(self, adds: Sequence[tuple[str, str]], at: float, window_s: float) -> list[int]:
        """``add`` for each ``(key, member)`` in order, in one call (one round trip remotely)."""
        ...


class InMemoryCounters:
    """Bounded in-process store; evicts the least recently used keys past ``max_keys``."""

    def __init__(self, max_keys: int = 200_000) -> None:
        self._data: OrderedDict[str, dict[str, float]] = OrderedDict()
        self._max_keys = max_keys

    def add(self, key: str, member: str, at: float, window_s: float) -> int:
        data = self._data
        members = data.get(key)
        if members is None:
            members = {}
            data[key] = members
            if len(data) > self._max_keys:
                data.popitem(last=False)
        else:
            data.move_to_end(key)
        # A member keeps its latest time, so an old event replayed late never refreshes it.
        last = members.get(member, at)
        members[member] = last if last > at else at
        floor = at - window_s
        count = 0
        stale: list[str] = []
        for m, t in members.items():
            if t < floor:
                stale.append(m)
            elif t <= at:
                count += 1
        for m in stale:
            del members[m]
        return count

    def add_many(self, adds: Sequence[tuple[str, str]], at: float, window_s: float) -> list[int]:
        return [self.add(key, member, at, window_s) for key, member in adds]
