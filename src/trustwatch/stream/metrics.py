"""Prometheus metrics of the stream worker, in the default registry."""

from __future__ import annotations

from prometheus_client import Counter, Gauge, Histogram

from trustwatch.stream.bus import TopicPartition

CONSUMED = Counter(
    "trustwatch_stream_consumed_total", "Records consumed from the events topic.", ["topic"]
)
PRODUCED = Counter(
    "trustwatch_stream_produced_total",
    "Records produced (verdicts, actions, dead letters).",
    ["topic"],
)
DEAD_LETTERED = Counter(
    "trustwatch_stream_dead_lettered_total", "Records sent to the dead-letter topic.", ["kind"]
)
DUPLICATES = Counter(
    "trustwatch_stream_redelivered_total",
    "Redelivered events whose verdict was already stored (no second verdict was made).",
)
RETRIES = Counter("trustwatch_stream_retries_total", "Retries after transient errors.", ["stage"])
LOST_BATCHES = Counter(
    "trustwatch_stream_partitions_lost_total",
    "Batches abandoned because their partitions moved to another consumer mid-batch.",
)
COUNTER_REPLAYS = Counter(
    "trustwatch_stream_counter_replays_total",
    "Events evaluated again because the shared velocity counts differed from the local mirror.",
)
PROCESSING_SECONDS = Histogram(
    "trustwatch_stream_processing_seconds",
    "Per-event time from poll to committed (evaluate, store, produce, commit).",
    buckets=(0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 10.0),
)
LAG = Gauge(
    "trustwatch_stream_consumer_lag",
    "Records seen on the partition but not yet committed by this consumer's group.",
    ["topic", "partition"],
)


def set_lag(
    seen_end: dict[TopicPartition, int], committed: dict[TopicPartition, int]
) -> dict[TopicPartition, int]:
    """Lag from what this worker has seen and what is committed; broker watermarks are not used.

    "Seen" is the log end on the SQLite bus and, on Kafka, the highest offset fetched into
    the client (which prefetches up to ``queued.max.messages.kbytes`` ahead), so Kafka lag
    undercounts a backlog larger than that prefetch.
    """
    lag = {tp: max(end - committed.get(tp, 0), 0) for tp, end in seen_end.items()}
    for tp, value in lag.items():
        LAG.labels(tp.topic, str(tp.partition)).set(value)
    return lag


def forget_partitions(partitions: list[TopicPartition]) -> None:
    for tp in partitions:
        try:
            LAG.remove(tp.topic, str(tp.partition))
        except KeyError:
            continue
