"""Prices: ``£25``, ``25 quid``, ``$30``, ``30 GBP``, ``30€``, ``50p``, ``£1.2k``, ``25.99``."""

from __future__ import annotations

import re

from trustwatch.entities.entity import Scan

# An amount's first digit, then the rest in a group: a pattern that opens with a group
# loses the regex engine's fast scan for its first char.
_AMOUNT = r"[0-9](?P<tail>[0-9]*(?:,[0-9]{3})*(?:\.[0-9]{1,2})?)(?P<k>k)?"
_CURRENCIES = {
    "£": "GBP",
    "$": "USD",
    "€": "EUR",
    "gbp": "GBP",
    "usd": "USD",
    "eur": "EUR",
    "quid": "GBP",
    "pound": "GBP",
    "pounds": "GBP",
    "dollar": "USD",
    "dollars": "USD",
    "bucks": "USD",
    "euro": "EUR",
    "euros": "EUR",
    "p": "GBP",
}
# Class- and digit-first patterns, so they scan fast; word boundaries are checked after.
_SYMBOL_FIRST = re.compile(r"[£$€] ?" + _AMOUNT + r"(?![\w.][0-9]|\w)")
_CODE_FIRST = re.compile(r"(?:gbp|usd|eur) ?" + _AMOUNT + r"(?![\w.][0-9]|\w)")
_NUMBER_FIRST = re.compile(
    _AMOUNT + r"(?: ?(?P<post>[£$€]|gbp|usd|eur|quid|pounds?|dollars?|bucks|euros?|p)(?!\w))?"
)
_BARE_DECIMAL = re.compile(r"[0-9]{1,5}\.[0-9]{2}")
# "7.30", "12.45": a bare decimal on a clock quarter is a time far more often than a price.
_CLOCK_TIME = re.compile(r"(?:[01]?[0-9]|2[0-3])\.(?:00|15|30|45)")
_WORD_BEFORE = frozenset("abcdefghijklmnopqrstuvwxyz0123456789_.,")


def _amount_text(m: re.Match[str]) -> str:
    return m.string[m.start("tail") - 1 : m.end("tail")]


def _add(scan: Scan, m: re.Match[str], currency: str | None) -> None:
    if scan.taken(m.start(), m.end()):
        return
    amount_text = _amount_text(m)
    amount = float(amount_text.replace(",", ""))
    if m.group("k"):
        amount *= 1000
    if m.groupdict().get("post") == "p":
        if "." in amount_text or m.group("k"):
            return
        amount /= 100
    value = f"{amount:.2f} {currency}" if currency else f"{amount:.2f}"
    scan.add("price", value, m.start(), m.end(), amount=amount, currency=currency)


def find_prices(scan: Scan) -> None:
    text = scan.text
    # Most texts hold no currency sign: three substring tests beat the regex's scan for one.
    if "£" in text or "$" in text or "€" in text:
        for m in _SYMBOL_FIRST.finditer(text):
            _add(scan, m, _CURRENCIES[text[m.start()]])
    if "gbp" in text or "usd" in text or "eur" in text:
        for m in _CODE_FIRST.finditer(text):
            if m.start() == 0 or text[m.start() - 1] not in _WORD_BEFORE:
                _add(scan, m, _CURRENCIES[text[m.start() : m.start() + 3]])
    n = len(text)
    for m in _NUMBER_FIRST.finditer(text) if scan.has_digit else ():
        start, end = m.span()
        if start and text[start - 1] in _WORD_BEFORE:
            continue
        post = m.group("post")
        if post is not None:
            _add(scan, m, _CURRENCIES[post])
            continue
        if end - start < 4 or text[end - 3] != "." or m.group("k"):
            continue  # a bare number is a price only as "25.99"
        amount = _amount_text(m)
        if (
            _BARE_DECIMAL.fullmatch(amount)
            and (end == n or (text[end] not in _WORD_BEFORE and text[end] != "%"))
            and not _CLOCK_TIME.fullmatch(amount)
        ):
            _add(scan, m, None)
