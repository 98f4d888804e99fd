"""Velocity counters in Redis, shared by every worker: one sorted set per key.

Members are scored by their latest time; one Lua script adds, trims the window and
counts in a single round trip, so concurrent workers never see a half-applied add.
``add_many`` pipelines one script call per key: still one round trip, and each key's add
stays atomic and single-key (so it also works where keys live on different shards).
Same semantics as ``trustwatch.counters.InMemoryCounters``: a member counts once.

The engine calls ``add_many`` once per event, and the stream worker sends a whole
batch's calls with ``add_batches`` (see ``trustwatch.counters.SpeculativeCounters``), so
this is on the stream's fast path: the calls go by ``EVALSHA`` straight onto a pooled
connection, one write and one read, without redis-py's pipeline object (which also asks
``SCRIPT EXISTS`` before every pipeline: a second round trip). An add is idempotent
(the same member at the same time changes nothing), so a batch can be resent whole after
``NOSCRIPT`` or a dropped connection.

``send_batches`` writes a batch's calls and hands back a function that reads the
answers, so the worker evaluates its next batch while Redis runs this one's scripts
(about 10 us of Redis time per add, two adds per event on the fast path: 20-35 us per
event of waiting when the worker read the answers at once, measured on the 2-core machine).
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Callable, Sequence
from typing import Any

from redis import Redis
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import NoScriptError, ResponseError
from redis.exceptions import TimeoutError as RedisTimeoutError

from trustwatch.counters import CounterCall

# KEYS[1]=set; ARGV: member, at, window_s. ZADD GT keeps a member's latest time.
_ADD = """
local at = tonumber(ARGV[2])
local floor = at - tonumber(ARGV[3])
redis.call('ZADD', KEYS[1], 'GT', at, ARGV[1])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', '(' .. floor)
redis.call('EXPIRE', KEYS[1], ARGV[4])
return redis.call('ZCOUNT', KEYS[1], floor, at)
"""
_ADD_SHA = hashlib.sha1(_ADD.encode()).hexdigest()


class RedisCounters:
    """``CounterStore`` over Redis; a key lives ``window_s`` (at least 60 s) after its last add."""

    def __init__(self, client: Redis, prefix: str = "trustwatch:counters:") -> None:
        self._client = client
        self._prefix = prefix

    @classmethod
    def from_url(cls, url: str, prefix: str = "trustwatch:counters:") -> RedisCounters:
        return cls(Redis.from_url(url), prefix)

    def add(self, key: str, member: str, at: float, window_s: float) -> int:
        return self.add_many([(key, member)], at, window_s)[0]

    def add_many(self, adds: Sequence[tuple[str, str]], at: float, window_s: float) -> list[int]:
        if not adds:
            return []
        return self._run(self._commands(adds, at, window_s), len(adds))

    def add_batches(self, calls: Sequence[CounterCall]) -> list[list[int]]:
        """Every call's ``add_many`` in one round trip (the worker's batch of events)."""
        packed, total = self._packed(calls)
        return _split(calls, self._run(packed, total) if total else [])

    def send_batches(self, calls: Sequence[CounterCall]) -> Callable[[], list[list[int]]]:
        """``add_batches`` in two halves: the calls are written now, the function reads the
        answers (resending the batch whole if the connection or the script cache was lost)."""
        packed, total = self._packed(calls)
        if not total:
            return lambda: _split(calls, [])
        pool = self._client.connection_pool
        conn = pool.get_connection()
        try:
            conn.send_packed_command([packed])
        except BaseException:
            conn.disconnect()
            pool.release(conn)
            # Nothing was sent on a healthy connection: the answers come from a fresh send.
            return lambda: self.add_batches(calls)

        def receive() -> list[list[int]]:
            try:
                answers = _read(conn, total)
            except (RedisConnectionError, RedisTimeoutError):
                answers = self._send(packed, total)
            finally:
                pool.release(conn)
            return _split(calls, self._checked(answers, packed, total))

        return receive

    def _packed(self, calls: Sequence[CounterCall]) -> tuple[bytes, int]:
        packed = b"".join(self._commands(call.adds, call.at, call.window_s) for call in calls)
        return packed, sum(len(call.adds) for call in calls)

    def _commands(self, adds: Sequence[tuple[str, str]], at: float, window_s: float) -> bytes:
        """The ``EVALSHA`` of each add in the wire format (RESP), ready to send.

        Written out here rather than by redis-py, whose general encoder costs five times
        as much per command and runs once per add of every event.
        """
        tail = _bulk(repr(float(at)).encode()) + _bulk(repr(float(window_s)).encode())
        tail += _bulk(str(max(math.ceil(window_s), 60)).encode())
        prefix = self._prefix
        return b"".join(
            _EVALSHA_HEAD + _bulk((prefix + key).encode()) + _bulk(member.encode()) + tail
            for key, member in adds
        )

    def _run(self, packed: bytes, replies: int) -> list[int]:
        try:
            answers = self._send(packed, replies)
        except (RedisConnectionError, RedisTimeoutError):
            # A stale pooled connection (Redis restarted): one more try on a fresh one.
            answers = self._send(packed, replies)
        return self._checked(answers, packed, replies)

    def _checked(self, answers: list[Any], packed: bytes, replies: int) -> list[int]:
        """The counts, once the script is loaded; any other error reply is raised."""
        if any(isinstance(a, NoScriptError) for a in answers):
            # Redis restarted or its script cache was flushed: load once, resend whole.
            self._client.script_load(_ADD)
            answers = self._send(packed, replies)
        for answer in answers:
            if isinstance(answer, ResponseError):
                raise answer
        return [int(a) for a in answers]

    def _send(self, packed: bytes, replies: int) -> list[Any]:
        """One write of ``packed`` and ``replies`` reads; error replies come back as values."""
        pool = self._client.connection_pool
        conn = pool.get_connection()
        try:
            conn.send_packed_command([packed])
            return _read(conn, replies)
        finally:
            pool.release(conn)


def _read(conn: Any, replies: int) -> list[Any]:
    """``replies`` answers from ``conn``; error replies come back as values.

    On a failure the connection is dropped: replies may be left unread on its socket,
    so it must never be handed out again.
    """
    try:
        answers: list[Any] = []
        for _ in range(replies):
            try:
                answers.append(conn.read_response())
            except ResponseError as exc:
                answers.append(exc)
        return answers
    except BaseException:
        conn.disconnect()
        raise


def _split(calls: Sequence[CounterCall], counts: list[int]) -> list[list[int]]:
    """The flat answers cut back into one list per call."""
    out: list[list[int]] = []
    i = 0
    for call in calls:
        out.append(counts[i : i + len(call.adds)])
        i += len(call.adds)
    return out


def _bulk(value: bytes) -> bytes:
    return b"$%d\r\n%s\r\n" % (len(value), value)


# EVALSHA <sha> 1 <key> <member> <at> <window_s> <ttl>: eight arguments, three fixed.
_EVALSHA_HEAD = b"*8\r\n" + _bulk(b"EVALSHA") + _bulk(_ADD_SHA.encode()) + _bulk(b"1")
