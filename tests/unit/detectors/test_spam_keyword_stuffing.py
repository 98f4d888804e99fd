"""keyword_stuffing: brand, tag and hashtag walls in listings."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from trustwatch.counters import InMemoryCounters
from trustwatch.detectors.base import Context, Item, Signal
from trustwatch.detectors.keyword_stuffing import KeywordStuffing, KeywordStuffingParams
from trustwatch.events import parse_event
from trustwatch.verdicts import Mode

DETECTOR = KeywordStuffing(KeywordStuffingParams())


def detect(
    title: str,
    description: str = "",
    brand: str | None = None,
    detector: KeywordStuffing = DETECTOR,
) -> list[Signal]:
    event = parse_event(
        {
            "id": "e",
            "type": "listing.created",
            "occurred_at": "2026-11-02T10:15:00Z",
            "actor": {"id": "u_1"},
            "listing": {"id": "l", "title": title, "description": description, "brand": brand},
        }
    )
    ctx = Context(Mode.LIVE, datetime(2026, 11, 2, tzinfo=UTC), InMemoryCounters())
    return detector.detect(Item(event), ctx)


def score(title: str, description: str = "", brand: str | None = None) -> float:
    return max((s.score for s in detect(title, description, brand)), default=0.0)


@pytest.mark.parametrize(
    ("title", "description"),
    [
        ("Plain white tee", "size M nike adidas gucci prada supreme vintage y2k"),
        ("nike adidas stussy carhartt supreme palace bape hoodie", "hoodie size L"),
        ("Jeans", "nike / adidas / gucci / prada / balenciaga / off white / stone island"),
        ("Dress", "#zara #dress #summer #y2k #vintage #cute #party #boho #festival #beach"),
        ("Skirt", "tags: vintage y2k retro grunge aesthetic streetwear 90s goth emo indie"),
        ("Tee", "Nike, Adidas, Gucci, Prada, Supreme, Balenciaga, Vintage, Y2K"),
    ],
)
def test_walls_of_brands_tags_or_hashtags_are_stuffing(title: str, description: str) -> None:
    assert score(title, description) >= 0.6


@pytest.mark.parametrize(
    ("title", "description"),
    [
        ("Bundle of 4 tees", "Bundle of 4 tees: Nike, Adidas, Puma and Reebok, all size M"),
        ("Vintage 90s Nike windbreaker", "y2k aesthetic, streetwear, great condition"),
        ("Zara midi dress", "Fits like Zara or H&M, true to size. Perfect for summer parties."),
        ("Nike hoodie", "Nike hoodie with Nike logo and Nike tags, size M"),
        ("Levi's 501", "Levi's 501 jeans, W30 L32. Similar to Lee or Wrangler fits."),
        ("Tee", "#vintage #y2k #nike #band #tee"),
    ],
)
def test_honest_descriptions_are_not_stuffing(title: str, description: str) -> None:
    assert detect(title, description) == []


def test_heavy_walls_score_higher() -> None:
    light = score("Tee", "nike adidas gucci prada supreme vintage")
    heavy = score(
        "Tee", "nike adidas gucci prada supreme bape stussy palace carhartt vintage y2k retro"
    )
    assert heavy > light


def test_brands_unrelated_to_the_item_add_to_the_score() -> None:
    text = "nike adidas gucci prada supreme vintage"
    assert score("Tee", text, brand="Topshop") > score("Tee", text, brand="Nike")


def test_evidence_is_the_run_in_the_original_text() -> None:
    description = "Lovely tee. NIKE ADIDAS GUCCI PRADA SUPREME VINTAGE Y2K"
    (signal,) = detect("Tee", description)
    (span,) = signal.evidence
    assert span.field == "listing.description"
    assert (
        span.text
        == description[span.start : span.end]
        == "NIKE ADIDAS GUCCI PRADA SUPREME VINTAGE Y2K"
    )
    assert signal.details["brands"] == ["adidas", "gucci", "nike", "prada", "supreme"]


def test_a_hashtag_wall_spelled_out_with_separators_is_still_a_wall() -> None:
    tags = ["zara", "dress", "summer", "vintage", "cute", "party", "boho", "festival"]
    # Spaced tags sit two spaces apart, as people write them: "# c u t e  # p a r t y".
    description = "  ".join(
        "#" + sep + sep.join(tag) for tag, sep in zip(tags, "-_* " * 2, strict=True)
    )
    (signal,) = detect("Dress", description)
    assert signal.details == {"kind": "hashtag_wall", "hashtags": 8}


def test_thresholds_are_tunable() -> None:
    strict = KeywordStuffing(KeywordStuffingParams(min_brands=2, min_run=2))
    assert detect("Tee", "nike adidas", detector=strict)
