"""payment_off_platform: requests to pay outside the app, scored by strength."""

from __future__ import annotations

import pytest
from detector_runs import evidence_reads, listing, profile, run, top_score

from trustwatch.detectors.base import Item, Signal
from trustwatch.detectors.payment_off_platform import PaymentOffPlatform, PaymentOffPlatformParams

DETECTOR = PaymentOffPlatform(PaymentOffPlatformParams())
WARN = 0.4


def detect(what: str | Item) -> list[Signal]:
    return run(DETECTOR, what)


def score(what: str | Item) -> float:
    return top_score(detect(what))


@pytest.mark.parametrize(
    "text",
    [
        "hey! pay me on paypal f&f and i'll ship today",
        "send it as friends and family please",
        "pay it as a gift so there's no fees",
        "I can do bank transfer instead",
        "pay with bitcoin and i'll knock £10 off",
        "I accept gift cards, amazon vouchers are fine",
        "do you have venmo?",
        "i only take cash app",
        "if you pay outside the app i can do it for £20",
        "cheaper if you pay direct",
        "don't buy through the app, it's cheaper my way",
        "send the money to my revolut",
        "can we sort payment another way? the app takes a big cut",
        "fnf is safer for both of us honestly, the app takes ages",
        "I accept ETH too",
    ],
)
def test_off_app_payment_requests_reach_the_warning_band(text: str) -> None:
    assert score(text) >= WARN


@pytest.mark.parametrize(
    "text",
    [
        "I paid through the app",
        "checkout lets me use PayPal",
        "can I use PayPal at checkout?",
        "does the app take Apple Pay?",
        "the app's buyer protection is why I buy here",
        "it has a Venmo-style wallet pocket",
        "it would make a lovely gift for a friend",
        "otherwise it's perfect",
        "is this still available? would you take £20?",
        "payment sent through the app, thanks!",
        "PayPal x Supreme collab tee, buy it now in the app",
        "the app takes a while to load on my phone",
        "the app takes apple pay btw",
        "someone messaged me asking to pay by bank transfer lol, that's a scam right?",
        "please don't ask me to pay off the app, I only buy through the app",
        "sorry i don't do payments outside the app, just buy it on here",
        "I got a gift card for the app for my birthday, can I use it on this?",
    ],
)
def test_talk_about_paying_in_the_app_is_not_flagged(text: str) -> None:
    assert score(text) < WARN


def test_strength_grows_from_wallet_to_method_to_explicit_request() -> None:
    wallet = score("do you have venmo?")
    method = score("pay me by bank transfer")
    intent = score("pay outside the app with bank transfer to avoid the fees")
    assert 0 < wallet < method < intent


def test_request_with_a_payment_handle_is_the_strongest() -> None:
    text = "cheaper if you pay direct: https://paypal.me/janedoe"
    signals = detect(text)
    assert signals[0].score >= 0.95
    assert signals[0].details["strength"] == "intent"
    assert "https://paypal.me/janedoe" in signals[0].details["handles"]


def test_evidence_spans_point_into_the_original_text() -> None:
    text = "Hi!! Pay me on PayPal F&F please"
    (signal,) = detect(text)
    assert "F&F" in evidence_reads(signal, text)
    assert {span.field for span in signal.evidence} == {"message.text"}


def test_listing_description_is_read_too() -> None:
    assert score(listing("Item", description="Payment via bank transfer only, no app fees!")) >= 0.6


def test_profile_bio_is_read_too() -> None:
    assert score(profile(bio="cheaper if you pay me direct on paypal")) >= 0.6


def test_refusing_on_platform_context_does_not_cancel_an_explicit_request() -> None:
    assert score("pay me f&f, no need for buyer protection") >= 0.85


def test_params_tune_the_scores() -> None:
    quiet = PaymentOffPlatform(
        PaymentOffPlatformParams(off_app_method=0.1, off_app_method_request=0.2)
    )
    assert run(quiet, "I can do bank transfer")[0].score <= 0.2


def test_a_refusal_does_not_cancel_shared_account_details() -> None:
    text = "i don't do paypal, send it to sort code 12-34-56 account 12345678 instead"
    assert score(text) >= 0.8
