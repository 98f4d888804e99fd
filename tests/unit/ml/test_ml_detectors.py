from __future__ import annotations

from pathlib import Path

import pytest
from ml_builders import one_policy_pack

from trustwatch.engine import Engine
from trustwatch.ml.registry import Registry
from trustwatch.ml.serving import remap
from trustwatch.ml.training import TrainResult
from trustwatch.policy.pack import load_pack


def _pack(tmp_path: Path, detectors: list[dict[str, object]]) -> Path:
    return one_policy_pack(tmp_path, detectors)


def test_text_model_scores_spam_above_ham_and_records_its_version(
    tiny_registry: tuple[Registry, TrainResult],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    make_message,  # type: ignore[no-untyped-def]
) -> None:
    reg, result = tiny_registry
    monkeypatch.setenv("TRUSTWATCH_MODELS_DIR", str(reg.base))
    ref = result.entry.ref
    engine = Engine(load_pack(_pack(tmp_path, [{"use": "text_model", "params": {"model": ref}}])))
    spam = engine.evaluate(
        make_message("WINNER!! You have won a £1000 prize, call 09061701461 to claim now")
    )
    ham = engine.evaluate(make_message("ok see you at lunch tomorrow, bring the jacket"))
    assert spam.policies[0].score > ham.policies[0].score
    assert spam.model_versions == {"text_model": ref}
    signal = spam.policies[0].signals[0]
    assert signal.details["model"] == ref
    assert 0.0 <= signal.details["proba"] <= 1.0


def test_operating_point_maps_the_cards_threshold_onto_the_band(
    tiny_registry: tuple[Registry, TrainResult],
) -> None:
    _, result = tiny_registry
    t = result.entry.card["thresholds"]["precision_95"]["threshold"]
    assert remap(t, t, 0.5) == pytest.approx(0.5)
    assert remap(1.0, t, 0.5) == pytest.approx(1.0)
    assert remap(t / 2, t, 0.5) == pytest.approx(0.0625)
    assert remap(0.3, None) == 0.3


def test_unknown_model_reference_fails_with_a_clear_message(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TRUSTWATCH_MODELS_DIR", str(tmp_path))
    pack = load_pack(_pack(tmp_path, [{"use": "text_model", "params": {"model": "nope@1"}}]))
    with pytest.raises(Exception, match="trustwatch train"):
        Engine(pack)


def test_pack_validation_rejects_a_malformed_model_reference(tmp_path: Path) -> None:
    with pytest.raises(Exception, match="model"):
        load_pack(_pack(tmp_path, [{"use": "text_model", "params": {"model": "sms spam"}}]))


def test_channel_routing_keeps_a_model_to_its_own_kind_of_message(
    tiny_registry: tuple[Registry, TrainResult],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    make_message,  # type: ignore[no-untyped-def]
) -> None:
    reg, result = tiny_registry
    monkeypatch.setenv("TRUSTWATCH_MODELS_DIR", str(reg.base))
    params = {"model": result.entry.ref, "channels": ["email"]}
    engine = Engine(load_pack(_pack(tmp_path, [{"use": "text_model", "params": params}])))
    event = make_message("WINNER!! You have won a £1000 prize, call 09061701461 to claim now")
    assert engine.evaluate(event).policies[0].signals == []
    event["message"]["channel"] = "email"
    assert engine.evaluate(event).policies[0].signals[0].details["model"] == result.entry.ref


def test_a_bare_link_is_left_to_the_url_model_when_min_words_is_set(
    tiny_registry: tuple[Registry, TrainResult],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    make_message,  # type: ignore[no-untyped-def]
) -> None:
    reg, result = tiny_registry
    monkeypatch.setenv("TRUSTWATCH_MODELS_DIR", str(reg.base))
    params = {"model": result.entry.ref, "min_words": 3}
    engine = Engine(load_pack(_pack(tmp_path, [{"use": "text_model", "params": params}])))
    assert engine.evaluate(make_message("http://win-prize.example/claim")).policies[0].signals == []
    scored = engine.evaluate(make_message("claim your prize now at http://win-prize.example/c"))
    assert scored.policies[0].signals
