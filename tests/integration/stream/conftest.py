"""Fixtures of the stream fault tests (helpers live in ``faults.py``)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from faults import PACK_DIR, SESSION_TIMEOUT_S, Setup, Tansu, WorkerProcess

from trustwatch.store.sql import SqlStore
from trustwatch.stream.bus import Topics, open_bus


@pytest.fixture
def tansu(tmp_path: Path) -> Iterator[Tansu]:
    broker = Tansu(tmp_path)
    broker.start()
    yield broker
    broker.stop()
    broker.relay.close()


@pytest.fixture(params=["sqlite", pytest.param("kafka", marks=pytest.mark.kafka)])
def setup(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Setup]:
    pack = PACK_DIR
    topics = Topics.with_prefix("ft")
    broker: Tansu | None = None
    if request.param == "kafka":
        broker = request.getfixturevalue("tansu")
        bus_url = broker.url
    else:
        bus_url = f"sqlite:///{tmp_path / 'bus.db'}"
    bus = open_bus(bus_url, topics=topics, partitions=4, session_timeout_s=SESSION_TIMEOUT_S)
    bus.ensure_topics(4)
    store_url = f"sqlite:///{tmp_path / 'store.db'}"
    store = SqlStore(store_url)  # migrate once here, not in two workers at the same time
    yield Setup(request.param, bus_url, bus, topics, store_url, store, pack, tmp_path, broker)
    store.close()


@pytest.fixture
def workers() -> Iterator[Callable[..., WorkerProcess]]:
    started: list[WorkerProcess] = []

    def start(s: Setup, name: str, *extra: str) -> WorkerProcess:
        w = WorkerProcess(s, name, *extra)
        started.append(w)
        return w

    yield start
    for w in started:
        w.stop_quietly()
