"""The group-commit verdict writer."""

from __future__ import annotations

import asyncio
import threading
import time
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


def test_jobs_handed_over_from_threads_while_the_writer_cycles_are_all_stored(
    tmp_path: Path,
) -> None:
    """The writer goes idle and wakes again many times; no hand-over may be missed."""
    store = SqlStore(f"sqlite:///{tmp_path / 'w.db'}")
    writer = VerdictWriter(store, batch_max=8, batch_wait_ms=0.2)
    writer.start()

    def hand_over(worker: int) -> None:
        for i in range(60):
            writer.submit(_item(f"evt_t{worker}_{i}"))
            if i % 7 == 0:
                time.sleep(0.002)  # let the writer run dry and go idle now and then

    try:
        threads = [threading.Thread(target=hand_over, args=(w,)) for w in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        deadline = time.monotonic() + 10
        while store.count_verdicts() < 240 and time.monotonic() < deadline:
            time.sleep(0.01)
        # Stored before stop: a missed wake-up would leave jobs waiting here.
        assert store.count_verdicts() == 240
    finally:
        writer.stop()
    store.close()


def test_a_commit_waits_for_an_idle_writer_to_wake(tmp_path: Path) -> None:
    store = SqlStore(f"sqlite:///{tmp_path / 'w.db'}")
    writer = VerdictWriter(store, batch_wait_ms=1.0)
    writer.start()

    async def one_at_a_time() -> list[bool]:
        flags = []
        for i in range(5):
            flags.append(await asyncio.wait_for(writer.commit(_item(f"evt_s{i}")), 10))
            await asyncio.sleep(0.01)  # the writer goes idle between commits
        return flags

    try:
        assert asyncio.run(one_at_a_time()) == [True] * 5
    finally:
        writer.stop()
    assert store.count_verdicts() == 5
    store.close()


def test_calls_run_on_the_writer_thread_between_commits_and_return_or_raise(
    tmp_path: Path,
) -> None:
    store = SqlStore(f"sqlite:///{tmp_path / 'w.db'}")
    writer = VerdictWriter(store, batch_max=4, batch_wait_ms=0.5)
    ran_on: list[str] = []

    def stored_now() -> int:
        ran_on.append(threading.current_thread().name)
        return store.count_verdicts()

    def fails() -> None:
        raise ValueError("no")

    writer.start()
    try:
        for i in range(30):
            writer.submit(_item(f"evt_c{i}"))
        counts = [writer.call(stored_now) for _ in range(5)]
        try:
            writer.call(fails)
            raised = False
        except ValueError:
            raised = True
    finally:
        writer.stop()
    assert ran_on == ["verdict-writer"] * 5
    assert counts == sorted(counts) and all(0 <= c <= 30 for c in counts)
    assert raised
    assert store.count_verdicts() == 30
    store.close()


def test_a_call_without_a_running_writer_runs_in_the_callers_thread(tmp_path: Path) -> None:
    store = SqlStore(f"sqlite:///{tmp_path / 'w.db'}")
    writer = VerdictWriter(store)
    here = threading.current_thread().name
    assert writer.call(lambda: threading.current_thread().name) == here
    writer.start()
    writer.stop()
    assert writer.call(lambda: threading.current_thread().name) == here
    store.close()
