"""Payment handles: ``$cashtag``, PayPal email, IBAN, UK sort code and account number."""

from __future__ import annotations

import re

from trustwatch.entities.entity import Entity, Scan

_CASHTAG = re.compile(r"(?<![\w$@])\$(?P<tag>[a-z][a-z0-9_]{0,19})(?![\w$@])")
_CURRENCY_CODES = frozenset({"usd", "cad", "aud", "gbp", "eur", "nzd", "hkd", "sgd", "mxn"})
_PAYPAL_WORD = re.compile(r"\b(?:pay ?pal|pp)\b")

# Lengths by country (ISO 13616), for the countries a UK/EU marketplace sees most.
_IBAN_LENGTHS = {
    "gb": 22, "ie": 22, "de": 22, "fr": 27, "es": 24, "it": 27, "nl": 18, "be": 16, "pt": 25,
    "at": 20, "ch": 21, "pl": 28, "se": 24, "dk": 18, "fi": 18, "no": 15, "lt": 20, "lv": 21,
    "ee": 20, "ro": 24, "bg": 22, "gr": 27, "cz": 24, "sk": 24, "hu": 28, "hr": 21, "si": 19,
    "lu": 20, "mt": 31, "cy": 28, "tr": 26, "ae": 23, "sa": 24, "ua": 29, "gi": 23, "is": 26,
}  # fmt: skip
_IBAN = re.compile(r"(?<![\w])(?P<cc>[a-z]{2})(?P<check>\d{2})(?P<rest>(?:[ ]?[a-z0-9]){11,30})")
_IBAN_HINT = re.compile(r"[0-9][0-9] ?[a-z0-9]{4} ?[a-z0-9]{4}")
_SORT_CODE_HINT = re.compile(r"[0-9][0-9][- ]?[0-9][0-9][- ]?[0-9][0-9]")
_SORT_CODE = re.compile(
    r"(?<![\w-])(?:(?:sort ?code|s/c)[\s:#.]*)?(?P<sc>\d{2}(?P<sep>[- ]?)\d{2}(?P=sep)\d{2})"
    r"(?![\w-])[\s,;:/&]*(?:(?:and|acc(?:ount)?|a/c)(?:\s*(?:no\.?|number|num|#))?[\s:#.]*)?"
    r"(?P<acc>\d{8})(?!\d)"
)


def iban_valid(iban: str) -> bool:
    """ISO 13616 length for known countries and the mod-97 checksum."""
    iban = iban.replace(" ", "").upper()
    expected = _IBAN_LENGTHS.get(iban[:2].lower())
    if expected is not None and len(iban) != expected:
        return False
    if not 15 <= len(iban) <= 34 or not iban.isalnum():
        return False
    rearranged = iban[4:] + iban[:4]
    return int("".join(str(int(c, 36)) for c in rearranged)) % 97 == 1


def _cut_after(raw: str, chars: int) -> int:
    """The index in ``raw`` just after its ``chars``-th non-space char."""
    kept = 0
    for i, ch in enumerate(raw):
        kept += ch != " "
        if kept == chars:
            return i + 1
    return len(raw)


def find_bank_details(scan: Scan) -> None:
    text = scan.text
    if not scan.has_digit or _SORT_CODE_HINT.search(text) is None:
        return
    for m in _IBAN.finditer(text) if _IBAN_HINT.search(text) else ():
        cc = m.group("cc")
        expected = _IBAN_LENGTHS.get(cc)
        raw = m.group(0)
        compact = raw.replace(" ", "")
        if expected is not None:
            if len(compact) < expected:
                continue
            # Cut the match where the country's IBAN length ends.
            cut = _cut_after(raw, expected)
            raw, compact = raw[:cut], compact[:expected]
        if not iban_valid(compact):
            continue
        scan.add(
            "payment_handle",
            compact.upper(),
            m.start(),
            m.start() + len(raw),
            provider="bank_transfer",
            scheme="iban",
            country=cc.upper(),
        )
    for m in _SORT_CODE.finditer(text):
        sort_code = re.sub(r"\D", "", m.group("sc"))
        if not m.group("sep") and "sort" not in m.group(0) and "s/c" not in m.group(0):
            continue
        sc = f"{sort_code[:2]}-{sort_code[2:4]}-{sort_code[4:]}"
        scan.add(
            "payment_handle",
            f"{sc} {m.group('acc')}",
            m.start(),
            m.end(),
            provider="bank_transfer",
            scheme="uk_sort_code",
            sort_code=sc,
            account_number=m.group("acc"),
        )


def find_cashtags(scan: Scan) -> None:
    if "$" not in scan.text:
        return
    for m in _CASHTAG.finditer(scan.text):
        tag = m.group("tag")
        if tag in _CURRENCY_CODES or scan.taken(m.start(), m.end()):
            continue
        scan.add("payment_handle", tag, m.start(), m.end(), provider="cashapp", via="cashtag")


def paypal_emails(scan: Scan, emails: list[Entity]) -> None:
    """An email named next to PayPal is a PayPal payment handle."""
    for email in emails:
        window = scan.original[max(0, email.start - 60) : email.end + 40].lower()
        if _PAYPAL_WORD.search(window):
            scan.found.append(
                Entity(
                    "payment_handle",
                    email.value,
                    email.start,
                    email.end,
                    email.text,
                    {"provider": "paypal", "via": "email"},
                )
            )
