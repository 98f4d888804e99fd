"""Velocity counters: distinct members of a key within a sliding time window.

Adding the same member twice counts once, so a redelivered event never inflates a
count. The in-process store is the default; ``stream.redis_counters`` scales out.
"""

from __future__ import annotations

from collections import OrderedDict
from typing import Protocol


class CounterStore(Protocol):
    def add(self, key: str, member: str, at: float, window_s: float) -> int:
        """Record ``member`` under ``key`` at time ``at``; return distinct members in window."""
        ...


class InMemoryCounters:
    """Bounded in-process store; evicts the least recently used keys past ``max_keys``."""

    def __init__(self, max_keys: int = 200_000) -> None:
        self._data: OrderedDict[str, dict[str, float]] = OrderedDict()
        self._max_keys = max_keys

    def add(self, key: str, member: str, at: float, window_s: float) -> int:
        members = self._data.get(key)
        if members is None:
            members = {}
            self._data[key] = members
            if len(self._data) > self._max_keys:
                self._data.popitem(last=False)
        else:
            self._data.move_to_end(key)
        members[member] = max(at, members.get(member, at))
        floor = at - window_s
        if len(members) > 64 or any(t < floor for t in members.values()):
            for m in [m for m, t in members.items() if t < floor]:
                del members[m]
        return sum(1 for t in members.values() if floor <= t <= at)
