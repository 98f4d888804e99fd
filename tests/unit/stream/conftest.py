"""Fixtures for the stream tests: a pack whose one policy acts on every "good" event."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest


@pytest.fixture
def pack_dir() -> Path:
    """The one-phrase pack the stream tests share (tests/data/stream_pack)."""
    return Path(__file__).resolve().parents[2] / "data" / "stream_pack"


def _good_event(i: int, actors: int = 7) -> dict[str, Any]:
    return {
        "id": f"evt_{i}",
        "type": "message.sent",
        "occurred_at": "2026-11-02T10:15:00Z",
        "actor": {"id": f"u_{i % actors}"},
        "message": {"id": f"m_{i}", "text": f"hi, wire me the money for item {i}"},
    }


@dataclass(frozen=True)
class Lines:
    lines: list[bytes]
    good: set[str]
    bad: set[bytes]


def _event_lines(n: int) -> Lines:
    """``n`` lines: mostly good events, every 5th malformed (bad JSON or a missing field)."""
    lines: list[bytes] = []
    good: set[str] = set()
    bad: set[bytes] = set()
    for i in range(n):
        if i % 10 == 3:
            line = f'{{"id": "broken_{i}", '.encode()
            bad.add(line)
        elif i % 10 == 8:
            line = json.dumps({"id": f"bad_{i}", "type": "message.sent"}).encode()
            bad.add(line)
        else:
            line = json.dumps(_good_event(i)).encode()
            good.add(f"evt_{i}")
        lines.append(line)
    return Lines(lines, good, bad)


@pytest.fixture
def make_lines() -> Callable[[int], Lines]:
    return _event_lines
