"""The group-commit verdict writer."""

from __future__ import annotations

import asyncio
from pathlib import Path

from trustwatch.api.writer import VerdictWriter
from trustwatch.events import parse_event
from trustwatch.store.sql import Recorded, SqlStore
from trustwatch.verdicts import Action, Verdict


def _item(event_id: str) -> Recorded:
    event = parse_event(
        {
            "id": event_id,
            "type": "message.sent",
            "occurred_at": "2026-11-02T10:15:00Z",
            "actor": {"id": "u_1"},
            "message": {"id": "m_1", "text": "hi"},
        }
    )
    return Recorded(event, Verdict(event_id=event_id, action=Action.ALLOW, pack_version="p@1"), [])


def test_concurrent_commits_each_learn_whether_they_were_new(tmp_path: Path) -> None:
    store = SqlStore(f"sqlite:///{tmp_path / 'w.db'}")
    writer = VerdictWriter(store, batch_max=16)
    writer.start()

    async def run() -> list[bool]:
        items = [_item(f"evt_{i % 40}") for i in range(80)]
        return await asyncio.gather(*(writer.commit(item) for item in items))

    try:
        flags = asyncio.run(run())
    finally:
        writer.stop()
    assert sum(flags) == 40
    assert store.count_verdicts() == 40
    store.close()


def test_stop_stores_what_was_queued(tmp_path: Path) -> None:
    store = SqlStore(f"sqlite:///{tmp_path / 'w.db'}")
    writer = VerdictWriter(store)
    for i in range(25):
        writer.submit(_item(f"evt_q{i}"))
    writer.start()
    writer.stop()
    assert store.count_verdicts() == 25
    store.close()
