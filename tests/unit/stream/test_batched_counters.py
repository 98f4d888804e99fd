"""Batched velocity counters: one shared-store round trip per batch, the same verdicts as
adding event by event (``trustwatch.counters.SpeculativeCounters`` in the worker)."""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import pytest
from prometheus_client import REGISTRY

from trustwatch.counters import CounterCall, InMemoryCounters, SpeculativeCounters
from trustwatch.engine import Engine
from trustwatch.events import parse_event
from trustwatch.store.interface import InMemoryVerdictStore
from trustwatch.stream.bus import MemoryBus, Record, Topics
from trustwatch.stream.worker import Worker, WorkerConfig

TOPICS = Topics.with_prefix("bc")

_PACK = """\
pack: velocitytest
version: 1
description: Spam velocity alone, with low thresholds, so counts decide verdicts.
settings:
  marketplace_domains: [depop.com]
  expensive_cost: 50
policies: {}
"""
_POLICY = """\
policies:
  blast:
    title: Message blasts
    text: One text sent to many recipients or by many senders.
    applies_to: [message.sent, listing.created]
    detectors:
      - use: spam_velocity
        params: {recipients: 3, senders: 2, listings: 2, min_words: 3, campaign_min_words: 4}
    actions:
      - {at: 0.5, action: review}
    examples:
      trigger: []
      clean: ["is this still available?"]
"""
_TEXTS = [
    "great deal on vintage denim jackets shipped today from london",
    "message me about the designer handbag before it sells out fast",
    "cheap sneakers available in every size with free postage included",
]


class SharedTwin(InMemoryCounters):
    """The in-process stand-in for a shared store (Redis): counts its round trips."""

    def __init__(self, fail_batches: int = 0) -> None:
        super().__init__()
        self.round_trips = 0
        self.fail_batches = fail_batches

    def add_many(self, adds: Sequence[tuple[str, str]], at: float, window_s: float) -> list[int]:
        self.round_trips += 1
        return super().add_many(adds, at, window_s)

    def add_batches(self, calls: Sequence[CounterCall]) -> list[list[int]]:
        self.round_trips += 1
        if self.fail_batches > 0:
            self.fail_batches -= 1
            raise ValueError("the shared store refused the batch")
        return [InMemoryCounters.add_many(self, c.adds, c.at, c.window_s) for c in calls]


class PipelinedTwin(SharedTwin):
    """A shared store that, like Redis, takes a batch now and gives its answers later."""

    def __init__(self) -> None:
        super().__init__()
        self.unread = 0

    def send_batches(self, calls: Sequence[CounterCall]) -> Callable[[], list[list[int]]]:
        assert self.unread == 0, "a batch was sent before the previous one's answers were read"
        answers = self.add_batches(calls)  # applied when sent, as Redis does
        self.unread += 1

        def receive() -> list[list[int]]:
            self.unread -= 1
            return answers

        return receive


@pytest.fixture
def velocity_pack(tmp_path: Path) -> Path:
    root = tmp_path / "velocity_pack"
    (root / "policies").mkdir(parents=True)
    (root / "pack.yaml").write_text(_PACK)
    (root / "policies" / "blast.yaml").write_text(_POLICY)
    return root


def _events(n: int, actors: int = 6) -> list[dict[str, Any]]:
    """Blasts: each actor sends the texts to rotating recipients; listings repeat too."""
    out: list[dict[str, Any]] = []
    for i in range(n):
        actor = f"u_{i % actors}"
        stamp = f"2026-11-02T10:{i // 60:02d}:{i % 60:02d}Z"
        if i % 7 == 6:
            out.append(
                {
                    "id": f"evt_{i}",
                    "type": "listing.created",
                    "occurred_at": stamp,
                    "actor": {"id": actor},
                    "listing": {"id": f"l_{i}", "title": _TEXTS[i % 3], "description": ""},
                }
            )
            continue
        out.append(
            {
                "id": f"evt_{i}",
                "type": "message.sent",
                "occurred_at": stamp,
                "actor": {"id": actor},
                "message": {"id": f"m_{i}", "recipient_id": f"r_{i % 5}", "text": _TEXTS[i % 3]},
            }
        )
    return out


def _records(events: list[dict[str, Any]]) -> list[Record]:
    return [
        Record(TOPICS.events, 0, i, e["actor"]["id"], json.dumps(e).encode(), 0.0)
        for i, e in enumerate(events)
    ]


def _worker(pack: Path, counters: Any, chunk: int = 100) -> tuple[Worker, MemoryBus]:
    bus = MemoryBus(TOPICS, partitions=1)
    engine = Engine.from_path(pack, counters=counters)
    consumer = bus.consumer("g", [TOPICS.events])
    config = WorkerConfig(counter_chunk=chunk)
    return Worker(engine, InMemoryVerdictStore(), consumer, TOPICS, config), bus


def _verdicts(bus: MemoryBus) -> dict[str, dict[str, Any]]:
    out = {}
    for r in bus.read_all(TOPICS.verdicts):
        body = json.loads(r.value)
        body.pop("latency_ms")
        out[body["event_id"]] = body
    return out


def _one_by_one(pack: Path, events: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """The reference: every event's adds applied in order, one event after another."""
    engine = Engine.from_path(pack, counters=InMemoryCounters())
    out = {}
    for e in events:
        body = engine.evaluate(parse_event(e)).model_dump(mode="json")
        body.pop("latency_ms")
        out[body["event_id"]] = body
    return out


def _replays() -> float:
    return REGISTRY.get_sample_value("trustwatch_stream_counter_replays_total") or 0.0


def test_a_batch_costs_one_round_trip_and_decides_as_event_by_event(velocity_pack) -> None:
    events = _events(60)
    shared = SharedTwin()
    worker, bus = _worker(velocity_pack, shared)
    records = _records(events)
    for i in range(0, len(records), 20):
        worker.process(records[i : i + 20])
    assert shared.round_trips == 3
    got = _verdicts(bus)
    assert got == _one_by_one(velocity_pack, events)
    assert sum(v["action"] == "review" for v in got.values()) >= 10


@pytest.mark.parametrize(
    ("twin", "chunk"), [(SharedTwin, 100), (PipelinedTwin, 4)], ids=["whole", "chunked"]
)
def test_counts_another_worker_added_are_seen_by_evaluating_again(
    velocity_pack, twin: type[SharedTwin], chunk: int
) -> None:
    # Two workers share the store; each owns half of the actors, as partitions split them,
    # but the campaign keys (one text, many senders) are shared, so the mirrors go stale.
    events = _events(120)
    shared = twin()
    a, bus_a = _worker(velocity_pack, shared, chunk=chunk)
    b, bus_b = _worker(velocity_pack, shared, chunk=chunk)
    mine = [e for e in events if int(e["actor"]["id"][2:]) % 2 == 0]
    theirs = [e for e in events if int(e["actor"]["id"][2:]) % 2 == 1]
    before = _replays()
    order: list[dict[str, Any]] = []
    for i in range(0, 60, 15):
        a.process(_records(mine[i : i + 15]))
        b.process(_records(theirs[i : i + 15]))
        order += mine[i : i + 15] + theirs[i : i + 15]
    assert _replays() > before
    assert {**_verdicts(bus_a), **_verdicts(bus_b)} == _one_by_one(velocity_pack, order)


def test_chunks_read_their_answers_after_the_next_chunk_and_decide_as_event_by_event(
    velocity_pack,
) -> None:
    events = _events(60)
    shared = PipelinedTwin()
    worker, bus = _worker(velocity_pack, shared, chunk=8)
    worker.process(_records(events))
    assert shared.round_trips == 8  # one per chunk of 8, for the 60 events of one batch
    assert shared.unread == 0
    assert _verdicts(bus) == _one_by_one(velocity_pack, events)


def test_a_refused_batch_update_falls_back_to_one_call_per_event(velocity_pack) -> None:
    events = _events(30)
    shared = SharedTwin(fail_batches=1)
    worker, bus = _worker(velocity_pack, shared)
    worker.process(_records(events))
    assert _verdicts(bus) == _one_by_one(velocity_pack, events)
    assert shared.round_trips > 1 + len(events) // 2


def test_speculation_guesses_from_the_mirror_and_replays_the_shared_answer() -> None:
    shared = SharedTwin()
    counters = SpeculativeCounters(shared)
    assert counters.add("k", "a", at=1.0, window_s=60) == 1  # outside a batch: straight through
    shared.add("k", "b", at=2.0, window_s=60)  # another worker's add the mirror never saw
    with counters.batch():
        counters.next_event()
        assert counters.add_many([("k", "c"), ("j", "c")], at=3.0, window_s=60) == [2, 1]
        counters.next_event()
        assert counters.add("j", "d", at=4.0, window_s=60) == 2
        assert counters.settle() == [0]  # "k" really has three members, "j" is right
        with counters.replay(0):
            assert counters.add_many([("k", "c"), ("j", "c")], at=3.0, window_s=60) == [3, 1]
    assert shared.round_trips == 2  # the pass-through add and the settle
    assert shared.add("k", "c", at=3.0, window_s=60) == 3  # applied once, not twice
