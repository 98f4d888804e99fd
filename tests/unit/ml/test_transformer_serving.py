"""The transformer model the default pack names is served by ONNX Runtime alone, and its
card carries what was promised: data, metrics, thresholds, config, hashes, training time
and the test-split comparison with the other MiniLM variant."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import yaml

from trustwatch.ml.registry import Registry

PHISHING = (
    Path(__file__).resolve().parents[3] / "src/trustwatch/packs/marketplace/policies/phishing.yaml"
)


def _pack_ref() -> str:
    policy = yaml.safe_load(PHISHING.read_text(encoding="utf-8"))["policies"]["phishing"]
    (entry,) = [d for d in policy["detectors"] if d["use"] == "transformer_model"]
    return str(entry["params"]["model"])


def test_the_packs_transformer_model_scores_with_torch_blocked() -> None:
    code = (
        "import sys; sys.modules['torch'] = None; sys.modules['transformers'] = None\n"
        "from trustwatch.ml import serving\n"
        "from trustwatch.ml.finetune import folded\n"
        f"m, _ = serving.load({_pack_ref()!r}, 'transformer')\n"
        "p = m.proba_many(folded(['Depop: your account is on hold, verify your details at"
        " http://depop-verify.info to release your funds', 'see you at lunch tomorrow x']))\n"
        "assert p[0] > 0.5 > p[1], p\n"
        "print('ok')\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=180)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "ok"


def test_the_packs_transformer_model_card_is_complete_and_compared() -> None:
    entry = Registry().get(_pack_ref())
    entry.verify()
    card = entry.card
    assert {"data", "metrics", "thresholds", "config", "hashes", "train_seconds"} <= set(card)
    assert {"precision_95", "precision_99", "best_f1"} <= set(card["thresholds"])
    comparison = card["test_comparison"]
    assert entry.ref in comparison["models"] and len(comparison["models"]) >= 2
    assert comparison["better"] == entry.ref
    size = sum((entry.path / f).stat().st_size for f in card["hashes"])
    assert size < 25 * 2**20
