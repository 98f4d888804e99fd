"""contact_off_platform: numbers, emails and messaging handles, and requests to talk elsewhere."""

from __future__ import annotations

import pytest
from detector_runs import evidence_reads, listing, profile, run, top_score

from trustwatch.detectors.base import Item, Signal
from trustwatch.detectors.contact_off_platform import ContactOffPlatform, ContactOffPlatformParams

DETECTOR = ContactOffPlatform(ContactOffPlatformParams())
WARN = 0.4


def detect(what: str | Item) -> list[Signal]:
    return run(DETECTOR, what)


def score(what: str | Item) -> float:
    return top_score(detect(what))


@pytest.mark.parametrize(
    "text",
    [
        "text me on whatsapp",
        "add me on insta for more pics",
        "message me on signal",
        "can you send me your number?",
        "what's your email?",
        "let's talk on telegram instead",
        "my whatsapp number is below",
        "my insta: janes.closet",
        "whatsapp me",
        "cheaper on insta",
        "https://wa.me/447700900123",
        "https://t.me/janedoe",
        "add me on the 📷 app, same name as here",
        "do u have the green app? easier to chat there",
        "prices on insta, same name",
    ],
)
def test_requests_to_talk_off_the_app_reach_the_warning_band(text: str) -> None:
    assert score(text) >= WARN


@pytest.mark.parametrize(
    "text",
    [
        "whatsapp me? no thanks, I'll keep it in the app",
        "Signal hoodie, size M, barely worn",
        "dm me if you have any questions",
        "text me when it's shipped",
        "it's a snapchat filter print tee",
        "I got scammed on whatsapp once so I only buy here",
        "my phone is broken so replies are slow",
        "here's a pic of me in it https://www.instagram.com/p/Cx1AbC/",
        "my dm's are open for offers",
        "message me on the depop app if you have questions",
        "I love the green apple colour on this",
        "the price on the app is final",
    ],
)
def test_app_names_and_in_app_talk_are_not_flagged(text: str) -> None:
    assert score(text) < WARN


def test_a_signal_brand_name_alone_is_not_a_contact_request() -> None:
    assert detect(listing("Signal streetwear hoodie")) == []


def test_a_messaging_link_is_stronger_than_a_bare_request() -> None:
    assert score("https://wa.me/447700900123") > score("message me on whatsapp")


def test_a_link_plus_a_request_is_strongest() -> None:
    assert score("message me on whatsapp https://wa.me/447700900123") >= 0.85


def test_refusal_cancels_a_request_but_not_a_shared_link() -> None:
    assert score("whatsapp me? no thanks, I'll keep it in the app") < WARN
    assert score("no thanks to the app, https://wa.me/447700900123") >= 0.6


def test_evidence_spans_point_into_the_original_text() -> None:
    text = "Heyy, ADD ME on Insta pls"
    (signal,) = detect(text)
    evidence_reads(signal, text)
    assert signal.details["strength"] == "request"


def test_profile_bio_handle_is_flagged() -> None:
    assert score(profile(bio="Vintage seller, cheaper on insta, add me @janes.closet")) >= WARN
