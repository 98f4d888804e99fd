"""The verdict writer: one thread that stores the API's verdicts by group commit.

Requests hand their verdict over and (by default) wait until the commit that holds it
returns, so an answered ``/v1/check`` is durable; while one commit runs, the next
requests' verdicts queue up and go in the following one, so the cost of a commit is
shared. Shadow pack versions are evaluated here too, after the commit, off the
request path.

A commit has a fixed cost (SQLite writes every touched index page to the WAL) that
dwarfs a verdict's own, so under load a commit starts ``batch_wait_ms`` after the last one
ended and takes everything that came meanwhile; a writer that was idle that long commits
at once. The hand-over costs a request a deque append, and a wake-up only when the writer
is idle: under steady load no request wakes it (each wake-up is a pair of context
switches on a busy core).

Other writes to the same store from this process (the review console's case opener) can
run here too (``call``): between two group commits, in the pause before the next one,
so they never hold SQLite's write lock while a commit waits for it. Taken from a thread
of their own, such a write held the lock for as long as that thread waited for the
interpreter (it shares the GIL with the event loop), and every answer waiting on the next
group commit waited with it.
"""

from __future__ import annotations

import asyncio
import logging
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from trustwatch.engine import Engine
from trustwatch.observability import STORE_BATCH, STORE_COMMIT_SECONDS, STORE_QUEUE
from trustwatch.store.sql import Recorded, SqlStore
from trustwatch.verdicts import Verdict

log = logging.getLogger(__name__)

_QUEUE_MAX = 50_000
T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class _Job:
    item: Recorded
    future: asyncio.Future[bool] | None = None


@dataclass
class _Call(Generic[T]):
    """A function to run on the writer thread; whoever claims it first runs it."""

    fn: Callable[[], T]
    done: threading.Event = field(default_factory=threading.Event)
    result: T | None = None
    error: BaseException | None = None
    _claim: threading.Lock = field(default_factory=threading.Lock)

    def run(self) -> None:
        """Run ``fn`` unless it was claimed already (by the writer or the caller)."""
        if not self._claim.acquire(blocking=False):
            return
        try:
            self.result = self.fn()
        except BaseException as exc:
            self.error = exc
        finally:
            self.done.set()


class WriterFullError(Exception):
    """The writer's queue is full: the store cannot keep up."""


class VerdictWriter:
    def __init__(
        self, store: SqlStore, *, batch_max: int = 256, batch_wait_ms: float = 0.0
    ) -> None:
        self.store = store
        self.batch_max = batch_max
        self.batch_wait_s = batch_wait_ms / 1000.0
        self.shadow_engines: tuple[Engine, ...] = ()
        # deque appends and pops are atomic, so submitters take no lock.
        self._jobs: deque[_Job] = deque()
        self._calls: deque[_Call[Any]] = deque()
        self._wake = threading.Event()
        self._idle = False
        self._stopping = False
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        if self._thread is None:
            self._stopping = False
            self._thread = threading.Thread(target=self._run, name="verdict-writer", daemon=True)
            self._thread.start()

    def stop(self) -> None:
        """Store everything queued, then end the thread."""
        if self._thread is not None:
            self._stopping = True
            self._wake.set()
            self._thread.join(timeout=30)
            self._thread = None

    def submit(self, item: Recorded, future: asyncio.Future[bool] | None = None) -> None:
        """Queue ``item``; ``future`` (of the caller's loop) gets the outcome of its commit."""
        if len(self._jobs) >= _QUEUE_MAX:
            raise WriterFullError
        self._jobs.append(_Job(item, future))
        # Only an idle writer is woken; a busy one finds the job when it next drains.
        if self._idle:
            self._wake.set()

    def call(self, fn: Callable[[], T]) -> T:
        """Run ``fn`` (a write to the store) on the writer thread between group commits,
        wait for it and return its result or raise its error.

        Runs ``fn`` in the calling thread when the writer is not running (or stops before
        taking it), so a caller never waits on a writer that is gone.
        """
        thread = self._thread
        if thread is None or self._stopping or threading.current_thread() is thread:
            return fn()
        task: _Call[T] = _Call(fn)
        self._calls.append(task)
        if self._idle:
            self._wake.set()
        while not task.done.wait(0.5):
            if self._thread is not thread or not thread.is_alive():
                task.run()  # the writer stopped without taking it
        if task.error is not None:
            raise task.error
        return task.result  # type: ignore[return-value]

    async def commit(self, item: Recorded) -> bool:
        """Queue ``item`` and wait for its commit; True if new, False if already stored."""
        future: asyncio.Future[bool] = asyncio.get_running_loop().create_future()
        self.submit(item, future)
        return await future

    def _run(self) -> None:
        last_end = float("-inf")
        while True:
            if not self._jobs and not self._calls and not self._stopping:
                self._idle = True
                # Checked again after raising the flag: a job submitted just before it was
                # raised did not signal, and must not wait for the next one.
                if not self._jobs and not self._calls and not self._stopping:
                    self._wake.wait()
                self._wake.clear()
                self._idle = False
            # Other writes go in the pause after a commit, which the group waits out anyway.
            self._run_calls()
            # At least ``batch_wait`` between one commit's end and the next one's start: a
            # writer idle for that long commits at once (no added latency at low rates); a
            # busy one lets the group fill, and the slower commits get the larger the groups.
            delay = last_end + self.batch_wait_s - time.monotonic()
            if delay > 0.0 and not self._stopping:
                time.sleep(delay)
            jobs = self._take()
            if jobs:
                STORE_QUEUE.set(len(self._jobs))
                self._commit(jobs)
                self._shadow([j.item for j in jobs])
                last_end = time.monotonic()
            if self._stopping and not self._jobs:
                self._run_calls()
                return

    def _run_calls(self) -> None:
        while self._calls:
            self._calls.popleft().run()

    def _take(self) -> list[_Job]:
        jobs: list[_Job] = []
        popleft = self._jobs.popleft
        while len(jobs) < self.batch_max:
            try:
                jobs.append(popleft())
            except IndexError:
                break
        return jobs

    def _commit(self, jobs: list[_Job]) -> None:
        started = time.perf_counter()
        results: list[bool] | None = None
        error: BaseException | None = None
        for attempt in range(5):
            try:
                results = self.store.record_many([j.item for j in jobs])
                break
            except Exception as exc:
                error = exc
                log.warning("group commit failed (attempt %d): %s", attempt + 1, exc)
                time.sleep(0.05 * 2**attempt)
        STORE_COMMIT_SECONDS.observe(time.perf_counter() - started)
        STORE_BATCH.observe(len(jobs))
        # One wake-up per event loop for the whole group, not one per request.
        by_loop: dict[asyncio.AbstractEventLoop, list[tuple[asyncio.Future[bool], Any]]] = {}
        for i, job in enumerate(jobs):
            if job.future is not None:
                outcome = results[i] if results is not None else error or RuntimeError("failed")
                by_loop.setdefault(job.future.get_loop(), []).append((job.future, outcome))
        for loop, settled in by_loop.items():
            loop.call_soon_threadsafe(_settle, settled)

    def _shadow(self, items: list[Recorded]) -> None:
        engines = self.shadow_engines
        if not engines:
            return
        verdicts: list[Verdict] = []
        for engine in engines:
            for item in items:
                try:
                    verdicts.append(engine.evaluate(item.event))
                except Exception:
                    log.exception("shadow pack %s failed on an event", engine.pack.ref)
        try:
            self.store.record_shadow(verdicts)
        except Exception:
            log.exception("shadow verdicts could not be stored")


def _settle(settled: list[tuple[asyncio.Future[bool], bool | BaseException]]) -> None:
    for future, outcome in settled:
        if future.done():
            continue
        if isinstance(outcome, BaseException):
            future.set_exception(outcome)
        else:
            future.set_result(outcome)
