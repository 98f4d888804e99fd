"""recalled_products and the recall list builder: model numbers, or brand plus product."""

from __future__ import annotations

import csv
import json
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from detector_runs import listing, run

from trustwatch.detectors.base import Signal
from trustwatch.detectors.recalled_products import RecalledProducts, RecalledProductsParams
from trustwatch.lexicon import Lexicon

DETECTOR = RecalledProducts(RecalledProductsParams())


def detect(title: str, description: str = "", **extra: Any) -> list[Signal]:
    return run(DETECTOR, listing(title, description=description, **extra))


def test_brand_and_product_of_one_recall_match() -> None:
    (signal,) = detect("Autobrush Sonic Pro kids toothbrush", "never used")
    assert signal.score >= 0.8
    assert signal.details["category"] == "recalled"
    assert signal.details["recall_number"] == "26434"
    assert signal.details["url"].startswith("https://www.cpsc.gov/Recalls/")


def test_a_model_number_matches_and_a_name_strengthens_it() -> None:
    alone = detect("Toy set SFTODD05IN1")
    named = detect("SpringFlower Montessori toy set SFTODD05IN1")
    assert alone and named and named[0].score > alone[0].score


@pytest.mark.parametrize(
    ("title", "description"),
    [
        ("Heated socks, black, size L", ""),
        ("Pressure washer", "works fine"),
        ("Nike trainers", "worn twice"),
        ("Head to toe outfit bundle", "ski boots not included"),
        ("Belkin", ""),
        ("Vintage Levi's 501 jeans", "W32 L32"),
    ],
)
def test_generic_words_alone_do_not_match(title: str, description: str) -> None:
    assert detect(title, description) == []


def test_builder_extracts_brands_products_and_models(
    tmp_path: Path, recalls_builder: ModuleType
) -> None:
    rows = [
        {
            "recall_id": "1",
            "recall_number": "26001",
            "title": "Acmecorp Recalls Glow Kids Night Lights Due to Burn Hazard",
            "description": 'Acmecorp night lights, model GL-2041 and "GL2042".',
            "remedy": "Refund",
            "manufacturer": "",
            "hazards": "The lights can overheat.",
            "recall_date": "2026-01-02",
            "url": "https://www.cpsc.gov/Recalls/2026/x",
            "captured_at": "",
        },
        {
            "recall_id": "2",
            "recall_number": "26002",
            "title": "Baby Loungers Recalled Due to Suffocation Hazard; Imported by ZZTOP HOME",
            "description": "This recall involves ZZTOP HOME-branded baby loungers, model 1234.",
            "remedy": "Refund",
            "manufacturer": "",
            "hazards": "",
            "recall_date": "2026-01-03",
            "url": "https://www.cpsc.gov/Recalls/2026/y",
            "captured_at": "",
        },
    ]
    path = tmp_path / "recalls.csv"
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    doc = recalls_builder.build(path)
    by_category: dict[str, set[str]] = {}
    for t in doc["terms"]:
        by_category.setdefault(t["category"], set()).add(t["term"])
    assert {"gl-2041", "gl2042"} <= by_category["recall_model"]
    assert "1234" not in by_category["recall_model"]  # digits only: too generic
    assert {"acmecorp", "zztop home"} <= by_category["recall_brand"]
    assert {"night lights", "night light", "baby lounger"} <= by_category["recall_product"]
    assert doc["data"]["recalls"]["26002"]["date"] == "2026-01-03"
    lexicon = Lexicon.from_dicts([("built", json.loads(json.dumps(doc)))])
    assert {h.category for h in lexicon.search_text("ZZTOP HOME baby lounger")} == {
        "recall_brand",
        "recall_product",
    }
