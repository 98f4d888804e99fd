"""SqlStore on the machine's PostgreSQL: migrations, idempotency under concurrency, audit chain."""

from __future__ import annotations

import multiprocessing
from typing import Any

import pytest
from sqlalchemy import create_engine, inspect, text
from sqlalchemy.exc import DBAPIError

from trustwatch.enforcement import actions_for
from trustwatch.events import Event, parse_event
from trustwatch.store import migrate
from trustwatch.store.sql import Recorded, SqlStore
from trustwatch.verdicts import Action, PolicyDecision, SignalOut, Verdict

pytestmark = pytest.mark.postgres


def _event(event_id: str, text_: str = "click here to win") -> Event:
    return parse_event(
        {
            "id": event_id,
            "type": "message.sent",
            "occurred_at": "2026-11-02T10:15:00Z",
            "actor": {"id": "u_1"},
            "message": {"id": f"m_{event_id}", "text": text_},
        }
    )


def _verdict(event: Event) -> Verdict:
    """A fixed verdict (the store is under test here, not detection)."""
    flagged = "click here" in event.text_fields().get("message.text", "")
    decision = PolicyDecision(
        policy="spam",
        score=0.6 if flagged else 0.0,
        action=Action.REVIEW if flagged else Action.ALLOW,
        mode="live",
        signals=[SignalOut(detector="phrase_list", score=0.6)] if flagged else [],
    )
    return Verdict(
        event_id=event.id,
        action=decision.action,
        policies=[decision],
        pack_version="marketplace@1",
    )


def _record(store: SqlStore, event: Event) -> bool:
    verdict = _verdict(event)
    return store.record(event, verdict, actions_for(event, verdict))


def _hammer(url: str, ids: list[str], out: Any) -> None:
    store = SqlStore(url)
    out.put([_record(store, _event(i)) for i in ids])
    store.close()


def test_migrations_up_and_down_on_postgres(pg_url: str) -> None:
    engine = create_engine(pg_url)
    migrate.upgrade(engine)
    tables = set(inspect(engine).get_table_names())
    assert {"events", "verdicts", "signals", "actions", "pack_versions", "audit_log"} <= tables
    migrate.downgrade(engine, "base")
    assert set(inspect(engine).get_table_names()) <= {"alembic_version"}
    migrate.upgrade(engine)
    assert migrate.current_revisions(engine) == migrate.head_revisions()
    engine.dispose()


def test_record_is_idempotent_and_reads_back(pg_url: str) -> None:
    store = SqlStore(pg_url)
    event = _event("evt_pg_1")
    assert _record(store, event) is True
    assert _record(store, event) is False
    verdict = store.get_verdict("evt_pg_1")
    assert verdict is not None and verdict.action == "review"
    assert [a.event_id for a in store.entity_history("user", "u_1").actions] == ["evt_pg_1"]
    store.close()


def test_concurrent_processes_store_each_event_once_on_postgres(pg_url: str) -> None:
    SqlStore(pg_url).close()
    ctx = multiprocessing.get_context("spawn")
    out = ctx.Queue()
    shared = [f"evt_pp_{i}" for i in range(40)]
    procs = [ctx.Process(target=_hammer, args=(pg_url, shared, out)) for _ in range(3)]
    for p in procs:
        p.start()
    for p in procs:
        p.join(timeout=120)
        assert p.exitcode == 0
    flags = [out.get(timeout=5) for _ in procs]
    assert [sum(f[i] for f in flags) for i in range(len(shared))] == [1] * len(shared)
    store = SqlStore(pg_url)
    assert store.count_verdicts() == len(shared)
    store.close()


def test_audit_chain_detects_tampering_on_postgres(pg_url: str) -> None:
    store = SqlStore(pg_url)
    store.create_api_key("ops", ["admin"])
    for i in range(3):
        store.audit("alice", "review.decided", f"case:{i}", {"n": i})
    assert store.verify_audit_chain().ok
    with pytest.raises(DBAPIError, match="append-only"), store.engine.begin() as conn:
        conn.execute(text("UPDATE audit_log SET actor = 'mallory' WHERE seq = 2"))
    # Someone with direct database access can drop the guard; the hash chain still shows it.
    with store.engine.begin() as conn:
        conn.execute(text("DROP TRIGGER audit_log_append_only ON audit_log"))
        conn.execute(text("UPDATE audit_log SET actor = 'mallory' WHERE seq = 2"))
    check = store.verify_audit_chain()
    assert (check.ok, check.first_bad_seq) == (False, 2)
    store.close()


def test_record_many_and_get_verdicts_on_postgres(pg_url: str) -> None:
    store = SqlStore(pg_url)
    events = [_event(f"evt_pgm_{i}") for i in range(30)]
    verdicts = [_verdict(e) for e in events]
    items = [
        Recorded(e, v, actions_for(e, v), v.model_dump_json())
        for e, v in zip(events, verdicts, strict=True)
    ]
    assert store.record_many(items[:10]) == [True] * 10
    assert store.record_many([*items, items[12]]) == [False] * 10 + [True] * 20 + [False]
    found = store.get_verdicts([e.id for e in events[::4]] + ["evt_pgm_missing"])
    assert found == {e.id: v for e, v in zip(events[::4], verdicts[::4], strict=True)}
    store.close()
