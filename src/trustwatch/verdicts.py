"""Verdicts and actions: the output contract (DESIGN.md §2)."""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from pydantic import BaseModel, Field


class Action(StrEnum):
    """What should happen to the item, weakest to strongest."""

    ALLOW = "allow"
    WARN = "warn"
    REVIEW = "review"
    HOLD = "hold"
    BLOCK = "block"

    @property
    def rank(self) -> int:
        return _RANK[self]

    @staticmethod
    def strongest(actions: list[Action]) -> Action:
        return max(actions, key=lambda a: a.rank, default=Action.ALLOW)


_RANK = {a: i for i, a in enumerate(Action)}


class Mode(StrEnum):
    """Execution mode flowing through the engine.

    live: live policies act; shadow: every policy is recorded, none acts;
    backtest: like shadow, and the clock is the event's own time.
    """

    LIVE = "live"
    SHADOW = "shadow"
    BACKTEST = "backtest"


class Evidence(BaseModel):
    field: str
    start: int
    end: int
    text: str


class SignalOut(BaseModel):
    detector: str
    score: float
    evidence: list[Evidence] = Field(default_factory=list)
    details: dict[str, Any] = Field(default_factory=dict)


class PolicyDecision(BaseModel):
    policy: str
    score: float
    action: Action
    mode: str
    signals: list[SignalOut] = Field(default_factory=list)


class Verdict(BaseModel):
    event_id: str
    action: Action
    policies: list[PolicyDecision] = Field(default_factory=list)
    pack_version: str
    model_versions: dict[str, str] = Field(default_factory=dict)
    execution_mode: Mode = Mode.LIVE
    latency_ms: float = 0.0
    errors: list[str] = Field(
        default_factory=list, description="detectors that failed (failed open) on this event"
    )

    def decision(self, policy: str) -> PolicyDecision | None:
        return next((p for p in self.policies if p.policy == policy), None)
