from __future__ import annotations

import pytest

from trustwatch.events import parse_event
from trustwatch.review.auth import LoginLimiter, hash_password, verify_password
from trustwatch.review.domain import (
    REPORTS_QUEUE,
    DecidedFlag,
    DecisionInput,
    Entity,
    Outcome,
    Permission,
    PermissionDeniedError,
    ReviewError,
    Role,
    Target,
    base_priority,
    check_permission,
    enforcement_operations,
    precision_by_policy,
    priority,
    reach,
    sla_seconds,
    sla_state,
    triggers_for,
    validate_decision,
)
from trustwatch.review.evidence import highlight
from trustwatch.verdicts import Action, Mode, PolicyDecision, Verdict

SEVERITIES = {"off_platform": 3, "phishing": 5}


def _message(event_id: str = "e1", actor: str = "u1") -> dict:
    return {
        "id": event_id,
        "type": "message.sent",
        "occurred_at": "2026-11-02T10:15:00Z",
        "actor": {"id": actor},
        "message": {"id": f"m_{event_id}", "text": "pay me on paypal f&f"},
    }


def _verdict(*decisions: tuple[str, Action, str], mode: Mode = Mode.LIVE) -> Verdict:
    policies = [PolicyDecision(policy=p, score=0.7, action=a, mode=m) for p, a, m in decisions]
    return Verdict(
        event_id="e1",
        action=Action.strongest([p.action for p in policies]),
        policies=policies,
        pack_version="marketplace@1",
        execution_mode=mode,
    )


def test_review_and_hold_verdicts_open_a_case_per_live_policy_that_asked_for_one() -> None:
    event = parse_event(_message())
    verdict = _verdict(
        ("off_platform", Action.REVIEW, "live"),
        ("phishing", Action.HOLD, "live"),
        ("counterfeit", Action.WARN, "live"),
        ("prohibited", Action.HOLD, "shadow"),
    )
    triggers = triggers_for(event, verdict, SEVERITIES)
    assert [(t.policy, t.entity, t.severity) for t in triggers] == [
        ("off_platform", Entity("user", "u1"), 3),
        ("phishing", Entity("user", "u1"), 5),
    ]
    shadow_run = _verdict(("off_platform", Action.REVIEW, "live"), mode=Mode.SHADOW)
    assert triggers_for(event, shadow_run, SEVERITIES) == []
    blocked = _verdict(("off_platform", Action.REVIEW, "live"), ("spam", Action.BLOCK, "live"))
    assert triggers_for(event, blocked, SEVERITIES) == []


def test_every_report_opens_a_case_in_the_policy_its_reason_names_or_the_reports_queue() -> None:
    def report(reason: str | None) -> list:
        event = parse_event(
            {
                "id": "r1",
                "type": "report.filed",
                "occurred_at": "2026-11-02T10:15:00Z",
                "actor": {"id": "u9"},
                "report": {
                    "id": "rp1",
                    "target_type": "listing",
                    "target_id": "l_7",
                    "reason": reason,
                },
            }
        )
        return triggers_for(event, _verdict(), SEVERITIES)

    [named] = report("Phishing")
    assert (named.policy, named.entity, named.source, named.severity) == (
        "phishing",
        Entity("listing", "l_7"),
        "report",
        5,
    )
    assert [t.policy for t in report("rude seller")] == [REPORTS_QUEUE]
    assert [t.policy for t in report(None)] == [REPORTS_QUEUE]


def test_listings_are_reviewed_per_listing_and_messages_per_sender() -> None:
    listing = parse_event(
        {
            "id": "e2",
            "type": "listing.created",
            "occurred_at": "2026-11-02T10:15:00Z",
            "actor": {"id": "u1"},
            "listing": {"id": "l_1", "title": "rep bag"},
        }
    )
    verdict = _verdict(("off_platform", Action.REVIEW, "live"))
    assert triggers_for(listing, verdict, SEVERITIES)[0].entity == Entity("listing", "l_1")
    assert triggers_for(parse_event(_message()), verdict, SEVERITIES)[0].entity == Entity(
        "user", "u1"
    )


def test_priority_is_severity_times_reach_times_age_doubling_at_the_sla() -> None:
    base = base_priority(3, reach(["listing"], reports=2))
    assert base == 3 * (5 + 2)
    sla = sla_seconds(3)
    assert priority(base, opened_at=0.0, sla_s=sla, now=0.0) == base
    assert priority(base, opened_at=0.0, sla_s=sla, now=sla) == 2 * base
    assert base_priority(3, 1.0, escalated=True) == 2 * base_priority(3, 1.0)
    # An old low-severity message overtakes a fresh one of higher severity.
    old = priority(base_priority(2, 1.0), 0.0, sla_seconds(2), now=3 * sla_seconds(2))
    fresh = priority(
        base_priority(5, 1.0), 3 * sla_seconds(2), sla_seconds(5), now=3 * sla_seconds(2)
    )
    assert old > fresh


def test_sla_state_is_due_at_three_quarters_and_breached_at_the_sla() -> None:
    assert sla_state(0.0, 100.0, now=10.0) == "ok"
    assert sla_state(0.0, 100.0, now=80.0) == "due"
    assert sla_state(0.0, 100.0, now=100.0) == "breached"


def test_analysts_are_read_only_and_only_admins_manage_users_and_escalations() -> None:
    check_permission(Role.ANALYST, Permission.VIEW)
    for permission in (Permission.DECIDE, Permission.RECORD_APPEAL, Permission.MANAGE_USERS):
        with pytest.raises(PermissionDeniedError, match="analyst role may not"):
            check_permission(Role.ANALYST, permission)
    check_permission(Role.MODERATOR, Permission.DECIDE)
    with pytest.raises(PermissionDeniedError):
        check_permission(Role.MODERATOR, Permission.DECIDE_ESCALATED)
    with pytest.raises(PermissionDeniedError):
        check_permission(Role.MODERATOR, Permission.MANAGE_USERS)
    check_permission(Role.ADMIN, Permission.DECIDE_ESCALATED)


def test_a_violation_needs_warn_hold_or_block_and_every_decision_a_reason() -> None:
    with pytest.raises(ReviewError, match="needs a reason"):
        validate_decision(DecisionInput(Outcome.NOT_VIOLATION, None, "   "))
    with pytest.raises(ReviewError, match="needs an action"):
        validate_decision(DecisionInput(Outcome.VIOLATION, None, "scam"))
    with pytest.raises(ReviewError, match="needs an action"):
        validate_decision(DecisionInput(Outcome.VIOLATION, Action.ALLOW, "scam"))
    ok = validate_decision(DecisionInput(Outcome.NOT_VIOLATION, Action.BLOCK, " fine "))
    assert (ok.action, ok.reason) == (None, "fine")


def test_enforcement_acts_on_a_violation_and_restores_a_wrongly_held_item() -> None:
    targets = [
        Target("message", "m1", "u1", "e1"),
        Target("message", "m1", "u1", "e1"),
        Target("listing", "l1", "u1", "e2"),
    ]
    ops = enforcement_operations(Outcome.VIOLATION, Action.BLOCK, targets, was_restricted=False)
    assert [(t.id, a, op) for t, a, op in ops] == [
        ("m1", Action.BLOCK, "block_message"),
        ("l1", Action.BLOCK, "remove_listing"),
    ]
    restore = enforcement_operations(Outcome.NOT_VIOLATION, None, targets, was_restricted=True)
    assert [op for _, _, op in restore] == ["release_message", "restore_listing"]
    assert enforcement_operations(Outcome.NOT_VIOLATION, None, targets, was_restricted=False) == []
    assert enforcement_operations(Outcome.ESCALATE, None, targets, was_restricted=True) == []


def test_precision_counts_automated_flags_and_keeps_appeals_and_reports_apart() -> None:
    flags = [
        DecidedFlag("off_platform", "verdict", Outcome.VIOLATION, False, False),
        DecidedFlag("off_platform", "verdict", Outcome.VIOLATION, False, False),
        DecidedFlag("off_platform", "verdict", Outcome.VIOLATION, False, False),
        DecidedFlag("off_platform", "verdict", Outcome.NOT_VIOLATION, False, False),
        DecidedFlag("off_platform", "report", Outcome.NOT_VIOLATION, False, False),
        DecidedFlag("off_platform", "verdict", Outcome.NOT_VIOLATION, True, True),
    ]
    [p] = precision_by_policy(flags)
    assert (p.violations, p.not_violations, p.appeals, p.appeals_overturned) == (3, 1, 1, 1)
    assert p.precision == 0.75
    assert p.overturn_rate == 0.25


def test_highlight_merges_overlapping_spans_and_clips_out_of_range_ones() -> None:
    text = "pay on paypal f&f please"
    segments = highlight(text, [(7, 13, "a"), (7, 17, "b"), (20, 99, "c")])
    assert "".join(s.text for s in segments) == text
    assert [(s.text, s.detectors) for s in segments if s.highlighted] == [
        ("paypal", ("a", "b")),
        (" f&f", ("b",)),
        ("ease", ("c",)),
    ]


def test_passwords_are_argon2_hashed_and_verified() -> None:
    stored = hash_password("correct horse battery")
    assert stored.startswith("$argon2")
    assert verify_password(stored, "correct horse battery")
    assert not verify_password(stored, "wrong")
    assert not verify_password("not a hash", "wrong")


def test_login_limiter_blocks_after_repeated_failures_until_the_window_passes() -> None:
    now = [0.0]
    limiter = LoginLimiter(max_failures=3, window_s=60, clock=lambda: now[0])
    for _ in range(3):
        assert not limiter.blocked("user:a", "ip:1")
        limiter.failed("user:a", "ip:1")
    assert limiter.blocked("user:a")
    assert limiter.blocked("user:b", "ip:1")
    now[0] = 61.0
    assert not limiter.blocked("user:a", "ip:1")
