"""The storage interface every entry point writes verdicts through, plus its in-memory twin.

``VerdictStore`` is the least a store offers (one event at a time). ``BatchVerdictStore``
adds the batch methods the stream worker and the API's write-behind use: one transaction
and one query per batch instead of one per event.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol, runtime_checkable

from trustwatch.enforcement import EnforcementAction
from trustwatch.events import Event
from trustwatch.verdicts import Verdict


@dataclass(frozen=True)
class Recorded:
    """One event's verdict and actions to store.

    ``verdict_json``: the verdict's JSON when the caller already has it (the stream
    worker publishes the same text), so it is not serialised twice.
    """

    event: Event
    verdict: Verdict
    actions: list[EnforcementAction]
    verdict_json: str | None = None

    def verdict_body(self) -> str:
        if self.verdict_json is not None:
            return self.verdict_json
        return self.verdict.model_dump_json()


class VerdictStore(Protocol):
    def record(self, event: Event, verdict: Verdict, actions: list[EnforcementAction]) -> bool:
        """Store event, verdict and actions atomically.

        Returns False (and changes nothing) when the event id is already stored, so a
        redelivered event never yields a second verdict or action.
        """
        ...

    def get_verdict(self, event_id: str) -> Verdict | None: ...


@runtime_checkable
class BatchVerdictStore(VerdictStore, Protocol):
    def record_many(self, items: Sequence[Recorded]) -> list[bool]:
        """``record`` for each item, all in one transaction (group commit); one flag per item.

        True for an item stored now; False for an event id stored before, or repeated
        earlier in ``items``. All or nothing: on an error nothing of the batch is stored.
        """
        ...

    def get_verdicts(self, event_ids: Sequence[str]) -> dict[str, Verdict]:
        """The stored verdicts of those ids that have one, by event id, in one query."""
        ...


class InMemoryVerdictStore:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.events: dict[str, Event] = {}
        self.verdicts: dict[str, Verdict] = {}
        self.actions: dict[str, EnforcementAction] = {}

    def record(self, event: Event, verdict: Verdict, actions: list[EnforcementAction]) -> bool:
        with self._lock:
            return self._put(Recorded(event, verdict, actions))

    def record_many(self, items: Sequence[Recorded]) -> list[bool]:
        with self._lock:
            return [self._put(item) for item in items]

    def _put(self, item: Recorded) -> bool:
        # Each method calls this rather than the other, so a subclass may override either.
        event_id = item.event.id
        if event_id in self.verdicts:
            return False
        self.events[event_id] = item.event
        self.verdicts[event_id] = item.verdict
        for action in item.actions:
            self.actions[action.id] = action
        return True

    def get_verdict(self, event_id: str) -> Verdict | None:
        return self.verdicts.get(event_id)

    def get_verdicts(self, event_ids: Sequence[str]) -> dict[str, Verdict]:
        return {i: v for i in event_ids if (v := self.verdicts.get(i)) is not None}
