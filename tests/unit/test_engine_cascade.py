"""The cascade, modes and action selection, with test detectors registered here."""

from __future__ import annotations

from typing import ClassVar

import pytest
from pydantic import BaseModel, ConfigDict

from trustwatch.detectors.base import (
    COST_TRANSFORMER,
    Context,
    Detector,
    Item,
    Signal,
    register,
)
from trustwatch.engine import Engine
from trustwatch.policy.pack import Pack
from trustwatch.verdicts import Action, Mode


class _ScoreParams(BaseModel):
    model_config = ConfigDict(extra="forbid")
    word: str
    score: float


@register
class _Cheap(Detector):
    name = "test_cheap_word"
    Params = _ScoreParams

    def detect(self, item: Item, ctx: Context) -> list[Signal]:
        assert isinstance(self.params, _ScoreParams)
        text = " ".join(item.fields.values())
        return [Signal(self.name, self.params.score)] if self.params.word in text else []


@register
class _Expensive(Detector):
    name = "test_expensive_model"
    cost = COST_TRANSFORMER
    calls: ClassVar[list[str]] = []

    def detect(self, item: Item, ctx: Context) -> list[Signal]:
        self.calls.append(item.event.id)
        return [Signal(self.name, 0.9)]


def _pack(mode: str = "live", second_mode: str = "live") -> Pack:
    return Pack.model_validate(
        {
            "pack": "t",
            "version": 1,
            "policies": {
                "scam": {
                    "title": "Scam",
                    "text": "no scams",
                    "mode": mode,
                    "detectors": [
                        {
                            "use": "test_cheap_word",
                            "id": "sure",
                            "params": {"word": "sure", "score": 0.95},
                        },
                        {
                            "use": "test_cheap_word",
                            "id": "maybe",
                            "params": {"word": "maybe", "score": 0.5},
                        },
                        {"use": "test_expensive_model"},
                    ],
                    "cascade": {"low": 0.2, "high": 0.9},
                    "actions": [{"at": 0.9, "action": "block"}, {"at": 0.5, "action": "review"}],
                },
                "nag": {
                    "title": "Nag",
                    "text": "be nice",
                    "mode": second_mode,
                    "detectors": [
                        {"use": "test_cheap_word", "params": {"word": "maybe", "score": 0.4}}
                    ],
                    "actions": [{"at": 0.3, "action": "warn"}],
                },
            },
        }
    )


@pytest.fixture(autouse=True)
def _reset_calls():
    _Expensive.calls.clear()


@pytest.mark.parametrize(
    ("text", "runs_expensive"),
    [("sure thing", False), ("nothing here", False), ("maybe later", True)],
)
def test_expensive_detector_runs_only_in_the_uncertain_band(make_message, text, runs_expensive):
    Engine(_pack()).evaluate(make_message(text))
    assert (_Expensive.calls == ["evt_t"]) is runs_expensive


def test_uncertain_case_is_decided_by_the_expensive_detector(make_message):
    verdict = Engine(_pack()).evaluate(make_message("maybe later"))
    scam = verdict.decision("scam")
    assert scam is not None and scam.action == Action.BLOCK
    assert [s.detector for s in scam.signals] == ["test_cheap_word", "test_expensive_model"]


def test_event_action_is_the_strongest_live_policy_action(make_message):
    verdict = Engine(_pack(second_mode="live")).evaluate(make_message("maybe"))
    assert verdict.action == Action.BLOCK
    assert verdict.decision("nag").action == Action.WARN


def test_shadow_policies_are_recorded_but_never_act(make_message):
    verdict = Engine(_pack(mode="shadow")).evaluate(make_message("sure maybe"))
    assert verdict.decision("scam").action == Action.BLOCK
    assert verdict.decision("scam").mode == "shadow"
    assert verdict.action == Action.WARN  # only the live "nag" policy acts


def test_same_input_gives_the_same_verdict(make_message):
    events = [make_message(t, event_id=f"e{i}") for i, t in enumerate(["sure", "maybe", "x"])]
    first = [Engine(_pack()).evaluate(e).model_dump(exclude={"latency_ms"}) for e in events]
    second = [Engine(_pack()).evaluate(e).model_dump(exclude={"latency_ms"}) for e in events]
    assert first == second


def test_backtest_mode_is_recorded_and_produces_no_enforcement(make_message):
    from trustwatch.enforcement import actions_for
    from trustwatch.events import parse_event

    event = make_message("sure")
    verdict = Engine(_pack(), mode=Mode.BACKTEST).evaluate(event)
    assert verdict.execution_mode == Mode.BACKTEST and verdict.action == Action.BLOCK
    assert actions_for(parse_event(event), verdict) == []
    live = Engine(_pack()).evaluate(event)
    assert [a.operation for a in actions_for(parse_event(event), live)] == ["block_message"]


@register
class _Broken(Detector):
    name = "test_broken"

    def detect(self, item: Item, ctx: Context) -> list[Signal]:
        raise RuntimeError("boom")


def _broken_pack() -> Pack:
    return Pack.model_validate(
        {
            "pack": "t",
            "version": 1,
            "policies": {
                "scam": {
                    "title": "Scam",
                    "text": "no scams",
                    "detectors": [
                        {"use": "test_broken"},
                        {"use": "test_cheap_word", "params": {"word": "sure", "score": 0.95}},
                    ],
                    "actions": [{"at": 0.9, "action": "block"}],
                }
            },
        }
    )


def test_a_failing_detector_fails_open_and_is_reported(make_message):
    engine = Engine(_broken_pack())
    verdict = engine.evaluate(make_message("sure"))
    assert verdict.action == Action.BLOCK  # the other detectors still decide
    assert verdict.errors == ["test_broken: RuntimeError: boom"]
    assert engine.detector_errors == {"test_broken": 1}


def test_strict_engine_lets_detector_errors_propagate(make_message):
    with pytest.raises(RuntimeError, match="boom"):
        Engine(_broken_pack(), strict=True).evaluate(make_message("sure"))
