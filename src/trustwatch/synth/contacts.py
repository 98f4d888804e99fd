"""Contact details, payment handles, links and domains as scammers and sellers type them.

Phone numbers come from ranges reserved for fiction (UK 07700 900xxx, US 555-01xx), so
no generated number reaches a real person.
"""

from __future__ import annotations

import random
import string

_US_AREAS = ("212", "310", "415", "646", "702", "917", "305", "718", "213", "312", "404", "512")
_MAIL_DOMAINS = (
    "gmail.com",
    "gmail.com",
    "gmail.com",
    "hotmail.com",
    "hotmail.co.uk",
    "outlook.com",
    "yahoo.com",
    "icloud.com",
    "proton.me",
    "aol.com",
)
_BECH32 = "qpzry9x8gf2tvdw0s3jn54khce6mua7l"
_BASE58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"


def phone(rng: random.Random, english: str) -> str:
    if english == "GB":
        tail = f"{rng.randint(0, 999):03d}"
        return rng.choice(
            (
                f"07700900{tail}",
                f"07700 900{tail}",
                f"07700 900 {tail}",
                f"+44 7700 900{tail}",
                f"+447700900{tail}",
                f"07700-900-{tail}",
            )
        )
    area = rng.choice(_US_AREAS)
    tail = f"01{rng.randint(0, 99):02d}"
    return rng.choice(
        (
            f"({area}) 555-{tail}",
            f"{area}-555-{tail}",
            f"{area}.555.{tail}",
            f"+1 {area} 555 {tail}",
            f"{area}555{tail}",
        )
    )


def wa_link(rng: random.Random, english: str) -> str:
    digits = "".join(ch for ch in phone(rng, english) if ch.isdigit())
    if digits.startswith("0"):
        digits = "44" + digits[1:]
    elif len(digits) == 10:
        digits = "1" + digits
    return rng.choice(("wa.me/", "https://wa.me/", "api.whatsapp.com/send?phone=")) + digits


def handle_name(rng: random.Random, base: str) -> str:
    base = "".join(ch for ch in base.lower() if ch.isalnum() or ch in "._")
    suffix = rng.choice(("", "", "x", "_uk", "official", "_", str(rng.randint(1, 99))))
    return (base + suffix).strip("._") or "seller"


def email(rng: random.Random, base: str) -> str:
    local = handle_name(rng, base).strip("._") or "seller"
    return f"{local}{rng.choice(('', str(rng.randint(1, 999))))}@{rng.choice(_MAIL_DOMAINS)}"


def sort_code_account(rng: random.Random) -> str:
    code = f"{rng.randint(10, 99)}-{rng.randint(10, 99)}-{rng.randint(10, 99)}"
    account = f"{rng.randint(10_000_000, 99_999_999)}"
    return rng.choice(
        (
            f"sort code {code} acc {account}",
            f"{code} {account}",
            f"sort {code.replace('-', '')} account no {account}",
        )
    )


def iban(rng: random.Random) -> str:
    country = rng.choice(("GB", "IE", "LT", "DE"))
    bank = "".join(rng.choice(string.ascii_uppercase) for _ in range(4))
    digits = "".join(rng.choice(string.digits) for _ in range(14))
    raw = f"{country}{rng.randint(10, 99)}{bank}{digits}"
    return " ".join(raw[i : i + 4] for i in range(0, len(raw), 4)) if rng.random() < 0.5 else raw


def crypto_address(rng: random.Random) -> str:
    kind = rng.random()
    if kind < 0.4:
        return "bc1q" + "".join(rng.choice(_BECH32) for _ in range(38))
    if kind < 0.7:
        return "0x" + "".join(rng.choice("0123456789abcdef") for _ in range(40))
    return "T" + "".join(rng.choice(_BASE58) for _ in range(33))


def short_code(rng: random.Random, length: int = 7) -> str:
    return "".join(rng.choice(string.ascii_letters + string.digits) for _ in range(length))


# Lookalike domains: the marketplace, payment and courier brands scammers impersonate.
_SPOOFED = ("depop", "depop", "depop", "paypal", "royalmail", "evri", "vinted", "dhl", "stripe")
_LEET_NAMES = {
    "depop": ("d3pop", "dep0p", "depopp", "deppop", "depoop", "dеpop"),
    "paypal": ("paypa1", "paypal1", "pay-pal", "paypai", "paypall"),
    "royalmail": ("royal-mail", "royalmaii", "royalmail-uk", "r0yalmail"),
    "evri": ("evri-uk", "evrii", "3vri", "evri-parcel"),
    "vinted": ("vlnted", "vinted-uk", "v1nted", "vintedd"),
    "dhl": ("dhl-express", "dhI", "dhl-parcel"),
    "stripe": ("str1pe", "stripe-pay", "stripe-checkout"),
}
_SCAM_WORDS = (
    "secure",
    "verify",
    "verification",
    "payments",
    "payment",
    "support",
    "help",
    "login",
    "account",
    "safe",
    "delivery",
    "resolution",
    "protect",
    "claim",
    "checkout",
    "confirm",
)
_SCAM_TLDS = (
    "com",
    "net",
    "co",
    "info",
    "xyz",
    "top",
    "shop",
    "site",
    "online",
    "support",
    "help",
    "app",
    "live",
    "cc",
    "ru",
    "co.uk",
    "org",
    "pw",
    "icu",
)
_PATHS = (
    "/verify",
    "/login",
    "/confirm-payment",
    "/claim",
    "/secure/auth",
    "/seller/receive",
    "/order/",
    "/account/restore",
    "/payout",
    "/delivery/reschedule",
    "/kyc",
)


def lookalike_domain(rng: random.Random) -> str:
    brand = rng.choice(_SPOOFED)
    name = rng.choice(_LEET_NAMES[brand]) if rng.random() < 0.4 else brand
    shape = rng.random()
    tld = rng.choice(_SCAM_TLDS)
    if shape < 0.45:
        return f"{name}-{rng.choice(_SCAM_WORDS)}.{tld}"
    if shape < 0.65:
        return f"{rng.choice(_SCAM_WORDS)}-{name}.{tld}"
    if shape < 0.82:
        return f"{brand}.com.{rng.choice(_SCAM_WORDS)}-{short_code(rng, 4).lower()}.{tld}"
    if shape < 0.92:
        return f"{name}{rng.choice(_SCAM_WORDS)}.{tld}"
    return f"{name}.{tld}"


def phishing_url(rng: random.Random) -> str:
    kind = rng.random()
    if kind < 0.6:
        scheme = rng.choice(("https://", "https://", "http://", "", "www."))
        path = rng.choice(_PATHS)
        if path.endswith("/"):
            path += str(rng.randint(100000, 999999))
        elif rng.random() < 0.4:
            path += f"?id={short_code(rng, 10)}"
        return scheme + lookalike_domain(rng) + path
    if kind < 0.88:
        host = rng.choice(
            ("bit.ly", "tinyurl.com", "cutt.ly", "rb.gy", "is.gd", "shorturl.at", "t.ly", "tiny.cc")
        )
        return rng.choice(("https://", "", "")) + f"{host}/{short_code(rng, rng.randint(5, 8))}"
    octets = ".".join(str(rng.randint(11, 223)) for _ in range(4))
    port = rng.choice(("", "", ":8080", ":8443"))
    return f"http://{octets}{port}{rng.choice(_PATHS).rstrip('/')}"


def depop_url(rng: random.Random, user: str, slug: str) -> str:
    """A real-looking link to the marketplace itself (a legitimate link)."""
    slug = "-".join(slug.lower().replace("'", "").split())[:40]
    return rng.choice(
        (
            f"https://www.depop.com/products/{user}-{slug}-{short_code(rng, 4).lower()}/",
            f"depop.com/{user}",
            f"https://depop.com/{user}/",
        )
    )


def tracking_number(rng: random.Random, carrier: str) -> str:
    letters = string.ascii_uppercase
    if carrier == "Royal Mail":
        return f"{rng.choice(letters)}{rng.choice(letters)}{rng.randint(10**8, 10**9 - 1)}GB"
    if carrier == "Evri":
        return "H" + "".join(rng.choice(string.digits + letters) for _ in range(15))
    if carrier == "USPS":
        return "9400 " + " ".join(f"{rng.randint(0, 9999):04d}" for _ in range(4)) + " 00"
    return "".join(rng.choice(string.digits) for _ in range(12))


def tracking_url(rng: random.Random, carrier: str, number: str) -> str:
    compact = number.replace(" ", "")
    return {
        "Royal Mail": f"https://www.royalmail.com/track-your-item#/tracking-results/{compact}",
        "Evri": f"https://www.evri.com/track/parcel/{compact}",
        "USPS": f"https://tools.usps.com/go/TrackConfirmAction?tLabels={compact}",
    }.get(carrier, f"https://www.ups.com/track?tracknum={compact}")
