"""The storage interface every entry point writes verdicts through, plus its in-memory twin."""

from __future__ import annotations

import threading
from typing import Protocol

from trustwatch.enforcement import EnforcementAction
from trustwatch.events import Event
from trustwatch.verdicts import Verdict


class VerdictStore(Protocol):
    def record(self, event: Event, verdict: Verdict, actions: list[EnforcementAction]) -> bool:
        """Store event, verdict and actions atomically.

        Returns False (and changes nothing) when the event id is already stored, so a
        redelivered event never yields a second verdict or action.
        """
        ...

    def get_verdict(self, event_id: str) -> Verdict | None: ...


class InMemoryVerdictStore:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.events: dict[str, Event] = {}
        self.verdicts: dict[str, Verdict] = {}
        self.actions: dict[str, EnforcementAction] = {}

    def record(self, event: Event, verdict: Verdict, actions: list[EnforcementAction]) -> bool:
        with self._lock:
            if event.id in self.verdicts:
                return False
            self.events[event.id] = event
            self.verdicts[event.id] = verdict
            for action in actions:
                self.actions[action.id] = action
            return True

    def get_verdict(self, event_id: str) -> Verdict | None:
        return self.verdicts.get(event_id)
