"""``trustwatch worker`` (consume, decide, publish) and ``trustwatch produce`` (events in)."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import click

EXIT_ABANDONED = 75

_bus_option = click.option(
    "--bus",
    "bus_url",
    help="sqlite:///path/bus.db or kafka://host:port (default: TRUSTWATCH_BUS_URL or the "
    "embedded SQLite log in the data dir)",
)
_prefix_option = click.option(
    "--topic-prefix", default="trustwatch", show_default=True, help="topics are PREFIX.events…"
)
_partitions_option = click.option(
    "--partitions",
    type=click.IntRange(min=1),
    default=8,
    show_default=True,
    help="partitions of topics this command creates",
)


def _bus_url(bus_url: str | None) -> str:
    from trustwatch.settings import get_settings

    settings = get_settings()
    if bus_url:
        return bus_url
    if settings.bus_url:
        return settings.bus_url
    return f"sqlite:///{settings.ensure_data_dir() / 'bus.db'}"


@click.command()
@_bus_option
@click.option("--group", default="trustwatch", show_default=True, help="consumer group")
@click.option(
    "--store",
    "store_url",
    help="verdict store: SQLAlchemy URL or memory:// (default: TRUSTWATCH_DATABASE_URL or the "
    "embedded SQLite store)",
)
@click.option("--pack", type=click.Path(exists=True, path_type=Path), help="policy pack")
@click.option(
    "--mode", type=click.Choice(["live", "shadow", "backtest"]), default="live", show_default=True
)
@click.option(
    "--counters",
    help="velocity counters: memory (one worker) or redis://host:port/db, needed when several "
    "workers share a group (default: TRUSTWATCH_REDIS_URL if set, else memory)",
)
@click.option(
    "--counters-prefix",
    default="trustwatch:counters:",
    show_default=True,
    help="Redis key prefix of the counters",
)
@_prefix_option
@_partitions_option
@click.option("--batch-size", type=click.IntRange(min=1), default=500, show_default=True)
@click.option(
    "--session-timeout",
    type=click.FloatRange(min=0.5),
    default=10.0,
    show_default=True,
    help="seconds a silent worker keeps its partitions",
)
@click.option("--metrics-port", type=int, help="serve Prometheus metrics on this port")
@click.option("--max-events", type=int, help="exit after consuming this many records")
def worker(
    bus_url: str | None,
    group: str,
    store_url: str | None,
    pack: Path | None,
    mode: str,
    counters: str | None,
    counters_prefix: str,
    topic_prefix: str,
    partitions: int,
    batch_size: int,
    session_timeout: float,
    metrics_port: int | None,
    max_events: int | None,
) -> None:
    """Consume events, write one verdict (and enforcement actions) per event, commit.

    Stops on SIGTERM or SIGINT after committing the batch in flight (exit 0); exits 75
    when a persistent store or bus failure made it leave a batch uncommitted.
    """
    import gc
    import logging
    import signal
    import threading

    from trustwatch.counters import CounterStore, InMemoryCounters
    from trustwatch.engine import Engine
    from trustwatch.settings import get_settings
    from trustwatch.store.interface import InMemoryVerdictStore, VerdictStore
    from trustwatch.stream.bus import Topics, open_bus
    from trustwatch.stream.worker import Worker, WorkerConfig
    from trustwatch.verdicts import Mode

    settings = get_settings()
    logging.basicConfig(level=settings.log_level, format="%(asctime)s %(levelname)s %(message)s")
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())

    store: VerdictStore
    url = store_url or settings.store_url
    if url == "memory://":
        store = InMemoryVerdictStore()
    else:
        from trustwatch.store.sql import SqlStore

        if url.startswith("sqlite:///"):
            settings.ensure_data_dir()
        store = SqlStore(url)
        # WAL checkpoints (which sync the file) off the batch commits, as in `serve`.
        store.start_checkpointer()
    counters = counters or settings.redis_url or "memory"
    counter_store: CounterStore
    if counters == "memory":
        counter_store = InMemoryCounters()
    else:
        from trustwatch.stream.redis_counters import RedisCounters

        counter_store = RedisCounters.from_url(counters, counters_prefix)
    engine = Engine.from_path(pack or settings.pack_dir, counters=counter_store, mode=Mode(mode))
    # The engine's tables live as long as the process: keep them out of every GC pass.
    gc.collect()
    gc.freeze()
    # A batch allocates and frees hundreds of thousands of containers, and holds ~40 per
    # event (event, verdict, outputs) until it is committed: 20,000 for a batch of 500.
    # A young-generation threshold below that collects (and promotes, and collects again)
    # every batch's live objects: at 10,000 that was two collections a batch, ~20 us of
    # CPU of the worker's ~300 us per event (fast path, bench.stream's setup). Above it
    # only objects that outlive their batch add up: one collection in 30,000 events.
    gc.set_threshold(max(100_000, 50 * batch_size), 10, 10)
    topics = Topics.with_prefix(topic_prefix)
    bus = open_bus(
        _bus_url(bus_url), topics=topics, partitions=partitions, session_timeout_s=session_timeout
    )
    bus.ensure_topics(partitions)
    if metrics_port is not None:
        from prometheus_client import start_http_server

        start_http_server(metrics_port)
    consumer = bus.consumer(group, [topics.events])
    runner = Worker(engine, store, consumer, topics, WorkerConfig(batch_size=batch_size))
    try:
        clean = runner.run(stop, max_events=max_events)
    finally:
        consumer.close()
        bus.close()
        close_store = getattr(store, "close", None)
        if close_store is not None:
            close_store()
    s = runner.stats
    logging.getLogger(__name__).info(
        "worker stopped: consumed=%d verdicts=%d redelivered=%d dead_lettered=%d",
        s.consumed,
        s.verdicts,
        s.redelivered,
        s.dead_lettered,
    )
    if not clean:
        sys.exit(EXIT_ABANDONED)


@click.command()
@click.argument("source", type=click.File("rb"))
@_bus_option
@_prefix_option
@_partitions_option
@click.option("--chunk", type=click.IntRange(min=1), default=1000, show_default=True)
def produce(
    source: Any, bus_url: str | None, topic_prefix: str, partitions: int, chunk: int
) -> None:
    """Put each line of SOURCE (JSONL events; - for stdin) on the events topic, keyed by actor id.

    Lines are sent as they are, malformed ones too: the worker dead-letters those.
    """
    from trustwatch.stream.bus import OutRecord, Topics, open_bus

    topics = Topics.with_prefix(topic_prefix)
    bus = open_bus(_bus_url(bus_url), topics=topics, partitions=partitions)
    bus.ensure_topics(partitions)
    producer = bus.producer()
    sent = 0
    pending: list[OutRecord] = []
    try:
        for line in source:
            value = line.rstrip(b"\r\n")
            if not value.strip():
                continue
            pending.append(OutRecord(topics.events, _actor_key(value), value))
            if len(pending) >= chunk:
                producer.send(pending)
                sent += len(pending)
                pending = []
        producer.send(pending)
        sent += len(pending)
    finally:
        producer.close()
        bus.close()
    click.echo(f"produced {sent} records to {topics.events}", err=True)


def _actor_key(value: bytes) -> str | None:
    """The actor id, so one user's events share a partition; None for unparseable lines."""
    try:
        body = json.loads(value)
        actor = body.get("actor") if isinstance(body, dict) else None
        key = actor.get("id") if isinstance(actor, dict) else None
    except ValueError:
        return None
    return key if isinstance(key, str) else None


COMMANDS = [worker, produce]
