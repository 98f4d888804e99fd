"""Phone numbers (UK, US and international formats, spelled-out digits via the
``spelled`` view), without prices, dates, sizes, years or order numbers."""

from __future__ import annotations

import contextlib
import re
from functools import lru_cache
from typing import Any

import phonenumbers

from trustwatch.entities.entity import Scan

# Digit-first, so it scans fast: seven digits with at most short separators between.
_HINT = re.compile(r"[0-9](?:[ \t.\-()*_]{0,3}[0-9]){6}")
# An optional "+" / "00" and bracketed area code, then digits in groups; "(0)" may follow
# the country code. Letters may touch the number ("call09050000327", "0845…over18s").
_CANDIDATE = re.compile(
    r"(?<![\d+£$€#/.,])(?<!\d[:\-])(?:\+[ \t.\-*_]{0,2}|00)?(?:\(\d{2,5}\)[ \t.\-]?)?"
    r"\d(?:(?:[ \t.\-*_]{1,3}|[ \t]?\(0\)[ \t]?)?\d){6,40}(?![\d%£$€]|[.,]\d|/\d)"
)
_GROUP = re.compile(
    r"(?:\+[ \t.\-*_]{0,2}|00)?(?:\(\d{2,5}\)[ \t.\-]?)?\d+(?:[ \t]?\(0\)[ \t]?\d+)?"
)
# The only words that may run straight into a number: "call09050000327", "help:0870…".
_JAMMED_BEFORE = re.compile(
    r"(?:^|[^a-z])(?:call|tel|phone|ph|mob|mobile|txt|text|ring|on|no|help|info|care|hotline"
    r"|contact|whatsapp|wa)[:\-]?$"
)
_DATE = re.compile(r"\d{1,4}[.\-/ ]\d{1,2}[.\-/ ]\d{2,4}")
# Words just before a number that say it is not a phone number.
_NOT_PHONE_BEFORE = re.compile(
    r"(?:order|ref|reference|tracking|invoice|sku|item|acc(?:ount)?|a/c|iban|sort ?code|serial"
    r"|imei|barcode|isbn|lot|receipt|transaction|id|postcode|model)\b"
    r"(?:\s*(?:number|num|no|nr|code)\b)?[\s:#.]*$"
)
# Gaps no one dials: "0*7*7…", "0_7_7…", or digits split one by one ("0 7 7 0 0").
_ODD_GAPS = re.compile(r"[*_]|\d[ .\-]\d[ .\-]\d[ .\-]\d")
# Sub-spans of one digit run tried as phone numbers, longest first: a run of hundreds of
# single digits must not cost thousands of parses.
_MAX_TRIES = 24
_NOT_DIGIT = re.compile(r"[^\d+]")
_UK_MOBILE = re.compile(r"(?:\+?44|0044|0)7\d{9}")
_TYPES = {
    phonenumbers.PhoneNumberType.MOBILE: "mobile",
    phonenumbers.PhoneNumberType.FIXED_LINE: "fixed_line",
    phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE: "fixed_line_or_mobile",
    phonenumbers.PhoneNumberType.TOLL_FREE: "toll_free",
    phonenumbers.PhoneNumberType.PREMIUM_RATE: "premium_rate",
    phonenumbers.PhoneNumberType.VOIP: "voip",
    phonenumbers.PhoneNumberType.PERSONAL_NUMBER: "personal",
    phonenumbers.PhoneNumberType.UAN: "uan",
}


@lru_cache(maxsize=4096)
def phone_attrs(compact: str) -> dict[str, Any] | None:
    """Attributes of a number written as digits (with a leading "+" when international),
    or None when it is not a phone number. Cached: blasts repeat the same numbers."""
    number: phonenumbers.PhoneNumber | None = None
    valid = False
    # A national number with a trunk 0 reads as British; ten digits without one as NANP.
    if compact.startswith("+"):
        regions: tuple[str | None, ...] = (None,)
    elif len(compact) == 10 and compact[0] not in "01":
        regions = ("US", "GB")
    else:
        regions = ("GB", "US")
    for region in regions:
        try:
            parsed = phonenumbers.parse(compact, region)
        except phonenumbers.NumberParseException:
            continue
        if phonenumbers.is_valid_number(parsed):
            number, valid = parsed, True
            break
    # Reserved ranges (Ofcom's 07700 900xxx) are not "valid" but are clearly phone numbers.
    if number is None and _UK_MOBILE.fullmatch(compact):
        with contextlib.suppress(phonenumbers.NumberParseException):
            number = phonenumbers.parse(compact, "GB")
    if number is None:
        return None
    e164 = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    return {
        "e164": e164,
        "country_code": number.country_code,
        "region": phonenumbers.region_code_for_number(number),
        "type": _TYPES.get(phonenumbers.number_type(number), "unknown") if valid else "unknown",
        "valid": valid,
    }


def _phone_shaped(compact: str, digits: int) -> bool:
    """A cheap test before parsing: international (also without its "+": "447700…"), a
    national number with a trunk 0, or the North American ten digits."""
    if compact[0] == "+" or compact.startswith("00"):
        return 7 <= digits <= 17
    if compact[0] == "0":
        return 9 <= digits <= 12
    if digits == 10:
        return compact[0] not in "01"
    return 11 <= digits <= 13


def _numbers_in(candidate: str) -> list[tuple[int, int, str]]:
    """(start, end, compact) for the candidate, then for runs of fewer of its digit groups,
    longest first: a number run into the next one ("8 08001950382 18") is still found."""
    groups = list(_GROUP.finditer(candidate))
    # "+44 (0)7700…": the trunk 0 in brackets is not dialled after the country code.
    parts = [_NOT_DIGIT.sub("", g.group(0).replace("(0)", "")) for g in groups]
    out = []
    for i in range(len(groups)):
        compact = ""
        for j in range(i, len(groups)):
            compact += parts[j]
            digits = len(compact) - compact.startswith("+")
            if digits > 17:
                break  # longer than any phone number, and longer still to the right
            if compact and _phone_shaped(compact, digits):
                out.append((groups[i].start(), groups[j].end(), compact))
    out.sort(key=lambda span: (span[0] - span[1], span[0]))
    return out[:_MAX_TRIES]


def find_phones(scan: Scan) -> None:
    text = scan.text
    if not scan.has_digit or _HINT.search(text) is None:
        return
    for m in _CANDIDATE.finditer(text):
        start = m.start()
        candidate = m.group(0)
        jammed = start and text[start - 1].isalpha()
        # A digit glued to a word ("m3 07700…", "b4 0161…") is not part of the number, but
        # the groups after it may still be one.
        skip_first = jammed and _JAMMED_BEFORE.search(text, max(0, start - 8), start) is None
        if _DATE.fullmatch(candidate):
            continue
        for first, last, compact in _numbers_in(candidate):
            if skip_first and first == 0:
                continue
            span = (start + first, start + last)
            if scan.taken(*span) or _NOT_PHONE_BEFORE.search(text, max(0, span[0] - 24), span[0]):
                continue
            attrs = phone_attrs(compact)
            if attrs is not None:
                obfuscated = scan.obfuscated(*span) or bool(_ODD_GAPS.search(candidate))
                scan.add("phone", attrs["e164"], *span, **attrs, obfuscated=obfuscated)
                break
