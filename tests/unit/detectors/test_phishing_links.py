"""phishing_links: lookalike, typosquat and homograph domains of protected brands."""

from __future__ import annotations

import pytest
from detector_runs import run

from trustwatch.detectors.base import Signal
from trustwatch.detectors.phishing_links import (
    PhishingLinks,
    PhishingLinksParams,
    edit_distance,
    skeleton,
)

DETECTOR = PhishingLinks(PhishingLinksParams())


def detect(
    text: str, marketplace: tuple[str, ...] = ("depop.com",), detector: PhishingLinks = DETECTOR
) -> list[Signal]:
    return run(detector, text, marketplace_domains=marketplace)


def finding(text: str, **kwargs: object) -> tuple[float, str | None, str | None]:
    signals = detect(text, **kwargs)  # type: ignore[arg-type]
    if not signals:
        return 0.0, None, None
    top = max(signals, key=lambda s: s.score)
    return top.score, top.details["kind"], top.details.get("lookalike_of")


@pytest.mark.parametrize(
    ("url", "kind", "brand"),
    [
        ("https://d3pop.com/login", "homoglyph", "depop"),
        ("https://d3pop-secure.com/login", "homoglyph", "depop"),
        ("https://depop.account-security.xyz/verify", "brand_in_domain", "depop"),
        ("https://depop-secure-payments.com", "brand_in_domain", "depop"),
        ("https://depopsecure.net/pay", "brand_in_domain", "depop"),
        ("https://dpeop.com/item", "typosquat", "depop"),
        ("https://depoop.com/item", "typosquat", "depop"),
        ("https://dеpop.com/login", "idn_homograph", "depop"),
        ("https://xn--dpop-2ve.com", "idn_homograph", "depop"),
        ("https://paypa1.com/signin", "homoglyph", "paypal"),
        ("https://paypal.com.verify-account.top/", "brand_in_domain", "paypal"),
        ("https://royalmail-redelivery.info/pay", "brand_in_domain", "royal mail"),
        ("https://evri-parcel-fee.com", "brand_in_domain", "evri"),
        ("https://ups-parcel-delivery.com", "brand_in_domain", "ups"),
        ("https://apple-id-verify.online", "brand_in_domain", "apple"),
        ("https://barclays-secure-login.com", "brand_in_domain", "barclays"),
        ("https://depop.com@evil.xyz/login", "brand_in_userinfo", "depop"),
    ],
)
def test_lookalikes_of_protected_brands_score_high(url: str, kind: str, brand: str) -> None:
    score, got_kind, got_brand = finding(f"go to {url} now")
    assert (got_kind, got_brand) == (kind, brand)
    assert score >= 0.8


@pytest.mark.parametrize(
    "url",
    [
        "https://www.depop.com/products/abc",
        "https://help.depop.com/hc/en-gb",
        "https://www.instagram.com/p/Cx1AbC/",
        "https://www.asos.com/discover/size-charts/",
        "https://www.paypal.com/uk/home",
        "https://www.royalmail.com/track-your-item",
        "https://groups.google.com/",
        "https://homedepot.com",
        "https://www.apple.com/uk",
        "https://www.vinted.co.uk/items/1",
    ],
)
def test_official_and_ordinary_links_do_not_fire(url: str) -> None:
    assert detect(f"look: {url}") == []


def test_shortener_and_ip_host_score_in_the_middle() -> None:
    shortener, kind, _ = finding("tracking https://bit.ly/3xYzQ2")
    assert kind == "shortener" and 0.3 <= shortener < 0.8
    ip, kind, _ = finding("see http://185.23.44.10/claim")
    assert kind == "ip_host" and 0.5 <= ip < 0.8


def test_risky_tld_needs_an_account_word_to_matter() -> None:
    plain, _, _ = finding("my shop https://fun-tshirts.xyz")
    lure, kind, _ = finding("https://secure-login.xyz")
    assert plain < 0.35 <= lure
    assert kind == "risky_tld_lure"


def test_one_edit_from_a_short_name_is_weak_unless_it_looks_deliberate() -> None:
    ordinary, _, _ = finding("https://depot.com")
    deliberate, _, _ = finding("https://dpeop.com")
    with_lure, _, _ = finding("https://depot-verify.com")
    assert ordinary < 0.5 <= deliberate
    assert with_lure >= 0.8


def test_marketplace_domains_come_from_the_pack_settings() -> None:
    assert finding("https://vinted-payments.com", marketplace=("depop.com",))[1] == (
        "brand_in_domain"
    )
    assert finding("https://shopfront-secure.com", marketplace=("shopfront.co.uk",))[2] == (
        "shopfront"
    )
    assert detect("https://www.shopfront.co.uk/item/1", marketplace=("shopfront.co.uk",)) == []


def test_extra_brands_are_configurable() -> None:
    detector = PhishingLinks(PhishingLinksParams(extra_brands={"acmebank": ["acmebank.com"]}))
    assert finding("https://acmebank-login.net", detector=detector)[2] == "acmebank"
    assert detect("https://acmebank.com", detector=detector) == []


def test_evidence_and_details_name_the_domain() -> None:
    text = "Your item sold! https://d3pop-secure.com/receive"
    (signal,) = detect(text)
    (span,) = signal.evidence
    assert text[span.start : span.end] == span.text == "https://d3pop-secure.com/receive"
    assert signal.details["host"] == "d3pop-secure.com"


def test_skeleton_folds_digits_and_lookalike_letters() -> None:
    assert skeleton("d3pop") == skeleton("depop")
    assert skeleton("раураl") == skeleton("paypal")
    assert skeleton("rnonzo") == skeleton("monzo")


def test_edit_distance_counts_a_swap_as_one() -> None:
    assert edit_distance("dpeop", "depop", 2) == 1
    assert edit_distance("depoop", "depop", 2) == 1
    assert edit_distance("abcdef", "uvwxyz", 2) == 3


def test_an_email_address_at_a_lookalike_domain_is_flagged() -> None:
    score, kind, brand = finding("write to support@depop-verification.com today")
    assert (kind, brand) == ("brand_in_domain", "depop") and score >= 0.8
    assert detect("my email is jane.doe@gmail.com") == []
    assert detect("email help@depop.com") == []
