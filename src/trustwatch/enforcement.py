"""Enforcement: what the marketplace should do about a verdict (hide a listing, warn a user…)."""

from __future__ import annotations

from pydantic import BaseModel

from trustwatch.events import Event
from trustwatch.verdicts import Action, Mode, Verdict

# (event type, action) -> operation the marketplace carries out on the target.
_OPERATIONS: dict[tuple[str, Action], str] = {
    ("message.sent", Action.WARN): "show_safety_notice",
    ("message.sent", Action.REVIEW): "queue_for_review",
    ("message.sent", Action.HOLD): "withhold_message",
    ("message.sent", Action.BLOCK): "block_message",
    ("listing.created", Action.WARN): "show_safety_notice",
    ("listing.created", Action.REVIEW): "queue_for_review",
    ("listing.created", Action.HOLD): "hide_listing",
    ("listing.created", Action.BLOCK): "remove_listing",
    ("profile.updated", Action.WARN): "show_safety_notice",
    ("profile.updated", Action.REVIEW): "queue_for_review",
    ("profile.updated", Action.HOLD): "hide_profile_text",
    ("profile.updated", Action.BLOCK): "reject_profile_update",
    ("report.filed", Action.WARN): "queue_for_review",
    ("report.filed", Action.REVIEW): "queue_for_review",
    ("report.filed", Action.HOLD): "queue_for_review",
    ("report.filed", Action.BLOCK): "queue_for_review",
}


class EnforcementAction(BaseModel):
    """One instruction for the marketplace, idempotent by ``id`` (event id + operation)."""

    id: str
    event_id: str
    actor_id: str
    target_type: str
    target_id: str
    action: Action
    operation: str
    policies: list[str]
    pack_version: str


def _target(event: Event) -> tuple[str, str]:
    if event.message is not None:
        return "message", event.message.id
    if event.listing is not None:
        return "listing", event.listing.id
    if event.report is not None:
        return event.report.target_type, event.report.target_id
    return "user", event.actor.id


def actions_for(event: Event, verdict: Verdict) -> list[EnforcementAction]:
    """Enforcement for a live verdict; shadow and backtest verdicts never act."""
    if verdict.execution_mode != Mode.LIVE or verdict.action == Action.ALLOW:
        return []
    event_type = "listing.created" if event.type == "listing.updated" else event.type
    operation = _OPERATIONS.get((event_type, verdict.action))
    if operation is None:
        return []
    target_type, target_id = _target(event)
    policies = [
        p.policy for p in verdict.policies if p.mode == "live" and p.action == verdict.action
    ]
    return [
        EnforcementAction(
            id=f"{event.id}:{operation}",
            event_id=event.id,
            actor_id=event.actor.id,
            target_type=target_type,
            target_id=target_id,
            action=verdict.action,
            operation=operation,
            policies=policies,
            pack_version=verdict.pack_version,
        )
    ]
