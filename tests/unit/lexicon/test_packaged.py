"""The packaged lexicons load, are big enough, and their data is consistent."""

from __future__ import annotations

import json
from pathlib import Path
from types import ModuleType

import pytest

from trustwatch.lexicon import DATA_DIR, load_lexicon

CPSC_CSV = Path("/work/shared/data/cpsc_recalls/cpsc_recalls.csv")


def test_counterfeit_lexicon_has_150_brands_each_with_a_priced_tier() -> None:
    lex = load_lexicon("counterfeit")
    brands = [t for t in lex.terms if t.category == "brand"]
    names = {str(t.data.get("brand", t.term)) for t in brands}
    assert len(names) >= 150
    floors = lex.data["price_floors"]
    for t in brands:
        assert t.data["tier"] in floors, t.term
    for must in ("gucci", "louis vuitton", "chanel", "hermès", "rolex", "nike", "stone island"):
        assert must in names


def test_counterfeit_lexicon_has_every_vocabulary() -> None:
    assert set(load_lexicon("counterfeit").categories) == {
        "assurance",
        "brand",
        "item",
        "packaging",
        "replica",
        "wholesale",
    }


def test_prohibited_lexicon_covers_every_category() -> None:
    assert set(load_lexicon("prohibited").categories) == {
        "adult",
        "alcohol",
        "drugs",
        "hazardous",
        "medicines",
        "tobacco",
        "weapons",
        "wildlife",
    }


def test_recall_list_has_models_brands_and_products() -> None:
    lex = load_lexicon("recalls")
    assert set(lex.categories) == {"recall_brand", "recall_model", "recall_product"}
    assert len(lex.data["recalls"]) > 250


@pytest.mark.skipif(not CPSC_CSV.exists(), reason="CPSC snapshot not present on this machine")
def test_shipped_recall_list_is_what_the_builder_makes(recalls_builder: ModuleType) -> None:
    shipped = json.loads((DATA_DIR / "recalls.json").read_text(encoding="utf-8"))
    assert shipped == json.loads(json.dumps(recalls_builder.build(CPSC_CSV)))
