"""Velocity counters: distinct members of a key within a sliding time window.

Adding the same member twice counts once, so a redelivered event never inflates a
count. The in-process store is the default; ``stream.redis_counters`` scales out.

A shared store costs a round trip per event. ``SpeculativeCounters`` lets the stream
worker pay one per batch instead: it answers a batch's calls from a local mirror, then
applies them all to the shared store at once and checks each answer against what the
shared store returned; an event answered wrongly is evaluated again with the true
counts. Every event therefore sees exactly the counts that applying its adds in
order, one event after another, yields (the guarantee of the per-event calls).

The round trip need not be waited for: a shared store that offers ``send_batches``
takes a batch's calls at once and answers later, so the worker evaluates its next
batch while the shared store works through this one (``open_batch``, ``close_batch``,
``send``, then ``settle(batch)``).
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Protocol, runtime_checkable


class CounterStore(Protocol):
    def add(self, key: str, member: str, at: float, window_s: float) -> int:
        """Record ``member`` under ``key`` at time ``at``; return distinct members in window."""
        ...

    def add_many(self, adds: Sequence[tuple[str, str]], at: float, window_s: float) -> list[int]:
        """``add`` for each ``(key, member)`` in order, in one call (one round trip remotely)."""
        ...


@dataclass(frozen=True, slots=True)
class CounterCall:
    """One ``add_many`` call, kept so that it can be sent later with others."""

    adds: tuple[tuple[str, str], ...]
    at: float
    window_s: float


@runtime_checkable
class BatchCounterStore(CounterStore, Protocol):
    """A shared (remote) store that can take many ``add_many`` calls in one round trip."""

    def add_batches(self, calls: Sequence[CounterCall]) -> list[list[int]]:
        """Each call's ``add_many`` answer, applied in order."""
        ...


@runtime_checkable
class PipelinedCounterStore(BatchCounterStore, Protocol):
    """A shared store that can take a batch's calls now and give their answers later."""

    def send_batches(self, calls: Sequence[CounterCall]) -> Callable[[], list[list[int]]]:
        """Send the calls (applied in order); the returned function waits for the answers.

        The answers must be taken (the function called) before the next send.
        """
        ...


class InMemoryCounters:
    """Bounded in-process store; evicts the least recently used keys past ``max_keys``."""

    def __init__(self, max_keys: int = 200_000) -> None:
        self._data: OrderedDict[str, dict[str, float]] = OrderedDict()
        self._max_keys = max_keys

    def add(self, key: str, member: str, at: float, window_s: float) -> int:
        data = self._data
        members = data.get(key)
        if members is None:
            members = {}
            data[key] = members
            if len(data) > self._max_keys:
                data.popitem(last=False)
        else:
            data.move_to_end(key)
        # A member keeps its latest time, so an old event replayed late never refreshes it.
        last = members.get(member, at)
        members[member] = last if last > at else at
        floor = at - window_s
        count = 0
        stale: list[str] = []
        for m, t in members.items():
            if t < floor:
                stale.append(m)
            elif t <= at:
                count += 1
        for m in stale:
            del members[m]
        return count

    def add_many(self, adds: Sequence[tuple[str, str]], at: float, window_s: float) -> list[int]:
        return [self.add(key, member, at, window_s) for key, member in adds]


@dataclass
class SpeculativeBatch:
    calls: list[CounterCall]
    guesses: list[list[int]]
    # Index into ``calls`` where each event's calls start.
    starts: list[int]
    truth: list[list[int]] | None = None
    # The answers of a batch sent ahead (``SpeculativeCounters.send``), still to be read.
    pending: Callable[[], list[list[int]]] | None = None


class SpeculativeCounters:
    """A ``CounterStore`` over a shared store that answers a batch of events locally first.

    Outside ``batch()`` every call goes straight to the shared store. Inside, calls are
    answered from a local mirror of every add this process made (right whenever no
    other process touched the key) and recorded; ``settle()`` sends them all in one
    round trip and names the events whose answers were wrong, and ``replay(i)``
    answers event ``i``'s calls again with the shared store's counts. Not thread-safe:
    one per worker thread.
    """

    def __init__(self, shared: BatchCounterStore, mirror_keys: int = 200_000) -> None:
        self.shared = shared
        self._mirror = InMemoryCounters(mirror_keys)
        self._batch: SpeculativeBatch | None = None
        self._replay: tuple[list[CounterCall], list[list[int]]] | None = None

    def add(self, key: str, member: str, at: float, window_s: float) -> int:
        return self.add_many([(key, member)], at, window_s)[0]

    def add_many(self, adds: Sequence[tuple[str, str]], at: float, window_s: float) -> list[int]:
        call = CounterCall(tuple(adds), at, window_s)
        if self._replay is not None:
            calls, answers = self._replay
            if calls and calls[0] == call:
                calls.pop(0)
                return answers.pop(0)
            # Not the call recorded for this event: ask the shared store (the add is idempotent).
            return self.shared.add_many(adds, at, window_s)
        batch = self._batch
        if batch is None:
            counts = self.shared.add_many(adds, at, window_s)
            self._mirror.add_many(adds, at, window_s)
            return counts
        guess = self._mirror.add_many(adds, at, window_s)
        batch.calls.append(call)
        batch.guesses.append(guess)
        return guess

    @contextmanager
    def batch(self) -> Iterator[None]:
        """Record and answer locally until the block ends; call ``next_event`` per event."""
        self.open_batch()
        try:
            yield
        finally:
            self._batch = None

    def open_batch(self) -> SpeculativeBatch:
        """Start recording a batch (as ``batch()`` does); ``close_batch`` ends it."""
        self._batch = SpeculativeBatch([], [], [])
        return self._batch

    def close_batch(self) -> SpeculativeBatch:
        """Stop recording; the batch can still be sent, settled and replayed.

        A batch closed before the previous one is settled is answered from a mirror that
        holds the previous batch's guesses; its own settle checks those answers against
        the shared store, where the previous batch's adds have landed first.
        """
        batch = self._batch
        if batch is None:
            raise RuntimeError("close_batch() without open_batch()")
        self._batch = None
        return batch

    def send(self, batch: SpeculativeBatch) -> None:
        """Send a closed batch's calls now, when the shared store can answer later.

        ``settle(batch)`` then reads the answers; until then this process is free to
        evaluate the next batch while the shared store applies this one.
        """
        if batch.calls and batch.pending is None and isinstance(self.shared, PipelinedCounterStore):
            batch.pending = self.shared.send_batches(batch.calls)

    def next_event(self) -> None:
        """The calls from here on belong to the next event of the batch."""
        if self._batch is None:
            raise RuntimeError("next_event() is only meaningful inside batch()")
        self._batch.starts.append(len(self._batch.calls))

    def settle(self, batch: SpeculativeBatch | None = None) -> list[int]:
        """Apply the batch's calls to the shared store; the events answered wrongly.

        ``batch``: a batch from ``close_batch`` (default: the one ``batch()`` records).
        Safe to call again after a failure: the adds are idempotent, so a batch whose
        answers were lost on the way is simply sent again.
        """
        batch = batch or self._batch
        if batch is None:
            raise RuntimeError("settle() is only meaningful inside batch()")
        pending, batch.pending = batch.pending, None
        if pending is not None:
            truth = pending()
        else:
            truth = self.shared.add_batches(batch.calls) if batch.calls else []
        batch.truth = truth
        ends = [*batch.starts[1:], len(batch.calls)]
        return [
            event
            for event, (start, end) in enumerate(zip(batch.starts, ends, strict=True))
            if truth[start:end] != batch.guesses[start:end]
        ]

    def abandon(self, batch: SpeculativeBatch) -> None:
        """Forget a batch that will not be settled, reading any answers still on the way."""
        pending, batch.pending = batch.pending, None
        if pending is not None:
            try:
                pending()
            except Exception:
                # The answers are not wanted, and the adds are idempotent: resent later.
                return

    @contextmanager
    def replay(self, event: int, batch: SpeculativeBatch | None = None) -> Iterator[None]:
        """Answer event ``event``'s calls with the counts ``settle()`` got back."""
        batch = batch or self._batch
        if batch is None or batch.truth is None:
            raise RuntimeError("replay() needs a settled batch")
        start = batch.starts[event]
        end = batch.starts[event + 1] if event + 1 < len(batch.starts) else len(batch.calls)
        self._replay = (batch.calls[start:end], [list(c) for c in batch.truth[start:end]])
        try:
            yield
        finally:
            self._replay = None
