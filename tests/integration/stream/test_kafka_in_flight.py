"""Kafka keeps one batch in flight: its offsets are committed only after the broker has
acknowledged its outputs, and never while the broker is unreachable."""

from __future__ import annotations

import time

import pytest
from faults import Tansu

from trustwatch.stream.bus import BusUnavailableError, OutRecord, Record, TopicPartition, Topics
from trustwatch.stream.kafka import KafkaBus, KafkaConsumer

pytestmark = pytest.mark.kafka


def _batch(bus: KafkaBus, topics: Topics, n: int) -> tuple[KafkaConsumer, list[Record]]:
    bus.ensure_topics(2)
    bus.producer().send([OutRecord(topics.events, f"u{i}", b"e%d" % i) for i in range(n)])
    consumer = bus.consumer("g", [topics.events])
    records: list[Record] = []
    deadline = time.monotonic() + 30
    while len(records) < n and time.monotonic() < deadline:
        records += consumer.poll(100, 0.2)
    assert len(records) == n
    return consumer, records


def _offsets(records: list[Record]) -> dict[TopicPartition, int]:
    offsets: dict[TopicPartition, int] = {}
    for r in records:
        offsets[r.tp] = max(offsets.get(r.tp, 0), r.offset + 1)
    return offsets


def test_offsets_are_committed_after_the_outputs_are_acknowledged(tansu: Tansu) -> None:
    topics = Topics.with_prefix("inflight")
    bus = KafkaBus(tansu.url.removeprefix("kafka://"), topics=topics, partitions=2)
    consumer, records = _batch(bus, topics, 10)
    outputs = [OutRecord(topics.verdicts, r.key, b"v" + r.value) for r in records]
    try:
        consumer.complete(outputs, _offsets(records))
        assert consumer.committed() == {}  # in flight: produced, not yet acknowledged
        consumer.complete([], {})
        assert consumer.committed() == _offsets(records)
        assert sorted(r.value for r in bus.read_all(topics.verdicts)) == sorted(
            o.value for o in outputs
        )
    finally:
        consumer.close()


def test_no_offset_is_committed_while_the_broker_cannot_acknowledge(tansu: Tansu) -> None:
    topics = Topics.with_prefix("inflight")
    bus = KafkaBus(
        tansu.url.removeprefix("kafka://"),
        topics=topics,
        partitions=2,
        config={"message.timeout.ms": 1000},
    )
    consumer, records = _batch(bus, topics, 10)
    try:
        tansu.stop()  # the broker goes away with the batch's outputs still in flight
        consumer.complete([OutRecord(topics.verdicts, "u0", b"v")], _offsets(records))
        with pytest.raises(BusUnavailableError):
            consumer.complete([], {})
        assert consumer.committed() == {}
    finally:
        tansu.start()
        consumer.close()
