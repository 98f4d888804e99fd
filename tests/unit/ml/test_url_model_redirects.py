"""The URL model skips a brand's own site, but not a link of it that forwards elsewhere."""

from __future__ import annotations

from pathlib import Path

import pytest
from ml_builders import one_policy_pack

from trustwatch.detectors.url_model import forwards_elsewhere
from trustwatch.engine import Engine
from trustwatch.policy.pack import load_pack


@pytest.mark.parametrize(
    "url,expected",
    [
        ("https://www.google.com/url?q=http://cmffltd.com/wp/Account/index.php", True),
        ("http://www.google.com/url?q=http%3A%2F%2Funclekick.com%2Fadmin", True),
        ("https://www.google.com/a/x.ca/ServiceLogin?continue=https://sites.google.com/a", True),
        ("https://www.google.com/search?q=levis+501+http", False),
        ("https://www.paypal.com/signin", False),
        ("http://paypal.com", False),
    ],
)
def test_forwards_elsewhere_finds_a_url_carried_after_the_host(url: str, expected: bool) -> None:
    assert forwards_elsewhere(url) is expected


def test_a_brands_redirect_link_is_scored_and_its_own_page_is_not(
    tmp_path: Path,
    make_message,  # type: ignore[no-untyped-def]
) -> None:
    detector = {"use": "url_model", "params": {"model": "phishing_url@promoted"}}
    engine = Engine(load_pack(one_policy_pack(tmp_path, [detector], policy="phishing")))
    redirect = "https://www.google.com/url?q=http://cmffltd.com/wp-zbxb/mobile/Account/index.php"
    forwarded = engine.evaluate(make_message(f"see {redirect}"))
    own_page = engine.evaluate(make_message("see https://www.google.com/search?q=vintage+levis"))
    assert [s.detector for s in forwarded.policies[0].signals] == ["url_model"]
    assert not own_page.policies[0].signals


def test_a_carriers_tracking_host_is_its_own_site_but_a_shared_host_is_not(
    tmp_path: Path,
    make_message,  # type: ignore[no-untyped-def]
) -> None:
    """USPS's tracking page lives on tools.usps.com (USPS hosts nobody else's pages), so it
    reads as trusted; docs.google.com hosts anyone's forms, so it stays scored."""
    from trustwatch.detectors.base import Item
    from trustwatch.detectors.url_model import URL_KINDS, trusted_link
    from trustwatch.events import parse_event

    def links(text: str) -> list[bool]:
        item = Item(parse_event(make_message(text)))
        return [
            trusted_link(e, ("depop.com",)) for _f, e in item.all_entities if e.kind in URL_KINDS
        ]

    assert links("https://tools.usps.com/go/TrackConfirmAction?tLabels=9400111202555842") == [True]
    assert links("https://docs.google.com/forms/d/e/1FAIpQL/viewform") == [False]
    assert links("https://tools.usps.com.redeliver-fee.top/pay") == [False]
    detector = {"use": "url_model", "params": {"model": "phishing_url@promoted"}}
    engine = Engine(load_pack(one_policy_pack(tmp_path, [detector], policy="phishing")))
    tracking = (
        "tracking link: https://tools.usps.com/go/trackconfirmaction?tlabels=9400711984033568960700"
    )
    assert not engine.evaluate(make_message(tracking)).policies[0].signals
