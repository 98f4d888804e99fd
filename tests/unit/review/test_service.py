from __future__ import annotations

import json
import threading
from collections.abc import Sequence
from datetime import timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner
from review_world import PASSWORD, World
from sqlalchemy import event, select, update

from trustwatch.cli import main
from trustwatch.review import opening
from trustwatch.review.domain import (
    CaseStateError,
    CaseStatus,
    DecisionInput,
    Entity,
    Outcome,
    PermissionDeniedError,
    Role,
)
from trustwatch.review.labels import export_labels
from trustwatch.review.models import CASE_EVENTS, CASES
from trustwatch.review.service import ReviewService
from trustwatch.store.models import VerdictRow
from trustwatch.stream.bus import BusUnavailableError, MemoryBus, MemoryProducer, OutRecord
from trustwatch.stream.worker import Worker
from trustwatch.verdicts import Action

FF = "hey! pay me on paypal f&f and i'll ship today"
HANDLE = "cheaper if you pay direct, my paypal is paypal.me/janedoe"
BENIGN = "nice jacket, is it still available?"


def _violation(action: Action = Action.BLOCK, reason: str = "asks for F&F") -> DecisionInput:
    return DecisionInput(Outcome.VIOLATION, action, reason)


def test_cases_open_once_from_verdicts_stored_by_any_writer(world: World) -> None:
    assert world.message("e1", FF) == "review"
    assert world.message("e2", BENIGN, actor="u2") == "allow"
    assert world.service.sync_cases() == 1
    assert world.service.sync_cases() == 0
    [case] = world.service.queue(world.user("ann", Role.ANALYST))
    assert (case.policy, case.entity, case.source, case.auto_action) == (
        "off_platform",
        Entity("user", "u1"),
        "verdict",
        "review",
    )


def test_flags_about_one_entity_share_one_case_and_raise_its_priority(world: World) -> None:
    world.message("e1", FF)
    world.service.sync_cases()
    [first] = world.service.queue(world.user("ann", Role.ANALYST))
    world.message("e2", HANDLE)
    world.service.sync_cases()
    [case] = world.service.queue(world.user("ann", Role.ANALYST))
    assert case.id == first.id
    assert case.items == 2
    assert case.auto_action == "hold"
    world.report("r1", "message", "m_e2", "off_platform")
    world.service.sync_cases()
    [reported] = world.service.queue(world.user("ann", Role.ANALYST))
    assert reported.id == first.id
    assert reported.reports == 1
    assert reported.priority > first.priority


def test_a_report_opens_a_case_with_the_reported_content_even_when_it_was_allowed(
    world: World,
) -> None:
    world.message("e1", BENIGN, actor="u7")
    world.report("r1", "message", "m_e1", "off_platform")
    assert world.service.sync_cases() == 1
    analyst = world.user("ann", Role.ANALYST)
    [case] = world.service.queue(analyst)
    assert (case.entity, case.source, case.actor_id) == (Entity("user", "u7"), "report", "u7")
    view = world.service.case_view(analyst, case.id)
    assert [(i.event.id, i.source) for i in view.items] == [("r1", "report"), ("e1", "content")]


def test_the_case_view_highlights_evidence_in_the_original_text(world: World) -> None:
    world.message("e1", HANDLE)
    world.service.sync_cases()
    analyst = world.user("ann", Role.ANALYST)
    [case] = world.service.queue(analyst)
    view = world.service.case_view(analyst, case.id)
    [field] = view.items[0].fields
    marked = [s.text for s in field.segments if s.highlighted]
    assert "paypal.me/janedoe" in marked
    assert "".join(s.text for s in field.segments) == HANDLE
    assert view.user is not None
    assert view.user.account_age_days(world.clock()) is not None


def test_claim_next_takes_the_highest_priority_case_and_never_one_claimed_by_another(
    world: World,
) -> None:
    world.message("e1", FF, actor="u1")
    world.message("e2", HANDLE, actor="u2")
    world.service.sync_cases()
    mo, jo = world.user("mo", Role.MODERATOR), world.user("jo", Role.MODERATOR)
    by_priority = [c.id for c in world.service.queue(mo)]
    assert world.service.claim_next(mo) == by_priority[0]
    assert world.service.claim_next(mo) == by_priority[0]
    assert world.service.claim_next(jo) == by_priority[1]
    assert world.service.claim_next(jo) == by_priority[1]
    with pytest.raises(CaseStateError, match="claimed by mo"):
        world.service.decide(jo, by_priority[0], _violation())
    world.clock.t += world.service.claim_ttl_s + 1
    world.service.decide(jo, by_priority[1], _violation())
    assert world.service.claim_next(jo) == by_priority[0]


def test_a_decision_closes_the_case_labels_its_items_audits_and_enforces_through_the_bus(
    world: World,
) -> None:
    world.message("e1", FF)
    world.message("e2", HANDLE)
    world.service.sync_cases()
    mo = world.user("mo", Role.MODERATOR)
    case_id = world.service.claim_next(mo)
    assert case_id is not None
    world.service.decide(mo, case_id, _violation(Action.HOLD))
    [case] = [c for c in world.service.queue(mo)] or [None]
    assert case is None
    sent = [json.loads(r.value) for r in world.bus.read_all(world.bus.topics.actions)]
    assert sorted((a["target_id"], a["operation"]) for a in sent) == [
        ("m_e1", "withhold_message"),
        ("m_e2", "withhold_message"),
    ]
    assert world.service.pending_enforcement() == []
    labels = export_labels(world.store.url)
    assert [(r["id"], r["label"]["policy"], r["label"]["value"]) for r in labels] == [
        ("e1", "off_platform", 1),
        ("e2", "off_platform", 1),
    ]
    assert labels[0]["message"]["text"] == FF
    assert labels[0]["label"]["reviewer"] == "mo"
    entries = [e for e in world.store.audit_entries() if e.action == "review.decided"]
    assert [(e.actor, e.subject, e.details["outcome"]) for e in entries] == [
        ("mo", f"case:{case_id}", "violation")
    ]
    assert world.store.verify_audit_chain().ok


def test_an_appeal_reopens_the_case_for_a_different_reviewer_and_counts_the_overturn(
    world: World,
) -> None:
    world.message("e1", HANDLE)
    world.service.sync_cases()
    mo, jo = world.user("mo", Role.MODERATOR), world.user("jo", Role.MODERATOR)
    case_id = world.service.claim_next(mo)
    assert case_id is not None
    world.service.decide(mo, case_id, _violation(Action.BLOCK))
    with pytest.raises(CaseStateError, match="already decided"):
        world.service.decide(jo, case_id, _violation())
    world.service.record_appeal(mo, case_id, "it was a joke", filed_by="u1")
    assert world.service.claim_next(mo) is None
    with pytest.raises(CaseStateError, match="your own decision"):
        world.service.decide(mo, case_id, _violation())
    assert world.service.claim_next(jo) == case_id
    world.service.decide(jo, case_id, DecisionInput(Outcome.NOT_VIOLATION, None, "joke"))
    [label] = export_labels(world.store.url)
    assert (label["label"]["value"], label["label"]["reviewer"]) == (0, "jo")
    sent = [json.loads(r.value)["operation"] for r in world.bus.read_all(world.bus.topics.actions)]
    assert sent == ["block_message", "release_message"]
    precision = world.service.precision(mo)["off_platform"]
    assert (precision.violations, precision.appeals, precision.appeals_overturned) == (1, 1, 1)
    assert precision.precision == 1.0


def test_escalated_cases_leave_moderators_queues_and_go_to_admins(world: World) -> None:
    world.message("e1", FF)
    world.service.sync_cases()
    mo, boss = world.user("mo", Role.MODERATOR), world.user("boss", Role.ADMIN)
    case_id = world.service.claim_next(mo)
    assert case_id is not None
    world.service.decide(mo, case_id, DecisionInput(Outcome.ESCALATE, None, "not sure"))
    [case] = world.service.queue(mo)
    assert (case.status, case.escalated, case.assignee) == (CaseStatus.OPEN, True, None)
    assert world.service.claim_next(mo) is None
    with pytest.raises(PermissionDeniedError):
        world.service.decide(mo, case_id, _violation())
    assert world.service.claim_next(boss) == case_id
    world.service.decide(boss, case_id, _violation())
    assert export_labels(world.store.url)[0]["label"]["reviewer"] == "boss"


def test_analysts_can_look_but_not_claim_decide_or_appeal(world: World) -> None:
    world.message("e1", FF)
    world.service.sync_cases()
    ann = world.user("ann", Role.ANALYST)
    [case] = world.service.queue(ann)
    assert world.service.case_view(ann, case.id).case.id == case.id
    with pytest.raises(PermissionDeniedError):
        world.service.claim_next(ann)
    with pytest.raises(PermissionDeniedError):
        world.service.decide(ann, case.id, _violation())
    with pytest.raises(PermissionDeniedError):
        world.service.bulk_decide(ann, [case.id], _violation())
    with pytest.raises(PermissionDeniedError):
        world.service.record_appeal(ann, case.id, "x", filed_by="u1")


def test_bulk_decide_decides_what_it_can_and_says_why_not_for_the_rest(world: World) -> None:
    for i in range(3):
        world.message(f"e{i}", FF, actor=f"u{i}")
    world.service.sync_cases()
    mo, jo = world.user("mo", Role.MODERATOR), world.user("jo", Role.MODERATOR)
    ids = [c.id for c in world.service.queue(mo)]
    taken = world.service.claim_next(jo)
    result = world.service.bulk_decide(
        mo, ids, DecisionInput(Outcome.NOT_VIOLATION, None, "buyer asked about checkout")
    )
    assert sorted(result.decided) == sorted(i for i in ids if i != taken)
    assert list(result.failed) == [taken]
    assert "claimed by jo" in result.failed[taken]  # type: ignore[index]


def test_role_changes_are_audited_and_end_the_users_sessions(world: World) -> None:
    boss, mo = world.user("boss", Role.ADMIN), world.user("mo", Role.MODERATOR)
    token, _ = world.service.start_session(mo)
    assert world.service.session(token) is not None
    with pytest.raises(PermissionDeniedError):
        world.service.set_role(mo, "mo", Role.ADMIN)
    world.service.set_role(boss, "mo", Role.ANALYST)
    assert world.service.session(token) is None
    changes = [e for e in world.store.audit_entries() if e.action == "user.role_changed"]
    assert [(e.actor, e.subject, e.details) for e in changes] == [
        ("boss", "user:mo", {"from": "moderator", "to": "analyst"})
    ]


def test_queues_show_size_sla_breaches_and_precision(world: World) -> None:
    world.message("e1", FF, actor="u1")
    world.message("e2", FF, actor="u2")
    world.service.sync_cases()
    mo = world.user("mo", Role.MODERATOR)
    first = world.service.claim_next(mo)
    assert first is not None
    world.service.decide(mo, first, DecisionInput(Outcome.NOT_VIOLATION, None, "fine"))
    world.clock.t += 13 * 3600
    [queue] = world.service.queues(mo)
    assert (queue.policy, queue.open, queue.breached) == ("off_platform", 1, 1)
    assert queue.oldest_age_s == pytest.approx(13 * 3600, abs=5)
    assert queue.precision is not None and queue.precision.overturn_rate == 1.0


def test_labels_export_cli_writes_event_plus_label_jsonl(world: World, tmp_path) -> None:
    world.message("e1", FF)
    world.service.sync_cases()
    mo = world.user("mo", Role.MODERATOR)
    case_id = world.service.claim_next(mo)
    assert case_id is not None
    world.service.decide(mo, case_id, _violation())
    out = tmp_path / "labels.jsonl"
    result = CliRunner().invoke(
        main, ["labels", "export", "-o", str(out), "--store", world.store.url]
    )
    assert result.exit_code == 0, result.output
    [line] = out.read_text().splitlines()
    record = json.loads(line)
    assert record["id"] == "e1"
    assert record["type"] == "message.sent"
    assert set(record["label"]) == {"policy", "value", "reviewer", "decided_at"}
    assert record["label"]["decided_at"].endswith("Z")


def test_users_create_cli_prints_a_generated_password_that_signs_in(world: World) -> None:
    result = CliRunner().invoke(
        main,
        ["users", "create", "--username", "root", "--role", "admin", "--store", world.store.url],
    )
    assert result.exit_code == 0, result.output
    password = result.output.strip().rsplit(" ", 1)[-1]
    reviewer = world.service.authenticate("root", password)
    assert reviewer is not None and reviewer.role == Role.ADMIN
    assert world.service.authenticate("root", password + "x") is None


def test_a_backlog_is_linked_in_several_short_transactions_and_every_case_opens(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(opening, "_CHUNK_LINKS", 2)
    for i in range(5):
        world.message(f"b{i}", FF, actor=f"u_b{i}")
    began: list[str] = []
    event.listen(world.store.engine, "begin", lambda conn: began.append("begin"))
    assert world.service.sync_cases() == 5
    assert len(began) >= 1 + 3  # the read, then three chunks of at most two links
    queue = world.service.queue(world.user("ann", Role.ANALYST))
    assert sorted(c.entity.id for c in queue) == [f"u_b{i}" for i in range(5)]
    assert world.service.sync_cases() == 0


def _cases_and_links(world: World) -> tuple[list[tuple[object, ...]], list[tuple[object, ...]]]:
    """Every case's fields but its id, and every link by its case's (policy, entity)."""
    with world.store.engine.connect() as conn:
        cases = conn.execute(
            select(CASES).order_by(CASES.c.policy, CASES.c.entity_type, CASES.c.entity_id)
        ).all()
        links = conn.execute(
            select(
                CASES.c.policy,
                CASES.c.entity_id,
                CASE_EVENTS.c.event_id,
                CASE_EVENTS.c.source,
            )
            .join(CASES, CASES.c.id == CASE_EVENTS.c.case_id)
            .order_by(CASE_EVENTS.c.event_id, CASES.c.policy)
        ).all()
    return [tuple(r)[1:] for r in cases], [tuple(r) for r in links]


def test_triggers_folded_in_one_sync_give_the_cases_one_sync_per_trigger_gives(
    tmp_path: Path,
) -> None:
    # One world syncs after every event; the other opens u1's case, then links a flag, a
    # report about it and two flags about a new entity in one set-based sync.
    steps = [
        lambda w: w.message("e1", FF),
        lambda w: w.message("e2", HANDLE),
        lambda w: w.report("r1", "message", "m_e2", "off_platform"),
        lambda w: w.message("e3", FF, actor="u2"),
        lambda w: w.message("e4", HANDLE, actor="u2"),
    ]
    one_by_one, folded = World(tmp_path / "a"), World(tmp_path / "b")
    try:
        linked = 0
        for step in steps:
            step(one_by_one)
            linked += one_by_one.service.sync_cases()
        steps[0](folded)
        assert folded.service.sync_cases() == 1
        for step in steps[1:]:
            step(folded)
        assert folded.service.sync_cases() == linked - 1
        cases, links = _cases_and_links(folded)
        assert (cases, links) == _cases_and_links(one_by_one)
        # u1 and u2; the report's content (e2) is already on u1's case, so no second link.
        assert len(cases) == 2 and len(links) == linked == 5
    finally:
        one_by_one.store.close()
        folded.store.close()


def _stamp_before(world: World, late: str, newer: str) -> None:
    """A slow group commit: ``late``'s verdict stamped 5 s before ``newer``'s."""
    with world.store.engine.begin() as conn:
        stamp = conn.execute(
            select(VerdictRow.created_at).where(VerdictRow.event_id == newer)
        ).scalar_one()
        conn.execute(
            update(VerdictRow)
            .where(VerdictRow.event_id == late)
            .values(created_at=stamp - timedelta(seconds=5))
        )


def test_a_verdict_committed_after_a_newer_one_still_opens_its_case(world: World) -> None:
    world.message("e1", FF, actor="u1")
    assert world.service.sync_cases() == 1
    world.message("e2", HANDLE, actor="u2")
    # A slow group commit: e2's verdict is stamped before the newest one the opener saw.
    _stamp_before(world, "e2", "e1")
    assert world.service.sync_cases() == 1
    assert sorted(c.entity.id for c in world.service.queue(world.user("ann", Role.ANALYST))) == [
        "u1",
        "u2",
    ]


def test_syncs_between_late_checks_read_on_and_the_next_check_finds_a_late_verdict(
    world: World,
) -> None:
    world.message("e1", FF, actor="u1")
    assert world.service.sync_cases() == 1
    world.message("e2", HANDLE, actor="u2")
    world.message("e3", FF, actor="u3")
    _stamp_before(world, "e2", "e1")
    # e3 is new and read; e2, stamped inside the range already checked, waits for a check.
    assert world.service.sync_cases(check_late=False) == 1
    assert world.service.sync_cases(check_late=False) == 0
    assert world.service.sync_cases() == 1
    analyst = world.user("ann", Role.ANALYST)
    assert sorted(c.entity.id for c in world.service.queue(analyst)) == ["u1", "u2", "u3"]


def test_cases_open_from_verdicts_the_stream_worker_stored(world: World) -> None:
    bus = MemoryBus()
    bus.ensure_topics()
    events = [
        {
            "id": f"w{i}",
            "type": "message.sent",
            "occurred_at": "2026-11-02T10:15:00Z",
            "actor": {"id": f"u_w{i}"},
            "message": {"id": f"m_w{i}", "text": text},
        }
        for i, text in enumerate([FF, BENIGN, HANDLE])
    ]
    bus.producer().send(
        [OutRecord(bus.topics.events, e["actor"]["id"], json.dumps(e).encode()) for e in events]
    )
    worker = Worker(
        world.engine, world.store, bus.consumer("trustwatch", [bus.topics.events]), bus.topics
    )
    worker.run(threading.Event(), max_events=3)
    assert world.service.sync_cases() == 2
    queue = world.service.queue(world.user("ann", Role.ANALYST))
    assert sorted(c.entity.id for c in queue) == ["u_w0", "u_w2"]


class _FlakyBus(MemoryBus):
    """A memory bus whose producer refuses records while ``down`` is set."""

    down = True

    def producer(self) -> MemoryProducer:
        bus = self

        class Flaky(MemoryProducer):
            def send(self, records: Sequence[OutRecord]) -> None:
                if bus.down:
                    raise BusUnavailableError("bus down for the test")
                super().send(records)

        return Flaky(self)


def test_enforcement_waits_in_the_outbox_while_the_bus_is_down(tmp_path) -> None:
    world = World(tmp_path)
    bus = _FlakyBus()
    world.service = ReviewService(
        world.store, severities=world.service.opener.severities, bus=bus, clock=world.clock
    )
    world.message("e1", HANDLE)
    world.service.sync_cases()
    mo = world.user("mo", Role.MODERATOR)
    case_id = world.service.claim_next(mo)
    assert case_id is not None
    world.service.decide(mo, case_id, _violation(Action.HOLD))
    assert [a["operation"] for a in world.service.pending_enforcement()] == ["withhold_message"]
    assert bus.read_all(bus.topics.actions) == []
    bus.down = False
    assert world.service.publish_pending() == 1
    assert world.service.pending_enforcement() == []
    [record] = bus.read_all(bus.topics.actions)
    assert json.loads(record.value)["operation"] == "withhold_message"
    world.store.close()


def test_a_disabled_user_cannot_sign_in_and_loses_their_sessions(world: World) -> None:
    mo = world.user("mo", Role.MODERATOR)
    token, _ = world.service.start_session(mo)
    result = CliRunner().invoke(
        main, ["users", "disable", "--username", "mo", "--store", world.store.url]
    )
    assert result.exit_code == 0, result.output
    assert world.service.session(token) is None
    assert world.service.authenticate("mo", PASSWORD) is None
    world.service.set_disabled(None, "mo", False)
    assert world.service.authenticate("mo", PASSWORD) is not None
    assert [e.action for e in world.store.audit_entries() if e.subject == "user:mo"] == [
        "user.created",
        "user.disabled",
        "user.enabled",
    ]
