"""What the detector tests build: one event from a text (a message, a listing, a profile),
the context a detector runs in, and an engine over one policy of the default pack.

Every event comes from user ``u_1`` at one fixed time, so a test names only what it varies.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import yaml

from trustwatch.counters import InMemoryCounters
from trustwatch.detectors.base import Context, Detector, Item, Signal
from trustwatch.engine import Engine
from trustwatch.events import parse_event
from trustwatch.policy.pack import DEFAULT_PACK, Pack
from trustwatch.verdicts import Action, Mode

AT = "2026-11-02T10:15:00Z"
NOW = datetime(2026, 11, 2, tzinfo=UTC)


def raw_event(event_type: str, **body: Any) -> dict[str, Any]:
    """An event as it arrives on the wire: ``body`` holds the type's own object."""
    return {"id": "e", "type": event_type, "occurred_at": AT, "actor": {"id": "u_1"}, **body}


def raw_message(text: str) -> dict[str, Any]:
    """A chat message from ``u_1`` to ``u_2``, as it arrives."""
    return raw_event("message.sent", message={"id": "m", "recipient_id": "u_2", "text": text})


def message(text: str) -> Item:
    return Item(parse_event(raw_message(text)))


def listing(title: str, **fields: Any) -> Item:
    """A new listing; ``fields`` are the listing's other fields (description, price, ...)."""
    return Item(
        parse_event(raw_event("listing.created", listing={"id": "l", "title": title, **fields}))
    )


def profile(**fields: Any) -> Item:
    """A profile update with these fields (bio, username, display_name)."""
    return Item(parse_event(raw_event("profile.updated", profile=fields)))


def context(**settings: Any) -> Context:
    """A live run at :data:`NOW` with empty counters; ``settings`` as in :class:`Context`."""
    return Context(Mode.LIVE, NOW, InMemoryCounters(), **settings)


def run(detector: Detector, what: str | Item, **settings: Any) -> list[Signal]:
    """The detector's signals on an item, or on a chat message when given a text."""
    item = message(what) if isinstance(what, str) else what
    return detector.detect(item, context(**settings))


def evidence_reads(signal: Signal, text: str) -> list[str]:
    """The signal's evidence texts, checked to be there and to stand at their spans of ``text``."""
    assert signal.evidence, signal
    for span in signal.evidence:
        assert text[span.start : span.end] == span.text, span
    return [span.text for span in signal.evidence]


def top_score(signals: list[Signal]) -> float:
    """The strongest signal's score, 0.0 when nothing fired."""
    return max((s.score for s in signals), default=0.0)


def policy_engine(policy: str) -> Engine:
    """An engine over the default pack's settings and this one policy file alone."""
    head = yaml.safe_load((DEFAULT_PACK / "pack.yaml").read_text(encoding="utf-8"))
    body = yaml.safe_load((DEFAULT_PACK / "policies" / f"{policy}.yaml").read_text("utf-8"))
    return Engine(Pack.model_validate({**head, "policies": body["policies"]}))


def message_action(engine: Engine, policy: str, text: str) -> Action:
    """What ``policy`` does to a message with this text; allow when it does not decide."""
    decision = engine.evaluate(raw_message(text)).decision(policy)
    return decision.action if decision else Action.ALLOW
