"""Broken input lines, to show that a scan sends bad records to its rejects file."""

from __future__ import annotations

import json
import random

MALFORMED_KINDS = ("bad_json", "missing_actor", "unknown_type", "not_an_object", "bad_timestamp")


def malformed_lines(k: int, *, seed: int) -> list[str]:
    """``k`` JSONL lines that each fail ``parse_event`` for a different, nameable reason."""
    rng = random.Random(f"malformed-{seed}")
    lines = []
    for i in range(k):
        kind = MALFORMED_KINDS[i % len(MALFORMED_KINDS)]
        stamp = f"2026-11-02T{9 + i % 12:02d}:{rng.randrange(60):02d}:00Z"
        good = {
            "id": f"evt_bad_{i}",
            "type": "message.sent",
            "occurred_at": stamp,
            "actor": {"id": f"u_{rng.randrange(10**6)}"},
            "message": {"id": f"m_bad_{i}", "text": "is this still available?"},
        }
        if kind == "bad_json":
            lines.append(json.dumps(good)[: -rng.randint(3, 12)])
        elif kind == "missing_actor":
            del good["actor"]
            lines.append(json.dumps(good))
        elif kind == "unknown_type":
            good["type"] = rng.choice(("message.deleted", "listing.liked", "order.shipped"))
            lines.append(json.dumps(good))
        elif kind == "not_an_object":
            lines.append(json.dumps([good["id"], good["type"]]))
        else:
            good["occurred_at"] = "yesterday at 5"
            lines.append(json.dumps(good))
    return lines
