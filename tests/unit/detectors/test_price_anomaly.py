"""price_anomaly: a protected brand priced far below a genuine item's resale floor."""

from __future__ import annotations

from typing import Any

import pytest
from detector_runs import listing, run, top_score
from pydantic import ValidationError

from trustwatch.detectors.base import Signal
from trustwatch.detectors.price_anomaly import PriceAnomaly, PriceAnomalyParams

DETECTOR = PriceAnomaly(PriceAnomalyParams())


def detect(
    title: str, price: float | None, currency: str = "GBP", description: str = "", **extra: Any
) -> list[Signal]:
    if price is not None:
        extra["price"] = {"amount": price, "currency": currency}
    return run(DETECTOR, listing(title, description=description, **extra))


def score(title: str, price: float | None, **kw: Any) -> float:
    return top_score(detect(title, price, **kw))


def test_a_gucci_bag_at_25_pounds_is_anomalous() -> None:
    (signal,) = detect("Gucci bag", 25, brand="Gucci", category="bags")
    assert signal.score >= 0.5
    assert signal.details["brand"] == "gucci"
    assert signal.details["kind"] == "bags"
    assert signal.details["floor_gbp"] == 200


def test_brand_and_kind_can_come_from_the_text() -> None:
    (signal,) = detect("Louis Vuitton Neverfull tote", 30)
    assert signal.details["kind"] == "bags" and signal.details["floor_gbp"] == 300


def test_the_lower_the_price_the_higher_the_score() -> None:
    scores = [score("Gucci bag", p) for p in (10, 50, 90, 200)]
    assert scores == sorted(scores, reverse=True)
    assert scores[-1] == 0.0


@pytest.mark.parametrize(
    ("title", "price", "extra"),
    [
        ("Nike trainers, worn twice", 40, {"brand": "Nike", "category": "shoes"}),
        ("Zara dress", 5, {}),
        ("Gucci dust bag", 10, {}),
        ("Gucci Marmont bag", 650, {}),
        ("Rolex box only", 60, {}),
        ("Dior lip oil", 5, {}),
        ("Adidas Samba", 30, {"brand": "Adidas"}),
    ],
)
def test_normal_prices_packaging_and_cheap_brands_are_clean(
    title: str, price: float, extra: dict[str, Any]
) -> None:
    assert detect(title, price, **extra) == []


def test_watch_brands_default_to_watch_floors() -> None:
    (signal,) = detect("Rolex Submariner", 150)
    assert signal.details["kind"] == "watches" and signal.details["floor_gbp"] == 2500


def test_currency_is_converted_and_unknown_currencies_are_skipped() -> None:
    assert score("Gucci bag", 60, currency="USD") > 0
    assert detect("Gucci bag", 25, currency="XYZ") == []


def test_no_price_no_signal() -> None:
    assert detect("Gucci bag", None) == []


def test_a_single_price_in_the_text_stands_in_for_the_price_field() -> None:
    (signal,) = detect("Gucci bag only £25", None)
    assert signal.details["price_gbp"] == 25.0
    assert any(e.text == "£25" for e in signal.evidence)


def test_several_prices_in_the_text_are_ambiguous() -> None:
    assert detect("Gucci bag £300", None, description="postage £5") == []


def test_steps_are_validated() -> None:
    with pytest.raises(ValidationError):
        PriceAnomalyParams.model_validate({"steps": [{"below": 2.0, "score": 0.5}]})
