"""A real engine and SQLite store with the review service, for the review tests."""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any

from trustwatch.counters import InMemoryCounters
from trustwatch.enforcement import actions_for
from trustwatch.engine import Engine
from trustwatch.events import parse_event
from trustwatch.review.domain import Role
from trustwatch.review.service import ReviewService, severities_of
from trustwatch.review.views import Reviewer
from trustwatch.store.sql import SqlStore
from trustwatch.stream.bus import MemoryBus

PASSWORD = "correct horse battery staple"


@functools.cache
def _engine() -> Engine:
    # Building the detectors is the slow part; each test still gets fresh counters.
    return Engine.from_path()


class Clock:
    def __init__(self) -> None:
        self.t = 1_790_000_000.0

    def __call__(self) -> float:
        return self.t


class World:
    """A real engine, a real SQLite store, the review service and an in-memory bus."""

    def __init__(self, tmp: Path) -> None:
        self.store = SqlStore(f"sqlite:///{tmp / 'tw.db'}")
        self.engine = _engine()
        self.engine.counters = InMemoryCounters()
        self.bus = MemoryBus()
        self.clock = Clock()
        self.service = ReviewService(
            self.store,
            severities=severities_of(self.engine.pack),
            bus=self.bus,
            clock=self.clock,
        )
        self._users: dict[str, Reviewer] = {}

    def record(self, raw: dict[str, Any]) -> str:
        event = parse_event(raw)
        verdict = self.engine.evaluate(event)
        self.store.record(event, verdict, actions_for(event, verdict))
        return verdict.action.value

    def message(self, event_id: str, text: str, actor: str = "u1") -> str:
        return self.record(
            {
                "id": event_id,
                "type": "message.sent",
                "occurred_at": "2026-11-02T10:15:00Z",
                "actor": {"id": actor, "created_at": "2026-10-30T08:00:00Z"},
                "message": {"id": f"m_{event_id}", "recipient_id": "u_buyer", "text": text},
            }
        )

    def report(self, event_id: str, target_type: str, target_id: str, reason: str) -> str:
        return self.record(
            {
                "id": event_id,
                "type": "report.filed",
                "occurred_at": "2026-11-02T11:00:00Z",
                "actor": {"id": "u_reporter"},
                "report": {
                    "id": f"rp_{event_id}",
                    "target_type": target_type,
                    "target_id": target_id,
                    "reason": reason,
                    "text": "they asked me to pay outside the app",
                },
            }
        )

    def user(self, name: str, role: Role) -> Reviewer:
        if name not in self._users:
            self.service.create_user(None, name, role, PASSWORD)
            found = self.service.authenticate(name, PASSWORD)
            assert found is not None
            self._users[name] = found
        return self._users[name]
