"""Second-hand fashion vocabulary: brands, products, sizes, conditions, prices, locales.

Prices are medians in GBP for an item in good used condition, eyeballed from public
resale listings; they drive plausible (not measured) price distributions.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass

# Exchange rates only need to be plausible: prices are synthetic.
RATES = {"GBP": 1.0, "USD": 1.27, "EUR": 1.17, "AUD": 1.95, "CAD": 1.74}
SYMBOLS = {"GBP": "£", "USD": "$", "EUR": "€", "AUD": "A$", "CAD": "C$"}


@dataclass(frozen=True, slots=True)
class Locale:
    country: str
    currency: str
    english: str  # "GB" or "US" spelling and vocabulary


LOCALES: tuple[tuple[Locale, float], ...] = (
    (Locale("GB", "GBP", "GB"), 0.52),
    (Locale("US", "USD", "US"), 0.30),
    (Locale("IE", "EUR", "GB"), 0.05),
    (Locale("AU", "AUD", "GB"), 0.05),
    (Locale("CA", "CAD", "US"), 0.04),
    (Locale("FR", "EUR", "GB"), 0.02),
    (Locale("DE", "EUR", "GB"), 0.02),
)


def words(english: str, text: str) -> str:
    """Resolve ``gb~us`` pairs (``trainers~sneakers``) for one variety of English."""
    if "~" not in text:
        return text
    out = []
    for token in text.split(" "):
        if "~" in token:
            gb, us = token.split("~", 1)
            token = gb if english == "GB" else us
        out.append(token)
    return " ".join(out)


@dataclass(frozen=True, slots=True)
class Product:
    name: str
    category: str
    median_gbp: float


@dataclass(frozen=True, slots=True)
class Brand:
    name: str
    tier: str  # high_street | mid | premium | luxury | hype
    products: tuple[Product, ...]
    aliases: tuple[str, ...] = ()

    @property
    def counterfeited(self) -> bool:
        return self.tier in ("luxury", "hype")


def _p(name: str, category: str, median: float) -> Product:
    return Product(name, category, median)


TIER_MEDIAN_GBP = {
    "high_street": 10.0,
    "mid": 28.0,
    "premium": 75.0,
    "luxury": 380.0,
    "hype": 140.0,
}

# Generic items any brand of a tier may list, with a multiplier on the tier median.
GENERIC_ITEMS: tuple[tuple[str, str, float], ...] = (
    ("crop top", "tops", 0.6),
    ("baby tee", "tops", 0.6),
    ("graphic tee", "tops", 0.7),
    ("cami top", "tops", 0.6),
    ("corset top", "tops", 0.9),
    ("polo shirt", "tops", 0.8),
    ("rugby shirt", "tops", 1.0),
    ("blouse", "tops", 0.8),
    ("oversized shirt", "tops", 0.9),
    ("jumper~sweater", "knitwear", 1.1),
    ("cardigan", "knitwear", 1.0),
    ("knitted vest", "knitwear", 0.8),
    ("quarter zip", "knitwear", 1.1),
    ("hoodie", "hoodies", 1.2),
    ("zip hoodie", "hoodies", 1.2),
    ("sweatshirt", "hoodies", 1.0),
    ("denim jacket", "jackets", 1.4),
    ("puffer jacket", "jackets", 1.8),
    ("harrington jacket", "jackets", 1.5),
    ("leather jacket", "jackets", 2.5),
    ("fleece", "jackets", 1.2),
    ("windbreaker", "jackets", 1.2),
    ("trench coat", "coats", 2.2),
    ("wool coat", "coats", 2.2),
    ("parka", "coats", 2.0),
    ("baggy jeans", "jeans", 1.2),
    ("mom jeans", "jeans", 1.0),
    ("flared jeans", "jeans", 1.1),
    ("straight leg jeans", "jeans", 1.1),
    ("cargo trousers~pants", "trousers", 1.1),
    ("wide leg trousers~pants", "trousers", 1.0),
    ("joggers", "trousers", 0.9),
    ("slip dress", "dresses", 1.1),
    ("midi dress", "dresses", 1.2),
    ("maxi dress", "dresses", 1.3),
    ("mini dress", "dresses", 1.0),
    ("wrap dress", "dresses", 1.1),
    ("mini skirt", "skirts", 0.8),
    ("midi skirt", "skirts", 0.9),
    ("pleated skirt", "skirts", 0.9),
    ("trainers~sneakers", "shoes", 1.6),
    ("loafers", "shoes", 1.6),
    ("heels", "shoes", 1.4),
    ("Mary Janes", "shoes", 1.3),
    ("platform boots", "shoes", 1.9),
    ("Chelsea boots", "shoes", 1.8),
    ("shoulder bag", "bags", 1.5),
    ("tote bag", "bags", 1.0),
    ("crossbody bag", "bags", 1.3),
    ("backpack", "bags", 1.2),
    ("belt", "accessories", 0.7),
    ("scarf", "accessories", 0.7),
    ("beanie", "accessories", 0.5),
    ("cap", "accessories", 0.6),
    ("bucket hat", "accessories", 0.6),
    ("sunglasses", "accessories", 1.0),
    ("card holder", "accessories", 0.8),
)

BRANDS: tuple[Brand, ...] = (
    Brand("Zara", "high_street", (_p("satin slip skirt", "skirts", 12),)),
    Brand("H&M", "high_street", (_p("oversized blazer", "jackets", 12),)),
    Brand("Primark", "high_street", ()),
    Brand("ASOS", "high_street", ()),
    Brand("Topshop", "high_street", (_p("Jamie jeans", "jeans", 14), _p("Mom jeans", "jeans", 13))),
    Brand("Shein", "high_street", ()),
    Brand("New Look", "high_street", ()),
    Brand("PrettyLittleThing", "high_street", (), ("PLT",)),
    Brand("Urban Outfitters", "mid", (_p("BDG baggy jeans", "jeans", 22),), ("UO",)),
    Brand(
        "Brandy Melville",
        "mid",
        (_p("Priscilla pants", "trousers", 18), _p("baby tee", "tops", 12)),
    ),
    Brand(
        "Levi's",
        "mid",
        (
            _p("501 jeans", "jeans", 32),
            _p("505 jeans", "jeans", 30),
            _p("Ribcage jeans", "jeans", 35),
            _p("trucker jacket", "jackets", 40),
            _p("orange tab jeans", "jeans", 38),
        ),
        ("levis",),
    ),
    Brand(
        "Nike",
        "mid",
        (
            _p("Air Force 1", "shoes", 45),
            _p("Dunk Low", "shoes", 70),
            _p("Air Max 90", "shoes", 55),
            _p("Air Max 95", "shoes", 65),
            _p("Tech Fleece joggers", "trousers", 45),
            _p("vintage windbreaker", "jackets", 30),
            _p("Cortez", "shoes", 40),
        ),
    ),
    Brand(
        "Adidas",
        "mid",
        (
            _p("Samba OG", "shoes", 55),
            _p("Gazelle", "shoes", 45),
            _p("Spezial", "shoes", 50),
            _p("Firebird track jacket", "jackets", 30),
            _p("track pants", "trousers", 22),
        ),
        ("adi",),
    ),
    Brand(
        "New Balance",
        "mid",
        (
            _p("550", "shoes", 55),
            _p("9060", "shoes", 80),
            _p("2002R", "shoes", 70),
            _p("530", "shoes", 50),
        ),
        ("NB",),
    ),
    Brand(
        "Carhartt",
        "mid",
        (
            _p("Detroit jacket", "jackets", 85),
            _p("double knee pants", "trousers", 45),
            _p("carpenter jeans", "jeans", 40),
            _p("Active jacket", "jackets", 60),
        ),
        ("carhartt wip",),
    ),
    Brand(
        "Ralph Lauren",
        "mid",
        (
            _p("cable knit jumper~sweater", "knitwear", 45),
            _p("Oxford shirt", "tops", 22),
            _p("polo shirt", "tops", 20),
            _p("quarter zip", "knitwear", 30),
        ),
        ("RL", "Polo"),
    ),
    Brand("Tommy Hilfiger", "mid", (_p("vintage flag jacket", "jackets", 35),), ("Tommy",)),
    Brand("Lacoste", "mid", (_p("polo shirt", "tops", 22),)),
    Brand("Fred Perry", "mid", (_p("twin tipped polo", "tops", 24),)),
    Brand(
        "Dr. Martens",
        "mid",
        (
            _p("1460 boots", "shoes", 55),
            _p("Jadon platform boots", "shoes", 75),
            _p("Adrian loafers", "shoes", 50),
        ),
        ("docs", "DMs"),
    ),
    Brand("Converse", "mid", (_p("Chuck 70", "shoes", 35), _p("Run Star Hike", "shoes", 40))),
    Brand("Vans", "mid", (_p("Old Skool", "shoes", 28), _p("Sk8-Hi", "shoes", 30))),
    Brand("UGG", "mid", (_p("Tasman slippers", "shoes", 60), _p("Ultra Mini boots", "shoes", 70))),
    Brand("Under Armour", "mid", (_p("compression top", "tops", 14),), ("UA",)),
    Brand("COS", "mid", (_p("wool coat", "coats", 55),)),
    Brand("Arket", "mid", ()),
    Brand("& Other Stories", "mid", ()),
    Brand("Reformation", "premium", (_p("Juliette dress", "dresses", 90),), ("Ref",)),
    Brand("Ganni", "premium", (_p("seersucker dress", "dresses", 85),)),
    Brand("AllSaints", "premium", (_p("leather biker jacket", "jackets", 120),)),
    Brand(
        "Barbour",
        "premium",
        (
            _p("Bedale wax jacket", "jackets", 95),
            _p("Beaufort wax jacket", "jackets", 100),
        ),
    ),
    Brand(
        "Patagonia",
        "premium",
        (
            _p("Retro-X fleece", "jackets", 80),
            _p("Synchilla fleece", "jackets", 55),
        ),
        ("Patagucci",),
    ),
    Brand(
        "The North Face",
        "premium",
        (
            _p("Nuptse 1996 puffer", "jackets", 140),
            _p("Denali fleece", "jackets", 50),
        ),
        ("TNF", "north face"),
    ),
    Brand(
        "Arc'teryx",
        "premium",
        (
            _p("Beta LT jacket", "jackets", 220),
            _p("Atom hoody", "jackets", 130),
        ),
        ("arcteryx", "arc"),
    ),
    Brand("Salomon", "premium", (_p("XT-6", "shoes", 110),)),
    Brand(
        "Vivienne Westwood",
        "luxury",
        (
            _p("orb pearl necklace", "jewellery", 180),
            _p("Mini Bas Relief necklace", "jewellery", 120),
        ),
        ("VW", "viv westwood"),
    ),
    Brand(
        "Stone Island",
        "hype",
        (
            _p("crewneck sweatshirt", "hoodies", 110),
            _p("overshirt", "jackets", 160),
            _p("Ghost piece jacket", "jackets", 280),
        ),
        ("SI", "stoney"),
    ),
    Brand(
        "Moncler",
        "luxury",
        (
            _p("Maya puffer jacket", "jackets", 650),
            _p("gilet~vest", "jackets", 400),
        ),
    ),
    Brand(
        "Canada Goose",
        "luxury",
        (
            _p("Expedition parka", "coats", 550),
            _p("Chilliwack bomber", "jackets", 450),
        ),
        ("CG",),
    ),
    Brand(
        "Louis Vuitton",
        "luxury",
        (
            _p("Neverfull MM", "bags", 900),
            _p("Speedy 30", "bags", 650),
            _p("Pochette Métis", "bags", 1500),
            _p("Multi Pochette", "bags", 1200),
            _p("monogram wallet", "accessories", 300),
        ),
        ("LV",),
    ),
    Brand(
        "Gucci",
        "luxury",
        (
            _p("Marmont bag", "bags", 800),
            _p("Ace trainers~sneakers", "shoes", 250),
            _p("Horsebit loafers", "shoes", 350),
            _p("GG belt", "accessories", 220),
            _p("Jackie bag", "bags", 1100),
        ),
    ),
    Brand(
        "Prada",
        "luxury",
        (
            _p("Re-Edition 2005 nylon bag", "bags", 800),
            _p("Re-Nylon bucket hat", "accessories", 250),
            _p("Monolith loafers", "shoes", 550),
        ),
    ),
    Brand(
        "Chanel",
        "luxury",
        (
            _p("Classic Flap bag", "bags", 5500),
            _p("2.55 bag", "bags", 4800),
            _p("CC earrings", "jewellery", 350),
            _p("ballet flats", "shoes", 450),
        ),
    ),
    Brand(
        "Dior",
        "luxury",
        (
            _p("Saddle bag", "bags", 2200),
            _p("B23 trainers~sneakers", "shoes", 500),
            _p("Book Tote", "bags", 1900),
        ),
    ),
    Brand(
        "Balenciaga",
        "luxury",
        (
            _p("Triple S", "shoes", 350),
            _p("Speed trainers~sneakers", "shoes", 250),
            _p("City bag", "bags", 600),
            _p("Le Cagole bag", "bags", 1000),
        ),
        ("Balenci",),
    ),
    Brand(
        "Burberry",
        "luxury",
        (
            _p("Kensington trench coat", "coats", 650),
            _p("Nova check scarf", "accessories", 180),
        ),
    ),
    Brand("Saint Laurent", "luxury", (_p("Lou camera bag", "bags", 800),), ("YSL",)),
    Brand("Miu Miu", "luxury", (_p("ballet flats", "shoes", 500), _p("Wander bag", "bags", 1100))),
    Brand("Bottega Veneta", "luxury", (_p("Jodie bag", "bags", 1300),), ("Bottega",)),
    Brand(
        "Hermès",
        "luxury",
        (
            _p("Birkin 30", "bags", 14000),
            _p("Oran sandals", "shoes", 450),
            _p("silk scarf", "accessories", 250),
        ),
        ("Hermes",),
    ),
    Brand(
        "Rolex",
        "luxury",
        (
            _p("Submariner", "watches", 9000),
            _p("Datejust 36", "watches", 6500),
        ),
    ),
    Brand(
        "Cartier",
        "luxury",
        (
            _p("Love bracelet", "jewellery", 4500),
            _p("Juste un Clou bracelet", "jewellery", 4800),
        ),
    ),
    Brand(
        "Chrome Hearts",
        "hype",
        (
            _p("cross patch hoodie", "hoodies", 700),
            _p("cross pendant", "jewellery", 450),
        ),
        ("CH",),
    ),
    Brand("Off-White", "hype", (_p("Industrial belt", "accessories", 120),), ("OW",)),
    Brand("Supreme", "hype", (_p("box logo hoodie", "hoodies", 350),), ("sup", "bogo")),
    Brand("Stüssy", "hype", (_p("8 Ball tee", "tops", 55),), ("Stussy",)),
    Brand(
        "Jordan",
        "hype",
        (
            _p("1 High Chicago", "shoes", 300),
            _p("4 Black Cat", "shoes", 280),
            _p("1 Low Travis Scott", "shoes", 900),
            _p("4 Military Black", "shoes", 230),
        ),
        ("AJ1", "AJ4"),
    ),
    Brand(
        "Yeezy",
        "hype",
        (
            _p("350 V2 Zebra", "shoes", 200),
            _p("Foam Runner", "shoes", 110),
            _p("Slides", "shoes", 80),
        ),
        ("yzy",),
    ),
    Brand("Fear of God Essentials", "hype", (_p("hoodie", "hoodies", 60),), ("FOG",)),
    Brand("Corteiz", "hype", (_p("Alcatraz cargos", "trousers", 120),), ("crtz",)),
    Brand("Trapstar", "hype", (_p("Irongate puffer", "jackets", 160),)),
    Brand("Sp5der", "hype", (_p("web hoodie", "hoodies", 180),)),
    Brand("Hellstar", "hype", (_p("flame hoodie", "hoodies", 160),)),
    Brand("BAPE", "hype", (_p("shark hoodie", "hoodies", 250), _p("Bapesta", "shoes", 180))),
)

BRANDS_BY_TIER: dict[str, tuple[Brand, ...]] = {
    tier: tuple(b for b in BRANDS if b.tier == tier) for tier in TIER_MEDIAN_GBP
}
COUNTERFEITED = tuple(b for b in BRANDS if b.counterfeited)
# Resale listings by tier: mostly high street and mid-range, as on real apps.
TIER_WEIGHTS = {"high_street": 0.30, "mid": 0.38, "premium": 0.14, "luxury": 0.08, "hype": 0.10}


@dataclass(frozen=True, slots=True)
class Item:
    """A concrete thing for sale: brand, product name, category, fair price in GBP."""

    brand: Brand
    name: str
    category: str
    fair_gbp: float


def pick_brand(rng: random.Random, tiers: tuple[str, ...] | None = None) -> Brand:
    if tiers is None:
        names = list(TIER_WEIGHTS)
        tier = rng.choices(names, [TIER_WEIGHTS[t] for t in names])[0]
    else:
        tier = rng.choice(tiers)
    return rng.choice(BRANDS_BY_TIER[tier])


def pick_item(rng: random.Random, brand: Brand, english: str) -> Item:
    """A product of the brand: its flagship products, else a generic item of its tier."""
    made = {p.category for p in brand.products}
    # Shoe, jewellery and watch houses only sell their own kind of thing.
    specialist = bool(made) and made <= {"shoes", "jewellery", "watches", "accessories"}
    generic = [g for g in GENERIC_ITEMS if not specialist or g[1] in made]
    if not generic or (brand.products and (rng.random() < 0.7 or brand.tier in ("luxury", "hype"))):
        product = rng.choice(brand.products)
        return Item(brand, words(english, product.name), product.category, product.median_gbp)
    name, category, mult = rng.choice(generic)
    return Item(brand, words(english, name), category, TIER_MEDIAN_GBP[brand.tier] * mult)


def resale_price(rng: random.Random, fair_gbp: float, currency: str) -> float:
    """A plausible asking price: lognormal around the fair price, rounded like people do."""
    amount = fair_gbp * math.exp(rng.gauss(0.0, 0.35)) * RATES[currency]
    return round_price(rng, amount)


def round_price(rng: random.Random, amount: float) -> float:
    if amount < 20:
        return max(1.0, round(amount) - (0.01 if rng.random() < 0.15 else 0.0))
    if amount < 200:
        step = rng.choice((1, 5, 5, 5, 10))
        return float(max(step, round(amount / step) * step))
    return float(round(amount / 10) * 10)


def format_money(amount: float, currency: str, rng: random.Random | None = None) -> str:
    """How people type a price: ``£25``, ``$40.50``, ``25 quid``, ``€30``."""
    whole = amount == int(amount)
    number = f"{int(amount)}" if whole else f"{amount:.2f}"
    if rng is not None and currency == "GBP" and whole and rng.random() < 0.08:
        return f"{number} quid"
    if rng is not None and rng.random() < 0.06:
        return f"{number} {currency.lower()}"
    return f"{SYMBOLS[currency]}{number}"


SIZES_CLOTHING = ("XXS", "XS", "S", "M", "L", "XL", "XXL")
SIZE_WEIGHTS = (1, 8, 18, 22, 18, 9, 4)


def size_for(rng: random.Random, category: str, english: str) -> str:
    if category == "shoes":
        if english == "GB":
            return f"UK {rng.choice((3, 4, 4.5, 5, 5.5, 6, 6.5, 7, 8, 8.5, 9, 10, 11))}".replace(
                ".0", ""
            )
        return f"US {rng.choice((5, 6, 6.5, 7, 7.5, 8, 8.5, 9, 9.5, 10, 10.5, 11, 12))}"
    if category == "jeans":
        waist = rng.choice((24, 25, 26, 27, 28, 29, 30, 31, 32, 34, 36))
        return f"W{waist} L{rng.choice((28, 30, 30, 32, 32, 34))}"
    if category in ("bags", "jewellery", "watches", "accessories"):
        return "one size"
    if category in ("dresses", "skirts") and rng.random() < 0.5:
        return (
            f"UK {rng.choice((6, 8, 8, 10, 10, 12, 12, 14, 16))}"
            if english == "GB"
            else (f"US {rng.choice((0, 2, 4, 4, 6, 6, 8, 10, 12))}")
        )
    return rng.choices(SIZES_CLOTHING, SIZE_WEIGHTS)[0]


COLOURS = (
    "black",
    "white",
    "cream",
    "navy",
    "grey~gray",
    "charcoal",
    "khaki",
    "olive",
    "brown",
    "chocolate brown",
    "beige",
    "camel",
    "burgundy",
    "red",
    "pink",
    "baby pink",
    "lilac",
    "sage green",
    "forest green",
    "baby blue",
    "cobalt blue",
    "mustard",
    "orange",
    "washed black",
    "light wash",
    "mid wash",
    "dark wash",
    "stone",
    "leopard print",
    "tartan",
    "striped",
)

CONDITIONS = (
    "brand new with tags",
    "new without tags",
    "excellent condition",
    "like new",
    "worn once",
    "worn a handful of times",
    "good used condition",
    "great vintage condition",
    "some signs of wear",
)
CONDITIONS_BY_CATEGORY = {
    "shoes": (
        "sole has some wear",
        "light creasing on the toe box",
        "box included",
        "worn twice, no box",
    ),
    "bags": ("slight wear on the corners", "dust bag included", "minor scuffs on the base"),
    "clothing": (
        "small mark, see pics",
        "slight pilling",
        "fading consistent with age",
        "tiny hole near the hem, barely noticeable",
    ),
}


def condition_for(rng: random.Random, category: str) -> str:
    """A condition note that fits the kind of item (no worn soles on a polo shirt)."""
    if rng.random() < 0.7 or category in ("jewellery", "watches", "accessories", "home"):
        return rng.choice(CONDITIONS)
    if category in ("shoes", "bags"):
        return rng.choice(CONDITIONS_BY_CATEGORY[category])
    return rng.choice(CONDITIONS_BY_CATEGORY["clothing"])


ERAS = ("y2k", "90s", "80s", "70s", "00s", "vintage", "retro")
STYLE_TAGS = (
    "#y2k",
    "#vintage",
    "#streetwear",
    "#grunge",
    "#90s",
    "#cottagecore",
    "#gorpcore",
    "#blokecore",
    "#coquette",
    "#minimalist",
    "#preloved",
    "#thrifted",
    "#oldmoney",
    "#downtown",
    "#indie",
    "#skater",
    "#retro",
    "#coastalgrandma",
    "#boho",
    "#preppy",
)

FIRST_NAMES = (
    "Sam",
    "Ellie",
    "Jess",
    "Olivia",
    "Amelia",
    "Chloe",
    "Mia",
    "Grace",
    "Lily",
    "Sophie",
    "Harry",
    "Jack",
    "Ollie",
    "Charlie",
    "Alfie",
    "Josh",
    "Tom",
    "Leo",
    "Noah",
    "Kai",
    "Priya",
    "Aisha",
    "Zara",
    "Fatima",
    "Maya",
    "Emily",
    "Madison",
    "Ava",
    "Brooke",
    "Kayla",
    "Tyler",
    "Jordan",
    "Marcus",
    "Tariq",
    "Luca",
    "Mateo",
    "Chen",
    "Yuki",
    "Nia",
    "Ama",
)
HANDLE_WORDS = (
    "vintage",
    "thrift",
    "closet",
    "wardrobe",
    "finds",
    "archive",
    "resells",
    "depop",
    "preloved",
    "styled",
    "fits",
    "kicks",
    "drip",
    "studio",
    "store",
    "co",
    "shop",
    "official",
)
