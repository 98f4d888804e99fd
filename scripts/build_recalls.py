"""Build the packaged recall lexicon from the US CPSC recall snapshot (public domain).

    .venv/bin/python scripts/build_recalls.py [CSV] [OUT]

Reads ``/work/shared/data/cpsc_recalls/cpsc_recalls.csv`` (see its SOURCE.md) and writes
``src/trustwatch/lexicon/data/recalls.json``: a lexicon with three categories —
``recall_model`` (model numbers), ``recall_brand`` and ``recall_product`` (product phrases) —
each term listing the recalls it belongs to, plus the recall records (number, date, url,
title) under ``data.recalls``. The ``recalled_products`` detector needs a model number, or a
brand and a product phrase of the same recall, so single generic words never match alone.
"""

from __future__ import annotations

import csv
import json
import re
import sys
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_CSV = Path("/work/shared/data/cpsc_recalls/cpsc_recalls.csv")
DEFAULT_OUT = ROOT / "src" / "trustwatch" / "lexicon" / "data" / "recalls.json"

_RECALLS = re.compile(r"^(?P<firm>.+?) Recalls (?P<product>.+?)(?: Due to| Because|;|$)")
_RECALLED = re.compile(r"^(?P<product>.+?) Recalled (?:Due to|Because)(?P<rest>.*)$")
_BY = re.compile(
    r"(?:Imported|Manufactured|Sold|Distributed|Made) (?:Exclusively )?by (?P<firm>[^;]+?)(?:;|$)"
)
_BRANDED = re.compile(r"\b([A-Z][\w&'’.]*(?:[ -][A-Z][\w&'’.]*){0,2})[- ]branded\b")
_MODEL = re.compile(
    r"\bmodels?(?: numbers?| nos?\.?| names?)?\s*[:#]?\s*((?:[\"“]?[A-Za-z0-9][\w\-./]*[\"”]?"
    r"(?:,\s*|\s+and\s+|\s+or\s+)?){1,12})",
    re.IGNORECASE,
)
_MODEL_TOKEN = re.compile(r"[A-Za-z0-9][\w\-./]*[A-Za-z0-9]")
# Retailers and words that name no brand.
_NOT_BRANDS = {
    "amazon",
    "walmart",
    "temu",
    "target",
    "costco",
    "macy's",
    "macys",
    "shein",
    "ebay",
    "wayfair",
    "home depot",
    "aliexpress",
    "alibaba",
    "etsy",
    "best buy",
    "lowe's",
    "tiktok",
    "children's",
    "childrens",
    "adult",
    "adults",
    "baby",
    "infant",
    "kids",
    "mini",
    "magnetic",
    "led",
    "portable",
    "electric",
    "the",
    "certain",
    "new",
    "free-standing",
    "professional",
    "halloween",
    "toddler",
    "youth",
    "women's",
    "men's",
    "girls",
    "boys",
    "pet",
    "dog",
    "cat",
    "usa",
    "inc",
    "llc",
    "ltd",
    "co",
    "head",
    "built",
    "evan",
    "concord",
    "apex",
    "blue wave",
    "electra",
    "members mark",
    "member's mark",
}
_CORPORATE = re.compile(
    r"(?:\s+(?:products|manufacturing|international|industries|industry|technology|"
    r"technologies|electronics|appliances|power systems|systems|brands|enterprises|trading|"
    r"home|tools?|direct|usa|co|inc|llc|ltd|corp|corporation|company|group|holdings))+$",
    re.IGNORECASE,
)
_GENERIC_PRODUCT_WORDS = {"sets", "set", "products", "kits", "kit", "items", "boxes", "units"}


def _clean_firm(firm: str) -> str:
    firm = re.split(r",| of [A-Z]| doing business as | d/b/a ", firm)[0]
    firm = re.sub(r"\b(?:Inc|LLC|Ltd|Co|Corp|Corporation|Company|USA|Group)\.?$", "", firm.strip())
    return " ".join(firm.strip(" .,&+-").split())


def _brands(row: dict[str, str], firm: str | None) -> set[str]:
    out: set[str] = set()
    candidates = [firm or ""]
    if row.get("manufacturer"):
        candidates.append(row["manufacturer"])
    candidates += _BRANDED.findall(row.get("description", ""))
    for raw in candidates:
        name = _clean_firm(raw)
        for low in {name.casefold(), _CORPORATE.sub("", name).casefold()}:
            if len(low) >= 3 and low not in _NOT_BRANDS and not low.isdigit():
                out.add(low)
    return out


def _singular(word: str) -> str:
    if word.endswith("ies") and len(word) > 4:
        return word[:-3] + "y"
    if word.endswith(("ches", "shes", "sses", "xes")):
        return word[:-2]
    if word.endswith("s") and not word.endswith("ss") and len(word) > 3:
        return word[:-1]
    return word


def _products(product: str, brands: set[str]) -> set[str]:
    text = product.casefold()
    for brand in sorted(brands, key=len, reverse=True):
        text = text.replace(brand, " ")
    text = re.sub(r"\b(?:certain|the|and|[\w-]+-branded|branded)\b", " ", text)
    words = [w for w in re.findall(r"[\w'’.-]+", text) if not w.isdigit()]
    while words and words[-1] in _GENERIC_PRODUCT_WORDS:
        words.pop()
    if not words:
        return set()
    out = set()
    head = words[-2:] if len(words) >= 2 else words
    last = [words[-1]] if len(words[-1]) >= 7 else []
    for phrase in (words[-4:], head, last):
        if not phrase:
            continue
        if len(" ".join(phrase)) >= 6:
            out.add(" ".join(phrase))
            out.add(" ".join([*phrase[:-1], _singular(phrase[-1])]))
    return out


def _models(description: str) -> set[str]:
    out: set[str] = set()
    for group in _MODEL.findall(description):
        for token in _MODEL_TOKEN.findall(group):
            has_digit = any(c.isdigit() for c in token)
            has_alpha = any(c.isalpha() for c in token)
            if len(token) >= 4 and has_digit and has_alpha:
                out.add(token.casefold())
    return out


def build(csv_path: Path) -> dict[str, object]:
    models: dict[str, set[str]] = defaultdict(set)
    brands: dict[str, set[str]] = defaultdict(set)
    products: dict[str, set[str]] = defaultdict(set)
    records: dict[str, dict[str, str]] = {}
    with csv_path.open(encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh):
            number = row["recall_number"].strip()
            title = " ".join(row["title"].split())
            m = _RECALLS.match(title)
            firm, product = (m.group("firm"), m.group("product")) if m else (None, None)
            if m is None and (m2 := _RECALLED.match(title)) is not None:
                product = m2.group("product")
                by = _BY.search(m2.group("rest"))
                firm = by.group("firm") if by else None
            if product is None:
                continue
            recall_brands = _brands(row, firm)
            records[number] = {
                "title": title,
                "date": row["recall_date"],
                "url": row["url"],
                "hazard": row.get("hazards", "")[:160],
            }
            for b in recall_brands:
                brands[b].add(number)
            for p in _products(product, recall_brands):
                products[p].add(number)
            for model in _models(row.get("description", "")):
                models[model].add(number)

    def terms(table: dict[str, set[str]], category: str, weight: float) -> list[dict[str, object]]:
        return [
            {"term": k, "category": category, "weight": weight, "data": {"recalls": sorted(v)}}
            for k, v in sorted(table.items())
        ]

    return {
        "lexicon": "recalls",
        "version": 1,
        "description": (
            "US CPSC recalls (public domain), built by scripts/build_recalls.py from "
            f"{csv_path.name}; {len(records)} recalls."
        ),
        "defaults": {"category": "recall_product", "weight": 0.0},
        "terms": terms(models, "recall_model", 0.85)
        + terms(brands, "recall_brand", 0.0)
        + terms(products, "recall_product", 0.0),
        "data": {"recalls": records},
    }


def main(argv: list[str]) -> int:
    csv_path = Path(argv[1]) if len(argv) > 1 else DEFAULT_CSV
    out = Path(argv[2]) if len(argv) > 2 else DEFAULT_OUT
    doc = build(csv_path)
    out.write_text(json.dumps(doc, ensure_ascii=False, indent=1) + "\n", "utf-8")
    terms = doc["terms"]
    assert isinstance(terms, list)
    counts = {
        c: sum(t["category"] == c for t in terms)
        for c in ("recall_model", "recall_brand", "recall_product")
    }
    sys.stderr.write(f"wrote {out}: {counts}\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))
