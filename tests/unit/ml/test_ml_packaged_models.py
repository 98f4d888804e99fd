"""The committed registry: every model loads without torch and scores as its card says."""

from __future__ import annotations

import sys

import pytest

from trustwatch.ml import serving
from trustwatch.ml.features import model_text
from trustwatch.ml.registry import Registry

PACKAGED = Registry()


@pytest.mark.parametrize(
    "ref,family,positive,negative",
    [
        (
            "sms_spam@promoted",
            "linear",
            "FREE entry! You have WON a £2000 prize. Txt CLAIM to 81010 now",
            "are we still meeting at 6? i'll bring the jacket",
        ),
        (
            "smishing@promoted",
            "linear",
            "Your bank account is suspended. Verify now at http://secure-bank-login.xyz/verify",
            "see you tomorrow at the station",
        ),
    ],
)
def test_promoted_text_models_separate_obvious_cases(
    ref: str, family: str, positive: str, negative: str
) -> None:
    model, entry = serving.load(ref, family)
    entry.verify()
    assert model.proba(model_text(positive)) > 0.5 > model.proba(model_text(negative))


def test_url_model_flags_a_phishing_looking_url_over_a_plain_one() -> None:
    model, _ = serving.load("phishing_url@promoted", "url")
    bad = "http://paypal.com.account-verify.secure-login.xyz/webscr/cmd=login"
    good = "https://www.bbc.co.uk/news"
    assert model.proba((bad, bad.lower())) > model.proba((good, good))


def test_transformer_head_runs_on_onnx_runtime_without_torch() -> None:
    if "smishing_minilm" not in PACKAGED.names():
        pytest.skip("no transformer head registered")
    model, entry = serving.load("smishing_minilm@promoted", "transformer")
    p = model.proba_many(["Your parcel is held, pay the fee at http://dpd-redelivery.top", "hi"])
    assert p[0] > p[1]
    assert "torch" not in sys.modules or entry.card["family"] == "transformer"
