"""Run each policy's must-trigger and must-not-trigger examples like unit tests."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from trustwatch.counters import InMemoryCounters
from trustwatch.engine import Engine
from trustwatch.policy.pack import Example, LoadedPack
from trustwatch.verdicts import Action


@dataclass(frozen=True)
class ExampleResult:
    policy: str
    kind: str  # "trigger" or "clean"
    index: int
    passed: bool
    expected: str
    got: Action
    score: float
    summary: str


def example_event(ex: Example, index: int) -> dict[str, Any]:
    """Build a full event from an example's shorthand."""
    if ex.event is not None:
        return ex.event
    base: dict[str, Any] = {
        "id": f"example-{index}",
        "type": ex.type,
        "occurred_at": "2026-11-02T10:15:00Z",
        "actor": {"id": "u_example", "created_at": "2026-01-01T00:00:00Z"},
    }
    text = ex.text or ""
    if ex.type == "message.sent":
        base["message"] = {
            "id": f"m_{index}",
            "conversation_id": "c_1",
            "recipient_id": "u_2",
            "text": text,
        }
    elif ex.type in ("listing.created", "listing.updated"):
        listing: dict[str, Any] = {
            "id": f"l_{index}",
            "title": ex.title if ex.title is not None else text,
            "description": ex.description
            if ex.description is not None
            else (text if ex.title else ""),
        }
        if ex.brand:
            listing["brand"] = ex.brand
        if ex.category:
            listing["category"] = ex.category
        if ex.price is not None:
            listing["price"] = {"amount": ex.price, "currency": ex.currency}
        base["listing"] = listing
    elif ex.type == "profile.updated":
        base["profile"] = {"id": "u_example", "bio": text}
    else:
        base["report"] = {
            "id": f"r_{index}",
            "target_type": "listing",
            "target_id": "l_1",
            "text": text,
        }
    return base


def run_examples(loaded: LoadedPack) -> list[ExampleResult]:
    results: list[ExampleResult] = []
    for name, policy in loaded.pack.policies.items():
        for kind, examples in (
            ("trigger", policy.examples.trigger),
            ("clean", policy.examples.clean),
        ):
            for i, example in enumerate(examples):
                engine = Engine(loaded, counters=InMemoryCounters(), strict=True)
                event = example_event(example, i)
                decision = engine.evaluate(event).decision(name)
                got = decision.action if decision else Action.ALLOW
                score = decision.score if decision else 0.0
                if kind == "trigger":
                    least = example.action or Action.WARN
                    passed, expected = got.rank >= least.rank, f">= {least.value}"
                else:
                    passed, expected = got == Action.ALLOW, "allow"
                summary = example.text or example.title or example.note or "event"
                results.append(
                    ExampleResult(name, kind, i, passed, expected, got, score, summary[:80])
                )
    return results
