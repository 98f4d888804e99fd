"""The review service on the machine's PostgreSQL: partial unique index, upserts, the
sync lock under concurrent openers, and the whole decide/appeal/label loop."""

from __future__ import annotations

import json
import threading

import pytest

from trustwatch.enforcement import actions_for
from trustwatch.engine import Engine
from trustwatch.events import parse_event
from trustwatch.review.domain import CaseStateError, DecisionInput, Outcome, Role
from trustwatch.review.labels import export_labels
from trustwatch.review.service import ReviewService, severities_of
from trustwatch.store.sql import SqlStore
from trustwatch.stream.bus import MemoryBus
from trustwatch.verdicts import Action

pytestmark = pytest.mark.postgres

PASSWORD = "correct horse battery staple"


def test_cases_decisions_appeals_and_labels_on_postgres(pg_url: str) -> None:
    store = SqlStore(pg_url)
    engine = Engine.from_path()
    bus = MemoryBus()
    service = ReviewService(store, severities=severities_of(engine.pack), bus=bus)
    texts = [
        ("u1", "hey! pay me on paypal f&f and i'll ship today"),
        ("u1", "cheaper if you pay direct, my paypal is paypal.me/janedoe"),
        ("u2", "text me on whatsapp and we can sort payment there"),
    ]
    for i, (actor, body) in enumerate(texts):
        event = parse_event(
            {
                "id": f"e{i}",
                "type": "message.sent",
                "occurred_at": "2026-11-02T10:15:00Z",
                "actor": {"id": actor},
                "message": {"id": f"m{i}", "text": body},
            }
        )
        verdict = engine.evaluate(event)
        store.record(event, verdict, actions_for(event, verdict))

    # Several openers at once still make one case per entity and one link per event.
    linked: list[int] = []
    threads = [
        threading.Thread(target=lambda: linked.append(service.sync_cases())) for _ in range(4)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sum(linked) == 3

    service.create_user(None, "mo", Role.MODERATOR, PASSWORD)
    service.create_user(None, "jo", Role.MODERATOR, PASSWORD)
    mo = service.authenticate("mo", PASSWORD)
    jo = service.authenticate("jo", PASSWORD)
    assert mo is not None and jo is not None
    cases = service.queue(mo)
    assert sorted((c.entity.id, c.items) for c in cases) == [("u1", 2), ("u2", 1)]
    assert cases[0].entity.id == "u1"

    first = service.claim_next(mo)
    assert first == cases[0].id
    service.decide(mo, first, DecisionInput(Outcome.VIOLATION, Action.HOLD, "F&F and a handle"))
    service.record_appeal(mo, first, "it was my sister", filed_by="u1")
    assert service.claim_next(mo) == cases[1].id
    assert service.claim_next(jo) == first
    service.decide(jo, first, DecisionInput(Outcome.NOT_VIOLATION, None, "family"))

    labels = export_labels(pg_url)
    assert [(r["id"], r["label"]["value"], r["label"]["reviewer"]) for r in labels] == [
        ("e0", 0, "jo"),
        ("e1", 0, "jo"),
    ]
    operations = [json.loads(r.value)["operation"] for r in bus.read_all(bus.topics.actions)]
    assert sorted(operations) == sorted(["withhold_message"] * 2 + ["release_message"] * 2)
    [queue] = service.queues(mo)
    assert (queue.open, queue.claimed) == (0, 1)
    assert queue.precision is not None and queue.precision.appeals_overturned == 1
    assert store.verify_audit_chain().ok
    dashboard = service.dashboard(mo)
    assert sum(dashboard.events_by_policy["off_platform"]) == 3
    store.close()


def test_concurrent_reviewers_never_share_a_claim_or_double_decide_on_postgres(
    pg_url: str,
) -> None:
    store = SqlStore(pg_url)
    engine = Engine.from_path()
    service = ReviewService(store, severities=severities_of(engine.pack))
    for i in range(6):
        event = parse_event(
            {
                "id": f"c{i}",
                "type": "message.sent",
                "occurred_at": "2026-11-02T10:15:00Z",
                "actor": {"id": f"u{i}"},
                "message": {"id": f"mc{i}", "text": "hey! pay me on paypal f&f and i'll ship"},
            }
        )
        verdict = engine.evaluate(event)
        store.record(event, verdict, actions_for(event, verdict))
    service.sync_cases()
    reviewers = []
    for i in range(6):
        service.create_user(None, f"r{i}", Role.MODERATOR, PASSWORD)
        found = service.authenticate(f"r{i}", PASSWORD)
        assert found is not None
        reviewers.append(found)

    claimed: list[int | None] = []
    barrier = threading.Barrier(6)

    def claim(who: int) -> None:
        barrier.wait()
        claimed.append(service.claim_next(reviewers[who]))

    threads = [threading.Thread(target=claim, args=(i,)) for i in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert None not in claimed
    assert len(set(claimed)) == 6

    admin_a, admin_b = "boss_a", "boss_b"
    for name in (admin_a, admin_b):
        service.create_user(None, name, Role.ADMIN, PASSWORD)
    bosses = [service.authenticate(n, PASSWORD) for n in (admin_a, admin_b)]
    target = service.queue(reviewers[0])[0].id
    outcomes: list[str] = []
    barrier = threading.Barrier(2)

    def decide(who: int) -> None:
        boss = bosses[who]
        assert boss is not None
        barrier.wait()
        try:
            service.decide(boss, target, DecisionInput(Outcome.VIOLATION, Action.BLOCK, "x"))
            outcomes.append("decided")
        except CaseStateError as exc:
            outcomes.append(str(exc))

    # Expired claims let anyone take over, so both admins race for one case.
    service.claim_ttl_s = 0.0
    threads = [threading.Thread(target=decide, args=(i,)) for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert outcomes.count("decided") == 1
    [refused] = [o for o in outcomes if o != "decided"]
    assert "already decided" in refused
    store.close()
