"""Velocity counters in Redis, shared by every worker: one sorted set per key.

Members are scored by their latest time; one Lua script adds, trims the window and
counts in a single round trip, so concurrent workers never see a half-applied add.
``add_many`` pipelines one script call per key: still one round trip, and each key's add
stays atomic and single-key (so it also works where keys live on different shards).
Same semantics as ``trustwatch.counters.InMemoryCounters``: a member counts once.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

from redis import Redis

# KEYS[1]=set; ARGV: member, at, window_s. ZADD GT keeps a member's latest time.
_ADD = """
local at = tonumber(ARGV[2])
local floor = at - tonumber(ARGV[3])
redis.call('ZADD', KEYS[1], 'GT', at, ARGV[1])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', '(' .. floor)
redis.call('EXPIRE', KEYS[1], ARGV[4])
return redis.call('ZCOUNT', KEYS[1], floor, at)
"""


class RedisCounters:
    """``CounterStore`` over Redis; a key lives ``window_s`` (at least 60 s) after its last add."""

    def __init__(self, client: Redis, prefix: str = "trustwatch:counters:") -> None:
        self._client = client
        self._prefix = prefix
        self._add: Any = client.register_script(_ADD)

    @classmethod
    def from_url(cls, url: str, prefix: str = "trustwatch:counters:") -> RedisCounters:
        return cls(Redis.from_url(url), prefix)

    def add(self, key: str, member: str, at: float, window_s: float) -> int:
        ttl = max(math.ceil(window_s), 60)
        return int(self._add(keys=[self._prefix + key], args=[member, at, window_s, ttl]))

    def add_many(self, adds: Sequence[tuple[str, str]], at: float, window_s: float) -> list[int]:
        if not adds:
            return []
        ttl = max(math.ceil(window_s), 60)
        pipe = self._client.pipeline(transaction=False)
        for key, member in adds:
            self._add(keys=[self._prefix + key], args=[member, at, window_s, ttl], client=pipe)
        return [int(n) for n in pipe.execute()]
