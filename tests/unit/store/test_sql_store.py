"""SqlStore on SQLite: idempotent verdicts, history, keys, packs, audit chain, migrations."""

from __future__ import annotations

import multiprocessing
import threading
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, inspect, text
from sqlalchemy.exc import DBAPIError

from trustwatch.enforcement import actions_for
from trustwatch.errors import ConfigError
from trustwatch.events import Event, parse_event
from trustwatch.store import migrate
from trustwatch.store.sql import Recorded, SqlStore, StoreConflictError, StoreNotFoundError
from trustwatch.verdicts import Action, PolicyDecision, SignalOut, Verdict


def _event(event_id: str, text_: str = "is this still available?", **kw: Any) -> Event:
    raw: dict[str, Any] = {
        "id": event_id,
        "type": "message.sent",
        "occurred_at": "2026-11-02T10:15:00Z",
        "actor": {"id": kw.get("actor", "u_1")},
        "message": {"id": f"m_{event_id}", "text": text_},
    }
    return parse_event(raw)


def _listing(event_id: str, listing_id: str, title: str) -> Event:
    return parse_event(
        {
            "id": event_id,
            "type": "listing.created",
            "occurred_at": "2026-11-02T11:00:00Z",
            "actor": {"id": "u_seller"},
            "listing": {"id": listing_id, "title": title},
        }
    )


def _verdict(event: Event) -> Verdict:
    """A fixed verdict (the store is under test here, not detection)."""
    flagged = "click here" in event.text_fields().get("message.text", "") or (
        event.listing is not None and "click here" in event.listing.title
    )
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


def _recorded(event: Event) -> Recorded:
    verdict = _verdict(event)
    return Recorded(event, verdict, actions_for(event, verdict))


def _record(store: SqlStore, event: Event) -> bool:
    item = _recorded(event)
    return store.record(item.event, item.verdict, item.actions)


@pytest.fixture
def store(tmp_path: Path) -> SqlStore:
    s = SqlStore(f"sqlite:///{tmp_path / 'tw.db'}")
    yield s
    s.close()


def _count(store: SqlStore, table: str) -> int:
    with store.engine.connect() as conn:
        return int(conn.execute(text(f"SELECT count(*) FROM {table}")).scalar_one())


def test_record_is_idempotent_by_event_id(store: SqlStore) -> None:
    event = _event("evt_1", "click here to win a prize")
    assert _record(store, event) is True
    assert _record(store, event) is False
    assert _count(store, "events") == 1
    assert _count(store, "verdicts") == 1
    assert _count(store, "actions") == 1


def test_recorded_verdict_reads_back_equal(store: SqlStore) -> None:
    item = _recorded(_event("evt_2", "click here to win free followers"))
    store.record(item.event, item.verdict, item.actions)
    assert store.get_verdict("evt_2") == item.verdict
    assert store.get_event("evt_2") == item.event
    assert store.get_verdict("evt_missing") is None


def test_record_many_flags_duplicates_within_one_batch(store: SqlStore) -> None:
    a, b = _recorded(_event("evt_a")), _recorded(_event("evt_b"))
    assert store.record_many([a, b, a]) == [True, True, False]
    assert store.count_verdicts() == 2


def test_record_many_tells_new_from_stored_events_across_a_large_batch(store: SqlStore) -> None:
    events = [_event(f"evt_big_{i}") for i in range(300)]
    store.record_many([_recorded(e) for e in events[::2]])
    assert store.record_many([_recorded(e) for e in events]) == [i % 2 == 1 for i in range(300)]
    assert store.count_verdicts() == 300
    assert _count(store, "events") == 300


def test_get_verdicts_reads_many_at_once_and_skips_unknown_ids(store: SqlStore) -> None:
    items = [_recorded(_event(f"evt_gv_{i}", "click here to win")) for i in range(700)]
    store.record_many(items)
    wanted = [f"evt_gv_{i}" for i in range(0, 700, 3)] + ["evt_nowhere", "evt_gv_0"]
    found = store.get_verdicts(wanted)
    assert set(found) == {f"evt_gv_{i}" for i in range(0, 700, 3)}
    assert found["evt_gv_3"] == items[3].verdict
    assert store.get_verdicts([]) == {}


def test_a_verdict_json_given_by_the_caller_is_stored_as_the_body(store: SqlStore) -> None:
    item = _recorded(_event("evt_vj", "click here to win"))
    text_ = item.verdict.model_copy(update={"latency_ms": 12.5}).model_dump_json()
    store.record_many([Recorded(item.event, item.verdict, item.actions, text_)])
    stored = store.get_verdict("evt_vj")
    assert stored is not None and stored.latency_ms == 12.5


def test_the_sqlite_batch_path_stores_what_the_generic_path_reads(store: SqlStore) -> None:
    event = parse_event(
        {
            "id": "evt_rows",
            "type": "listing.created",
            "occurred_at": "2026-11-02T11:00:00.123456Z",
            "actor": {"id": "u_rows"},
            "listing": {"id": "l_rows", "title": "click here for the bag"},
        }
    )
    item = _recorded(event)
    assert store.record_many([item]) == [True]
    history = store.entity_history("listing", "l_rows")
    assert [(v.event_id, v.occurred_at, v.verdict) for v in history.verdicts] == [
        ("evt_rows", event.occurred_at, item.verdict)
    ]
    assert history.actions == item.actions
    assert store.get_event("evt_rows") == event
    with store.engine.connect() as conn:
        signal = conn.execute(text("SELECT event_id, policy, detector, score FROM signals"))
        assert [tuple(r) for r in signal] == [("evt_rows", "spam", "phrase_list", 0.6)]
        stamps = conn.execute(text("SELECT occurred_at FROM events")).scalar_one()
    # SQLAlchemy's own text form of a DateTime on SQLite, so its other queries compare right.
    assert stamps == "2026-11-02 11:00:00.123456"


def test_entity_history_finds_user_and_listing(store: SqlStore) -> None:
    _record(store, _event("evt_m", "click here to win", actor="u_9"))
    _record(store, _listing("evt_l", "l_1", "free followers click here to win"))
    user = store.entity_history("user", "u_9")
    assert [v.event_id for v in user.verdicts] == ["evt_m"]
    assert [a.event_id for a in user.actions] == ["evt_m"]
    listing = store.entity_history("listing", "l_1")
    assert [v.event_id for v in listing.verdicts] == ["evt_l"]
    assert listing.actions and listing.actions[0].target_id == "l_1"
    assert store.entity_history("listing", "l_other").verdicts == []


def test_shadow_verdicts_are_kept_per_pack_version(store: SqlStore) -> None:
    verdict = Verdict(event_id="evt_s", action="block", pack_version="marketplace@2")
    store.record_shadow([verdict, verdict])
    assert store.shadow_verdicts("evt_s") == [verdict]


def _hammer(url: str, ids: list[str], out: Any) -> None:
    store = SqlStore(url)
    out.put([_record(store, _event(i)) for i in ids])
    store.close()


def test_concurrent_threads_store_each_event_once(store: SqlStore) -> None:
    shared = [f"evt_shared_{i}" for i in range(30)]
    results: list[list[bool]] = []
    lock = threading.Lock()

    def work(n: int) -> None:
        own = [f"evt_t{n}_{i}" for i in range(10)]
        flags = [_record(store, _event(i)) for i in shared + own]
        with lock:
            results.append(flags[: len(shared)])

    threads = [threading.Thread(target=work, args=(n,)) for n in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert _count(store, "events") == 30 + 6 * 10
    assert _count(store, "verdicts") == 30 + 6 * 10
    wins_per_id = [sum(r[i] for r in results) for i in range(len(shared))]
    assert wins_per_id == [1] * len(shared)


def test_concurrent_processes_store_each_event_once(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'multi.db'}"
    SqlStore(url).close()
    ctx = multiprocessing.get_context("spawn")
    out = ctx.Queue()
    shared = [f"evt_p_{i}" for i in range(40)]
    procs = [ctx.Process(target=_hammer, args=(url, shared, out)) for _ in range(3)]
    for p in procs:
        p.start()
    for p in procs:
        p.join(timeout=120)
        assert p.exitcode == 0
    flags = [out.get(timeout=5) for _ in procs]
    assert [sum(f[i] for f in flags) for i in range(len(shared))] == [1] * len(shared)
    store = SqlStore(url)
    assert _count(store, "events") == len(shared)
    store.close()


def _drop_audit_guard(store: SqlStore) -> None:
    """What someone with direct write access to the database could do."""
    with store.engine.begin() as conn:
        conn.execute(text("DROP TRIGGER audit_log_no_update"))
        conn.execute(text("DROP TRIGGER audit_log_no_delete"))


def test_audit_log_refuses_updates_and_deletes(store: SqlStore) -> None:
    store.audit("alice", "pack.promoted", "pack:p@2")
    for statement in ("UPDATE audit_log SET actor = 'mallory'", "DELETE FROM audit_log"):
        with pytest.raises(DBAPIError, match="append-only"), store.engine.begin() as conn:
            conn.execute(text(statement))
    assert [e.actor for e in store.audit_entries()] == ["alice"]


def test_audit_chain_verifies_and_shows_an_edited_entry(store: SqlStore) -> None:
    for i in range(5):
        store.audit("alice", "review.decided", f"case:{i}", {"decision": "remove"})
    assert store.verify_audit_chain().ok
    _drop_audit_guard(store)
    with store.engine.begin() as conn:
        conn.execute(text('UPDATE audit_log SET details = \'{"decision":"keep"}\' WHERE seq = 3'))
    check = store.verify_audit_chain()
    assert not check.ok
    assert check.first_bad_seq == 3
    assert "changed" in check.reason


def test_audit_chain_shows_a_removed_entry(store: SqlStore) -> None:
    for i in range(4):
        store.audit("bob", "pack.promoted", f"pack:p@{i}")
    _drop_audit_guard(store)
    with store.engine.begin() as conn:
        conn.execute(text("DELETE FROM audit_log WHERE seq = 2"))
    check = store.verify_audit_chain()
    assert (check.ok, check.first_bad_seq) == (False, 3)


def test_api_keys_are_stored_hashed_and_revocable(store: SqlStore) -> None:
    from trustwatch.store.sql import hash_api_key

    record, plaintext = store.create_api_key("backend", ["check", "read"])
    assert record.scopes == {"check", "read"}
    with store.engine.connect() as conn:
        stored = conn.execute(text("SELECT key_hash FROM api_keys")).scalar_one()
    assert plaintext not in stored
    assert store.find_api_key(hash_api_key(plaintext)) == record
    store.revoke_api_key(record.id)
    assert store.find_api_key(hash_api_key(plaintext)) is None
    assert [e.action for e in store.audit_entries()] == ["api_key.created", "api_key.revoked"]
    with pytest.raises(StoreNotFoundError):
        store.revoke_api_key(record.id)


def test_unknown_scope_is_refused_with_the_valid_ones(store: SqlStore) -> None:
    with pytest.raises(ConfigError, match="choose from check, ingest, read, admin"):
        store.create_api_key("x", ["check", "root"])


def test_pack_versions_upload_as_shadow_and_promotion_retires_the_old(store: SqlStore) -> None:
    store.add_pack_version("marketplace", 2, "pack: marketplace\nversion: 2\n", actor="alice")
    store.add_pack_version("marketplace", 3, "pack: marketplace\nversion: 3\n", actor="alice")
    assert [p.status for p in store.list_pack_versions()] == ["shadow", "shadow"]
    with pytest.raises(StoreConflictError):
        store.add_pack_version("marketplace", 2, "x", actor="alice")
    store.promote_pack_version("marketplace", 2, actor="alice")
    store.promote_pack_version("marketplace", 3, actor="bob")
    live = store.live_pack_version()
    assert live is not None and live.ref == "marketplace@3"
    assert store.get_pack_version("marketplace", 2).status == "retired"  # type: ignore[union-attr]
    assert [e.action for e in store.audit_entries()][-2:] == ["pack.promoted", "pack.promoted"]
    assert store.verify_audit_chain().ok


def test_migrations_go_down_to_nothing_and_up_again(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'mig.db'}"
    engine = create_engine(url)
    migrate.upgrade(engine)
    assert {"events", "verdicts", "audit_log", "api_keys"} <= set(inspect(engine).get_table_names())
    assert migrate.current_revisions(engine) == migrate.head_revisions() >= {"0002"}
    migrate.downgrade(engine, "base")
    assert set(inspect(engine).get_table_names()) <= {"alembic_version"}
    migrate.upgrade(engine)
    assert "verdicts" in inspect(engine).get_table_names()
    engine.dispose()


def test_unsupported_database_url_says_what_to_use() -> None:
    with pytest.raises(ConfigError, match="postgresql"):
        SqlStore("mysql://x@localhost/db")


def test_background_checkpointer_takes_checkpoints_out_of_commits(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'ckpt.db'}"
    store = SqlStore(url)
    store.start_checkpointer(interval_s=0.05)
    with store.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA wal_autocheckpoint").scalar_one() == 0
    for i in range(30):
        _record(store, _event(f"evt_c{i}"))
    store.close()
    reopened = SqlStore(url)
    assert reopened.count_verdicts() == 30
    with reopened.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA wal_autocheckpoint").scalar_one() == 1000
    reopened.close()
