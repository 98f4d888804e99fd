"""Fault tests: real worker processes on the embedded SQLite bus and on a Kafka broker (tansu).

Each proves, from the store and the output topics, that every good event has exactly
one verdict and one action and that the dead letters are exactly the bad lines.
"""

from __future__ import annotations

import json
import re
import urllib.request
import uuid
from collections import Counter, defaultdict

import pytest
from faults import Lines, Setup, free_port, make_lines, produce, wait_for
from redis import Redis
from sqlalchemy import text

from trustwatch.verdicts import Verdict

pytestmark = pytest.mark.slow


def _stored(s: Setup, sql: str) -> list[str]:
    with s.store.engine.connect() as conn:
        return [row[0] for row in conn.execute(text(sql))]


def _verdict_count(s: Setup) -> int:
    return s.store.count_verdicts()


def _dead_letters(s: Setup) -> list[bytes]:
    return [json.loads(r.value)["payload"].encode() for r in s.bus.read_all(s.topics.dead_letters)]


def _wait_until_done(s: Setup, data: Lines) -> None:
    wait_for(lambda: _verdict_count(s) == len(data.good), what="a verdict for every good event")
    wait_for(lambda: len(_dead_letters(s)) >= len(data.bad), what="every dead letter")


def _assert_exactly_once(s: Setup, data: Lines) -> None:
    good = sorted(data.good)
    assert sorted(_stored(s, "SELECT event_id FROM verdicts")) == good
    assert sorted(_stored(s, "SELECT event_id FROM actions")) == good
    verdicts = s.bus.read_all(s.topics.verdicts)
    actions = s.bus.read_all(s.topics.actions)
    dead = _dead_letters(s)
    if s.kind == "sqlite":
        # Outputs and offsets commit in one transaction: exactly one copy of each.
        assert sorted(r.headers["event_id"] for r in verdicts) == good
        assert sorted(r.headers["event_id"] for r in actions) == good
        assert sorted(dead) == sorted(data.bad)
        return
    # Kafka is at-least-once on the topics: a copy may repeat after a crash, but it is
    # always the one stored verdict, never a second decision.
    assert {r.headers["event_id"] for r in verdicts} == data.good
    assert {r.headers["event_id"] for r in actions} == data.good
    assert set(dead) == data.bad
    repeated = [k for k, n in Counter(r.headers["event_id"] for r in verdicts).items() if n > 1]
    for event_id in repeated:
        copies = {r.value for r in verdicts if r.headers["event_id"] == event_id}
        assert len(copies) == 1
        assert Verdict.model_validate_json(copies.pop()) == s.store.get_verdict(event_id)


def _consumed(log: str) -> int:
    match = re.search(r"worker stopped: consumed=(\d+)", log)
    assert match, log[-2000:]
    return int(match.group(1))


def test_sigkilled_worker_restarts_and_each_good_event_gets_one_verdict(setup, workers) -> None:
    data = make_lines(2000)
    produce(setup, data.lines)
    first = workers(setup, "first", "--batch-size", "10")
    wait_for(lambda: _verdict_count(setup) >= 200, what="the first verdicts")
    first.kill()
    assert _verdict_count(setup) < len(data.good), "the worker finished before it was killed"
    port = free_port()
    second = workers(setup, "second", "--metrics-port", str(port))
    _wait_until_done(setup, data)
    metrics = _scrape(port)
    assert second.terminate() == 0
    _assert_exactly_once(setup, data)
    assert metrics["trustwatch_stream_consumed_total"] > 0
    assert metrics["trustwatch_stream_dead_lettered_total"] > 0
    # Caught up: nothing seen on any partition is left uncommitted.
    assert metrics["lag_partitions"] == 4
    assert metrics["trustwatch_stream_consumer_lag"] == 0


def _scrape(port: int) -> dict[str, float]:
    """Sums of each metric family of a worker's /metrics, plus how many lag series it has."""
    body = urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=5).read().decode()
    sums: dict[str, float] = defaultdict(float)
    for line in body.splitlines():
        if line.startswith("#") or not line.strip():
            continue
        name_labels, value = line.rsplit(" ", 1)
        name = name_labels.split("{", 1)[0]
        sums[name] += float(value)
        if name == "trustwatch_stream_consumer_lag":
            sums["lag_partitions"] += 1
    return sums


def _last_assignment(log: str) -> list[str]:
    lines = re.findall(r"assignment: (.*)", log)
    return [p for p in lines[-1].split(", ") if p] if lines else []


@pytest.mark.redis
def test_two_workers_in_one_group_split_partitions_and_decide_each_event_once(
    setup, workers
) -> None:
    prefix = f"test:{uuid.uuid4().hex}:"
    redis = Redis.from_url("redis://127.0.0.1:6379/0")
    shared = ("--counters", "redis://127.0.0.1:6379/0", "--counters-prefix", prefix)
    a = workers(setup, "a", *shared)
    b = workers(setup, "b", *shared)
    try:
        wait_for(
            lambda: len(_last_assignment(a.log())) == 2 and len(_last_assignment(b.log())) == 2,
            what="the two workers to split the four partitions",
        )
        assert set(_last_assignment(a.log())).isdisjoint(_last_assignment(b.log()))
        data = make_lines(1500)
        produce(setup, data.lines)
        _wait_until_done(setup, data)
        assert a.terminate() == 0
        assert b.terminate() == 0
        done_a, done_b = _consumed(a.log()), _consumed(b.log())
        assert done_a > 0 and done_b > 0
        assert done_a + done_b >= len(data.lines)
        _assert_exactly_once(setup, data)
    finally:
        keys = list(redis.scan_iter(match=f"{prefix}*"))
        if keys:
            redis.delete(*keys)


@pytest.mark.kafka
@pytest.mark.parametrize("setup", ["kafka"], indirect=True)
def test_worker_survives_a_broker_restart(setup, workers) -> None:
    """The broker is memory-only: a restart loses its topics, records and group offsets.

    So the honest claim is: the worker rides out the outage in the same process,
    rejoins the new broker, and the events produced again there (the first half a
    second time, as a producer would after losing its broker) still end with exactly
    one verdict and action each in the store; the first half's verdicts are
    republished from the store, not decided again.
    """
    assert setup.broker is not None
    data = make_lines(1000)
    half = data.lines[:500]
    first_good = {f"evt_{i}" for i in range(500) if f"evt_{i}" in data.good}
    produce(setup, half)
    worker = workers(setup, "w")
    wait_for(lambda: _verdict_count(setup) == len(first_good), what="the first half")
    joins = worker.log().count("assignment: ")
    setup.broker.restart()
    setup.bus.ensure_topics(4)
    wait_for(
        lambda: (
            worker.log().count("assignment: ") > joins and len(_last_assignment(worker.log())) == 4
        ),
        what="the worker to rejoin the restarted broker",
    )
    produce(setup, data.lines)
    _wait_until_done(setup, data)
    assert worker.proc.poll() is None, "the worker died during the broker outage"
    assert worker.terminate() == 0
    _assert_exactly_once(setup, data)
    assert "redelivered=" in worker.log()
