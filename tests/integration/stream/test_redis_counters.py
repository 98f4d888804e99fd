"""Velocity counters in the machine's Redis behave like the in-process ones, and are shared."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest
from redis import Redis

from trustwatch.counters import CounterCall, InMemoryCounters, SpeculativeCounters
from trustwatch.stream.redis_counters import RedisCounters

pytestmark = pytest.mark.redis


@pytest.fixture
def redis_prefix() -> Iterator[tuple[Redis, str]]:
    client = Redis.from_url("redis://127.0.0.1:6379/0")
    prefix = f"test:{uuid.uuid4().hex}:"
    yield client, prefix
    keys = list(client.scan_iter(match=f"{prefix}*"))
    if keys:
        client.delete(*keys)


def test_a_member_counts_once_within_the_window(redis_prefix) -> None:
    client, prefix = redis_prefix
    counters = RedisCounters(client, prefix)
    assert counters.add("to:u_1", "u_2", at=100.0, window_s=60) == 1
    assert counters.add("to:u_1", "u_2", at=101.0, window_s=60) == 1
    assert counters.add("to:u_1", "u_3", at=102.0, window_s=60) == 2


def test_members_older_than_the_window_drop_out(redis_prefix) -> None:
    client, prefix = redis_prefix
    counters = RedisCounters(client, prefix)
    counters.add("k", "a", at=0.0, window_s=10)
    counters.add("k", "b", at=5.0, window_s=10)
    assert counters.add("k", "c", at=14.0, window_s=10) == 2
    assert client.zcard(f"{prefix}k") == 2
    assert client.ttl(f"{prefix}k") > 0


def test_two_workers_share_one_count(redis_prefix) -> None:
    client, prefix = redis_prefix
    first = RedisCounters(client, prefix)
    second = RedisCounters.from_url("redis://127.0.0.1:6379/0", prefix)
    first.add("by:fp", "u_1", at=50.0, window_s=600)
    assert second.add("by:fp", "u_2", at=51.0, window_s=600) == 2


def test_same_answers_as_the_in_process_counters(redis_prefix) -> None:
    client, prefix = redis_prefix
    shared = RedisCounters(client, prefix)
    local = InMemoryCounters()
    steps = [("k", f"m{i % 7}", float(i * 3), 20.0) for i in range(40)]
    steps += [("j", f"m{i % 3}", float(100 - i), 30.0) for i in range(10)]
    assert [shared.add(*s) for s in steps] == [local.add(*s) for s in steps]


def test_add_many_answers_as_the_in_process_counters(redis_prefix) -> None:
    client, prefix = redis_prefix
    shared = RedisCounters(client, prefix)
    local = InMemoryCounters()
    batches = [
        (float(t), [(f"k{(t + i) % 3}", f"m{(t * i) % 5}") for i in range(4)])
        for t in range(0, 60, 3)
    ]
    expected = [local.add_many(adds, at, 20.0) for at, adds in batches]
    assert max(max(counts) for counts in expected) > 1
    assert [shared.add_many(adds, at, 20.0) for at, adds in batches] == expected
    assert shared.add_many([], 70.0, 20.0) == []
    assert client.ttl(f"{prefix}k0") > 0


def test_a_flushed_script_cache_is_reloaded_and_the_add_applied_once(redis_prefix) -> None:
    client, prefix = redis_prefix
    counters = RedisCounters(client, prefix)
    assert counters.add_many([("k", "a"), ("j", "a")], at=10.0, window_s=60) == [1, 1]
    client.script_flush()
    assert counters.add_many([("k", "b"), ("j", "a")], at=11.0, window_s=60) == [2, 1]
    assert client.zcard(f"{prefix}k") == 2


def test_a_connection_dropped_by_the_server_is_replaced(redis_prefix) -> None:
    client, prefix = redis_prefix
    counters = RedisCounters.from_url("redis://127.0.0.1:6379/0", prefix)
    assert counters.add("k", "a", at=10.0, window_s=60) == 1
    pooled = counters._client.client_id()
    client.client_kill_filter(_id=pooled)
    assert counters.add("k", "b", at=11.0, window_s=60) == 2
    assert counters._client.client_id() != pooled


def _mixed_calls() -> list[CounterCall]:
    """Twenty calls of 0-3 adds each over three keys, so counts climb and windows slide."""
    return [
        CounterCall(tuple((f"k{(t + i) % 3}", f"m{(t * i) % 5}") for i in range(t % 4)), t, 20.0)
        for t in range(0, 60, 3)
    ]


def test_add_batches_answers_as_one_add_many_after_another(redis_prefix) -> None:
    client, prefix = redis_prefix
    shared = RedisCounters(client, prefix)
    local = InMemoryCounters()
    calls = _mixed_calls()
    expected = [local.add_many(c.adds, c.at, c.window_s) for c in calls]
    assert max(max(counts, default=0) for counts in expected) > 1
    assert shared.add_batches(calls) == expected
    assert shared.add_batches([]) == []


def test_answers_read_later_are_those_of_add_batches(redis_prefix) -> None:
    client, prefix = redis_prefix
    shared = RedisCounters(client, prefix)
    local = InMemoryCounters()
    calls = _mixed_calls()
    expected = [local.add_many(c.adds, c.at, c.window_s) for c in calls]
    first = shared.send_batches(calls[:10])
    # Sent, not yet read: Redis applies them while the worker evaluates its next chunk.
    assert first() == expected[:10]
    second = shared.send_batches(calls[10:])
    assert second() == expected[10:]
    assert shared.send_batches([])() == []


def test_answers_read_later_survive_a_flushed_script_cache_and_count_once(redis_prefix) -> None:
    client, prefix = redis_prefix
    counters = RedisCounters(client, prefix)
    assert counters.add("k", "a", at=10.0, window_s=60) == 1
    client.script_flush()
    receive = counters.send_batches([CounterCall((("k", "b"), ("k", "a")), 11.0, 60.0)])
    assert receive() == [[2, 2]]
    assert client.zcard(f"{prefix}k") == 2


def test_answers_read_later_survive_a_dropped_connection(redis_prefix) -> None:
    client, prefix = redis_prefix
    counters = RedisCounters.from_url("redis://127.0.0.1:6379/0", prefix)
    assert counters.add("k", "a", at=10.0, window_s=60) == 1
    receive = counters.send_batches([CounterCall((("k", "b"),), 11.0, 60.0)])
    # The server drops the connection the answers were to come back on.
    (waiting,) = counters._client.connection_pool._in_use_connections
    host, port = waiting._sock.getsockname()[:2]
    assert client.client_kill(f"{host}:{port}")
    assert receive() == [[2]]
    assert counters.add("k", "c", at=12.0, window_s=60) == 3


def _speculate(counters: SpeculativeCounters, batch: list[CounterCall]) -> list[list[int]]:
    """Each call as one event of a batch; the answers the events end up with."""
    with counters.batch():
        answers = []
        for call in batch:
            counters.next_event()
            answers.append(counters.add_many(call.adds, call.at, call.window_s))
        for event in counters.settle():
            with counters.replay(event):
                call = batch[event]
                answers[event] = counters.add_many(call.adds, call.at, call.window_s)
    return answers


def test_two_speculating_workers_answer_as_if_their_batches_ran_one_by_one(redis_prefix) -> None:
    client, prefix = redis_prefix
    a = SpeculativeCounters(RedisCounters(client, prefix))
    b = SpeculativeCounters(RedisCounters.from_url("redis://127.0.0.1:6379/0", prefix))
    local = InMemoryCounters()
    for t in range(0, 40, 4):
        # Both workers add to the shared key "campaign"; each has one of its own.
        batch_a = [CounterCall((("campaign", f"a{t}"), ("own:a", f"x{t}")), t, 30.0)]
        batch_b = [
            CounterCall((("campaign", f"b{t + j}"), ("own:b", "y")), t + j, 30.0) for j in (1, 2)
        ]
        for worker, batch in ((a, batch_a), (b, batch_b)):
            expected = [local.add_many(c.adds, c.at, c.window_s) for c in batch]
            assert _speculate(worker, batch) == expected
    assert local.add("campaign", "z", 40.0, 30.0) > 10


def test_keys_and_members_outside_ascii_are_counted_as_themselves(redis_prefix) -> None:
    client, prefix = redis_prefix
    counters = RedisCounters(client, prefix)
    assert counters.add_many([("by:jäck€t", "usér_1"), ("by:jäck€t", "usér_2")], 5.0, 60) == [1, 2]
    assert client.zrange(f"{prefix}by:jäck€t", 0, -1) == ["usér_1".encode(), "usér_2".encode()]


def test_calls_longer_than_one_script_call_answer_in_order(redis_prefix) -> None:
    client, prefix = redis_prefix
    shared = RedisCounters(client, prefix)
    local = InMemoryCounters()
    # 3 * 90 adds: split across script calls, mid-call too, and one key spans them all.
    calls = [
        CounterCall(
            tuple(
                ("same", f"m{t}-{i}") if i % 2 else (f"k{i % 7}", f"m{t % 4}") for i in range(90)
            ),
            float(t),
            30.0,
        )
        for t in range(3)
    ]
    expected = [local.add_many(c.adds, c.at, c.window_s) for c in calls]
    assert shared.add_batches(calls) == expected
    assert expected[-1][-1] == 135
    long_call = [(f"x{i % 5}", f"m{i}") for i in range(450)]
    assert shared.add_many(long_call, 5.0, 60.0) == local.add_many(long_call, 5.0, 60.0)
