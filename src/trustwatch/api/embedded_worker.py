"""The stream worker run as a thread inside ``trustwatch serve`` (one process, zero set-up)."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import Any

from trustwatch.api.service import TrustService
from trustwatch.engine import Engine
from trustwatch.observability import watch_engine

log = logging.getLogger(__name__)


class EmbeddedWorker:
    """Consumes the service's bus with ``trustwatch.stream.worker.Worker`` in a thread.

    A promoted pack reaches it through ``TrustService.engine_listeners``.
    """

    def __init__(self, service: TrustService, *, group: str = "trustwatch") -> None:
        self.service = service
        self.group = group
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._worker: Any = None
        service.engine_listeners.append(self._swap_engine)

    @property
    def alive(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def start(self) -> None:
        from trustwatch.stream.worker import Worker

        bus = self.service.open_bus()
        consumer = bus.consumer(self.group, [bus.topics.events])
        self._worker = Worker(
            self.service.live_engine_factory(), self.service.store, consumer, bus.topics
        )
        watch_engine("worker", lambda: self._worker.engine if self._worker else None)
        self._thread = threading.Thread(target=self._run, args=(consumer,), name="bus-worker")
        self._thread.daemon = True
        self._thread.start()

    def _run(self, consumer: Any) -> None:
        try:
            self._worker.run(self._stop)
        except Exception:
            log.exception("the embedded worker stopped on an error")
        finally:
            consumer.close()

    def _swap_engine(self, make_engine: Callable[[], Engine]) -> None:
        if self._worker is not None:
            engine = make_engine()
            engine.counters = self._worker.engine.counters
            # One attribute assignment: the worker picks it up at its next record.
            self._worker.engine = engine

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=30)
            self._thread = None
