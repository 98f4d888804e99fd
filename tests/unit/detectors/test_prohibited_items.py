"""prohibited_items: each category's terms, its exceptions, and the fashion collisions."""

from __future__ import annotations

from typing import Any

import pytest
from detector_runs import listing, message, run
from pydantic import ValidationError

from trustwatch.detectors.base import Item, Signal
from trustwatch.detectors.prohibited_items import ProhibitedItems, ProhibitedItemsParams

DETECTOR = ProhibitedItems(ProhibitedItemsParams())


def item(title: str, description: str = "", event_type: str = "listing.created") -> Item:
    if event_type == "message.sent":
        return message(title)
    return listing(title, description=description)


def detect(title: str, description: str = "", **kw: Any) -> list[Signal]:
    return run(DETECTOR, item(title, description, **kw))


def categories(title: str, description: str = "") -> set[str]:
    return {s.details["category"] for s in detect(title, description)}


@pytest.mark.parametrize(
    ("text", "category"),
    [
        ("Flick knife, chrome", "weapons"),
        ("Butterfly knife trainer", "weapons"),
        ("Brass knuckle duster", "weapons"),
        ("Taser 50000V", "weapons"),
        ("Pepper spray keyring", "weapons"),
        ("Glock 19 pistol", "weapons"),
        ("9mm ammo, 50 rounds", "weapons"),
        ("Crossbow with bolts", "weapons"),
        ("Zombie knife", "weapons"),
        ("Weed for sale", "drugs"),
        ("Cannabis oil 10ml", "drugs"),
        ("THC carts, all flavours", "drugs"),
        ("Grinder, perfect for 420", "drugs"),
        ("Glass bong 30cm", "drugs"),
        ("Coke, 1g bags", "drugs"),
        ("MDMA pills", "drugs"),
        ("Ketamine", "drugs"),
        ("Magic mushrooms, dried", "drugs"),
        ("Poppers amyl nitrite 10ml", "drugs"),
        ("Bottle of vodka, Smirnoff 70cl", "alcohol"),
        ("Moet champagne bottle 75cl", "alcohol"),
        ("Elf Bar 600", "tobacco"),
        ("Juul pods, mint", "tobacco"),
        ("Disposable vapes 20mg", "tobacco"),
        ("Snus, Zyn pouches", "tobacco"),
        ("200 cigarettes, Marlboro Gold", "tobacco"),
        ("Xanax bars 2mg", "medicines"),
        ("Diazepam tablets", "medicines"),
        ("Tramadol 50mg", "medicines"),
        ("Ozempic pen 1mg", "medicines"),
        ("Amoxicillin antibiotics", "medicines"),
        ("Carved ivory netsuke, antique", "wildlife"),
        ("Rhino horn cup", "wildlife"),
        ("Real tiger skin rug", "wildlife"),
        ("Ocelot fur coat", "wildlife"),
        ("Shahtoosh shawl", "wildlife"),
        ("Genuine tortoiseshell comb, antique", "wildlife"),
        ("Used panties, worn 3 days", "adult"),
        ("Vibrator, new in box", "adult"),
        ("Cobra 6 fireworks", "hazardous"),
        ("Asbestos sheets", "hazardous"),
        ("Liquid mercury 100g", "hazardous"),
    ],
)
def test_each_category_is_caught_and_reported(text: str, category: str) -> None:
    assert category in categories(text)


@pytest.mark.parametrize(
    "text",
    [
        "Khaki bomber jacket",
        "Knife pleat midi skirt, knife pleats",
        "Killer heels, red patent",
        "Bag with gunmetal hardware",
        "Ivory wedding dress, ivory lace",
        "Faux fur coat, fake fur",
        "Velvet smoking jacket",
        "Stihl weed eater",
        "Camo cargo pants",
        "Punk bullet belt",
        "YSL Black Opium perfume 90ml",
        "Opium eau de parfum",
        "Shot glass set",
        "Champagne satin slip dress",
        "Wine velvet blazer",
        "Black cigarette trousers",
        "Tobacco brown suede boots",
        "Leopard print skirt",
        "Faux leopard fur coat",
        "Kenzo tiger jumper",
        "Tiger's eye bracelet",
        "Guns N' Roses tee",
        "Rifle Paper Co notebook",
        "Baby sleepsuit with poppers",
        "Tortoiseshell sunglasses, acetate frames",
        "Jack Daniels t-shirt",
        "Diet coke vintage tee",
        "Hot glue gun",
        "Bullet journal",
        "Disposable camera",
        "Freddie Mercury tee",
        "Acid wash jeans",
        "Mushroom print dress",
        "Bath bomb set",
        "Coral pink sundress",
        "Great escape hoodie",
        "Ford Escort keyring",
        "Shotgun sleeve blouse",
        "Weed leaf print socks",
        "Sword necklace, silver",
        "Ivory colour knit jumper",
        "Tom Ford Tobacco Vanille",
        "Hermes Twilly scarf",
    ],
)
def test_fashion_collisions_stay_clean(text: str) -> None:
    assert detect(text) == []


def test_context_words_decide_ivory() -> None:
    assert detect("Ivory jumper with elephant print") == []
    assert categories("Ivory elephant figure") == {"wildlife"}


def test_categories_param_restricts_reporting() -> None:
    only_drugs = ProhibitedItems(ProhibitedItemsParams(categories=["drugs"]))
    signals = run(only_drugs, item("taser and a bong"))
    assert [s.details["category"] for s in signals] == ["drugs"]


def test_unknown_category_is_rejected_with_the_known_ones() -> None:
    with pytest.raises(ValidationError, match="known: adult"):
        ProhibitedItemsParams(categories=["guns"])


def test_more_distinct_terms_raise_the_score_but_nested_ones_do_not() -> None:
    one = max(s.score for s in detect("flick knife"))
    two = max(s.score for s in detect("flick knife and knuckle duster"))
    assert one < two <= 1.0
    (signal,) = detect("flick knife")
    assert signal.details["terms"] == ["flick knife"]


def test_messages_are_read_too() -> None:
    assert categories_of_message("got weed and shrooms, cash only") == {"drugs"}


def categories_of_message(text: str) -> set[str]:
    return {s.details["category"] for s in detect(text, event_type="message.sent")}


def test_evidence_points_at_the_original_text() -> None:
    title = "Ｔａｓｅｒ stun gun"
    (signal,) = detect(title)
    assert {title[e.start : e.end] for e in signal.evidence} >= {"Ｔａｓｅｒ"}


def test_kitchen_knives_are_weaker_than_weapon_knives() -> None:
    (kitchen,) = detect("Chef knife set, kitchen")
    (weapon,) = detect("Zombie knife")
    assert 0.5 <= kitchen.score < 0.75 <= weapon.score
