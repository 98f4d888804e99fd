"""phishing_language: account lures, fake support, fake payment notices, QR lures, code theft."""

from __future__ import annotations

import pytest
from detector_runs import evidence_reads, profile, run

from trustwatch.detectors.base import Signal
from trustwatch.detectors.phishing_language import PhishingLanguage, PhishingLanguageParams

DETECTOR = PhishingLanguage(PhishingLanguageParams())


def detect(text: str) -> list[Signal]:
    return run(DETECTOR, text)


def families(text: str) -> list[str]:
    signals = detect(text)
    return list(signals[0].details["families"]) if signals else []


@pytest.mark.parametrize(
    ("text", "family"),
    [
        ("please verify your account", "account_lure"),
        ("your funds are on hold", "account_lure"),
        ("release the funds now", "account_lure"),
        ("your account will be suspended", "account_lure"),
        ("Your item is sold! Click the link", "sold_lure"),
        ("Depop Support Team", "fake_support"),
        ("this is the security department", "fake_support"),
        ("This is an automated message from PayPal", "fake_support"),
        ("payment of £45 pending", "payment_notice"),
        ("seller must upgrade to business account", "payment_notice"),
        ("send the tracking number to release the money", "payment_notice"),
        ("scan the QR code to receive payment", "qr_lure"),
        ("I sent you a QR code for payment", "qr_lure"),
        ("send me the 6 digit code you just got", "credential_request"),
        ("what's your password", "credential_request"),
        ("send me the 6 digit verification code you just got", "credential_request"),
        ("to get paid scan the qr in my profile picture", "qr_lure"),
        ("please scan this qr code to accept it", "qr_lure"),
        ("check your email (and spam folder) for the confirmation", "payment_notice"),
        ("use the QR code below to verify you're a real seller", "qr_lure"),
        ("whats the login code depop just texted you?", "credential_request"),
        ("pls send me the code u received", "credential_request"),
    ],
)
def test_each_lure_family_is_recognised(text: str, family: str) -> None:
    assert family in families(text)


@pytest.mark.parametrize(
    "text",
    [
        "I'll verify the measurements tonight",
        "my payment is pending on the app, can you wait?",
        "can you confirm your address for shipping?",
        "I paid, waiting on depop to confirm",
        "scan the barcode on the label at the post office",
        "scan the QR code at the post office to get your label printed",
        "did you receive the money?",
        "please release the hem for me",
        "the seller must have sent the wrong size",
        "is there a security tag on it?",
        "can you send me the code for the discount",
        "send me the tracking code please",
        "check your email for the receipt from depop",
        "what's the code for the discount?",
    ],
)
def test_everyday_marketplace_talk_is_not_a_lure(text: str) -> None:
    assert detect(text) == []


def test_two_families_together_score_higher_than_one() -> None:
    one = detect("please verify your account")[0].score
    two = detect("Depop Support Team: please verify your account")[0].score
    assert two > one >= 0.4


def test_a_link_and_urgency_raise_the_score() -> None:
    plain = detect("please verify your account")[0].score
    linked = detect("please verify your account https://example.org/x")[0]
    urgent = detect("please verify your account within 24 hours")[0]
    assert linked.score > plain and linked.details["with_link"]
    assert urgent.score > plain and urgent.details["urgency"]


def test_evidence_spans_point_into_the_original_text() -> None:
    text = "PayPal: Payment of £45 PENDING, seller must upgrade to business account"
    (signal,) = detect(text)
    evidence_reads(signal, text)


def test_family_scores_are_tunable() -> None:
    quiet = PhishingLanguage(PhishingLanguageParams(family_scores={"qr_lure": 0.1}))
    signals = run(quiet, "I sent you a QR code for payment")
    assert signals[0].score == pytest.approx(0.1)


def test_a_support_address_named_after_a_brand_is_fake_support() -> None:
    assert "fake_support" in families("contact depop.support@gmail.com for help")
    assert families("contact jane.doe@gmail.com for help") == []


def profile_families(username: str, display_name: str = "Jane", bio: str = "") -> list[str]:
    item = profile(username=username, display_name=display_name, bio=bio)
    signals = run(DETECTOR, item)
    return list(signals[0].details["families"]) if signals else []


def test_a_profile_named_like_marketplace_staff_is_impersonation() -> None:
    assert profile_families("depop_support") == ["impersonation"]
    assert "impersonation" in profile_families("jane_v", display_name="Vinted Safety Team")
    assert profile_families("jane_vintage", display_name="Jane") == []


def test_a_bio_that_mentions_support_is_not_impersonation() -> None:
    assert profile_families("jane_v", bio="Contact depop support if your parcel is lost") == []
