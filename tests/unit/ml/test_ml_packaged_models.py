"""The committed registry: every promoted model loads and scores, and inference needs no torch."""

from __future__ import annotations

import subprocess
import sys

import pytest

from trustwatch.ml import serving
from trustwatch.ml.features import model_text, url_pair
from trustwatch.ml.registry import Registry


@pytest.mark.parametrize(
    "ref,positive,negative",
    [
        (
            "sms_spam@promoted",
            "FREE entry! You have WON a £2000 prize. Txt CLAIM to 81010 now",
            "are we still meeting at 6? i'll bring the jacket",
        ),
        (
            "smishing@promoted",
            "Your bank account is suspended. Verify now at http://secure-bank-login.xyz/verify",
            "see you tomorrow at the station",
        ),
    ],
)
def test_promoted_text_models_separate_obvious_cases(
    ref: str, positive: str, negative: str
) -> None:
    model, entry = serving.load(ref, "linear")
    entry.verify()
    assert model.proba(model_text(positive)) > 0.5 > model.proba(model_text(negative))


def test_url_model_ranks_a_phishing_looking_url_above_a_plain_one() -> None:
    model, _ = serving.load("phishing_url@promoted", "url")
    bad = "http://paypal.com.account-verify.secure-login.xyz/webscr/cmd=login"
    good = "https://www.bbc.co.uk/news"
    assert model.proba(url_pair(bad)) > model.proba(url_pair(good))


def test_every_committed_artifact_matches_its_card() -> None:
    reg = Registry()
    for name in reg.names():
        for version in reg.versions(name):
            reg.get(f"{name}@{version}").verify()


def test_transformer_head_runs_on_onnx_runtime_with_torch_blocked() -> None:
    code = (
        "import sys; sys.modules['torch'] = None\n"
        "from trustwatch.ml import serving\n"
        "m, _ = serving.load('smishing_minilm@promoted', 'transformer')\n"
        "p = m.proba_many(['URGENT your bank account is locked, verify at http://bank-secure.top',"
        " 'see you at lunch'])\n"
        "assert p[0] > p[1], p\n"
        "print('ok')\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "ok"
