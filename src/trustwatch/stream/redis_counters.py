"""Velocity counters in Redis, shared by every worker: one sorted set per key.

Members are scored by their latest time; a Lua script adds, trims the window and
counts, so concurrent workers never see a half-applied add. One script call takes up to
``_ADDS_PER_SCRIPT`` adds in order (an event's, or a chunk of events') and answers with
one array. The script's own work is the same either way (~10 us an add, its four
commands from Lua), but Redis parses one command and writes one reply per chunk instead
of per add: its CPU per event on the fast path fell from 28 to 22 us (three alternating
runs of 10,000 events), and the worker's from 1,513,834 to 1,488,674 instructions. A
call is atomic as a whole, so its keys need to live on one server (a cluster client
would split the calls by hash slot).
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

# KEYS: the sets, one per add, in order; ARGV: four per add (member, at, window_s, ttl).
# ZADD GT keeps a member's latest time. Answers: each add's count, in order.
_ADD = """
local counts = {}
for i, key in ipairs(KEYS) do
  local j = 4 * i - 4
  local at = tonumber(ARGV[j + 2])
  local floor = at - tonumber(ARGV[j + 3])
  redis.call('ZADD', key, 'GT', at, ARGV[j + 1])
  redis.call('ZREMRANGEBYSCORE', key, '-inf', '(' .. floor)
  redis.call('EXPIRE', key, ARGV[j + 4])
  counts[i] = redis.call('ZCOUNT', key, floor, at)
end
return counts
"""
_ADD_SHA = hashlib.sha1(_ADD.encode()).hexdigest()
# Adds per script call: a call holds Redis for ~4 us an add, so 200 is ~1 ms at most.
_ADDS_PER_SCRIPT = 200


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
        packed, scripts = self._commands([CounterCall(tuple(adds), at, window_s)])
        return self._run(packed, scripts)

    def add_batches(self, calls: Sequence[CounterCall]) -> list[list[int]]:
        """Every call's ``add_many`` in one round trip (the worker's batch of events)."""
        packed, scripts = self._commands(calls)
        return _split(calls, self._run(packed, scripts) if scripts else [])

    def send_batches(self, calls: Sequence[CounterCall]) -> Callable[[], list[list[int]]]:
        """``add_batches`` in two halves: the calls are written now, the function reads the
        answers (resending the batch whole if the connection or the script cache was lost)."""
        packed, scripts = self._commands(calls)
        if not scripts:
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
                answers = _read(conn, scripts)
            except (RedisConnectionError, RedisTimeoutError):
                answers = self._send(packed, scripts)
            finally:
                pool.release(conn)
            return _split(calls, self._checked(answers, packed, scripts))

        return receive

    def _commands(self, calls: Sequence[CounterCall]) -> tuple[bytes, int]:
        """The ``EVALSHA`` calls for the calls' adds, in the wire format (RESP), ready to
        send, and how many there are (one per ``_ADDS_PER_SCRIPT`` adds).

        Written out here rather than by redis-py, whose general encoder costs five times
        as much per command and runs for every event.
        """
        prefix = self._prefix
        keys: list[bytes] = []
        args: list[bytes] = []
        for call in calls:
            tail = _bulk(repr(float(call.at)).encode()) + _bulk(repr(float(call.window_s)).encode())
            tail += _bulk(str(max(math.ceil(call.window_s), 60)).encode())
            for key, member in call.adds:
                keys.append(_bulk((prefix + key).encode()))
                args.append(_bulk(member.encode()) + tail)
        scripts = []
        for i in range(0, len(keys), _ADDS_PER_SCRIPT):
            n = len(keys[i : i + _ADDS_PER_SCRIPT])
            scripts.append(
                b"*%d\r\n%s%s" % (3 + 5 * n, _EVALSHA_HEAD, _bulk(b"%d" % n))
                + b"".join(keys[i : i + n])
                + b"".join(args[i : i + n])
            )
        return b"".join(scripts), len(scripts)

    def _run(self, packed: bytes, replies: int) -> list[int]:
        try:
            answers = self._send(packed, replies)
        except (RedisConnectionError, RedisTimeoutError):
            # A stale pooled connection (Redis restarted): one more try on a fresh one.
            answers = self._send(packed, replies)
        return self._checked(answers, packed, replies)

    def _checked(self, answers: list[Any], packed: bytes, replies: int) -> list[int]:
        """The counts of every add, in order, once the script is loaded; any other error
        reply is raised."""
        if any(isinstance(a, NoScriptError) for a in answers):
            # Redis restarted or its script cache was flushed: load once, resend whole.
            self._client.script_load(_ADD)
            answers = self._send(packed, replies)
        for answer in answers:
            if isinstance(answer, ResponseError):
                raise answer
        return [int(count) for answer in answers for count in answer]

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


# EVALSHA <sha> <n> <n keys> <4 n arguments>: the array header is written per call.
_EVALSHA_HEAD = _bulk(b"EVALSHA") + _bulk(_ADD_SHA.encode())
