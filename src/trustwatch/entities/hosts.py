"""What a host name is: registrable domain (offline public-suffix list), IP literal,
link shortener, internationalized (punycode, mixed scripts, Latin skeleton)."""

from __future__ import annotations

import contextlib
import ipaddress
import unicodedata
from functools import cache, lru_cache
from typing import Any

import tldextract

# Link shorteners: a link through one hides where it really goes.
SHORTENERS = frozenset(
    {
        "bit.ly",
        "bitly.com",
        "tinyurl.com",
        "t.co",
        "goo.gl",
        "is.gd",
        "v.gd",
        "cutt.ly",
        "rb.gy",
        "ow.ly",
        "shorturl.at",
        "tiny.cc",
        "buff.ly",
        "rebrand.ly",
        "t.ly",
        "tiny.one",
        "s.id",
        "shorte.st",
        "adf.ly",
        "bl.ink",
        "lnkd.in",
        "qrco.de",
        "short.io",
        "urlz.fr",
        "x.gd",
        "clck.ru",
        "u.to",
        "soo.gd",
        "tr.im",
        "snip.ly",
        "linktr.ee",
        "y2u.be",
        "2u.pm",
    }
)

# Generic TLDs that a bare "word.tld" in running text is read as a domain for; word-like
# ones ("life", "today", "help") are left out, since "sambar.life" is a missing space.
_COMMON_GTLDS = frozenset(
    (  # noqa: SIM905
        "com net org info biz xyz top shop online site store club live app link click icu vip"
        " buzz dev cloud tech website mobi asia"
    ).split()
)
# Country TLDs a bare "word.xx" in running text is read as a domain for; the rest
# ("drink.pa", "ok.so") are more often a missing space after a full stop.
_COMMON_CCTLDS = frozenset(
    (  # noqa: SIM905
        "uk us de fr es nl ru cn io co ly gd gl cc tk ml ga cf gq pw ws su tv gg sh ai ca au"
        " ie eu pl ch se dk fi pt gr jp kr br mx ar za nz sg hk tw vn th ph tr ua ro cz hu"
        " lt lv ee bg hr si sk lu li fm"
    ).split()
)
# Well-known domains on word-like TLDs that are domains even bare.
_KNOWN_BARE = frozenset(
    {"wa.me", "t.me", "paypal.me", "revolut.me", "monzo.me", "kik.me", "signal.me", "is.gd"}
)


@cache
def _extractor() -> tldextract.TLDExtract:
    # No suffix-list URLs and no cache dir: the bundled snapshot only, never the network.
    return tldextract.TLDExtract(cache_dir=None, suffix_list_urls=(), fallback_to_snapshot=True)


def _script(ch: str) -> str:
    if ch.isascii():
        return "LATIN"
    try:
        return unicodedata.name(ch).split(" ", 1)[0]
    except ValueError:
        return "UNKNOWN"


def _decode_punycode(host: str) -> str:
    labels = []
    for label in host.split("."):
        if label.startswith("xn--"):
            with contextlib.suppress(UnicodeError):
                label = label.encode("ascii").decode("idna")
        labels.append(label)
    return ".".join(labels)


def _encode_punycode(host: str) -> str | None:
    try:
        return host.encode("idna").decode("ascii")
    except UnicodeError:
        return None


@lru_cache(maxsize=8192)
def host_attrs(host: str) -> dict[str, Any]:
    """Attributes of a lower-cased host name (no port)."""
    host = host.strip(".").lower()
    bare = host[1:-1] if host.startswith("[") and host.endswith("]") else host
    try:
        ip = ipaddress.ip_address(bare)
    except ValueError:
        ip = None
    if ip is not None:
        return {
            "host": bare,
            "registrable_domain": bare,
            "subdomain": "",
            "tld": "",
            "is_ip": True,
            "is_private_ip": ip.is_private or ip.is_loopback,
            "is_shortener": False,
            "idn": None,
        }
    unicode_host = _decode_punycode(host) if "xn--" in host else host
    parts = _extractor()(unicode_host)
    registrable = f"{parts.domain}.{parts.suffix}" if parts.domain and parts.suffix else ""
    idn: dict[str, Any] | None = None
    if not unicode_host.isascii():
        from trustwatch.normalize import fold

        scripts = [{_script(c) for c in label if c.isalpha()} for label in unicode_host.split(".")]
        idn = {
            "unicode": unicode_host,
            "ascii": _encode_punycode(unicode_host),
            "mixed_script": any(len(s) > 1 for s in scripts),
            "scripts": sorted(set().union(*scripts)),
            "skeleton": fold(unicode_host),
        }
    return {
        "host": unicode_host,
        "registrable_domain": registrable,
        "subdomain": parts.subdomain,
        "tld": parts.suffix,
        "is_ip": False,
        "is_private_ip": False,
        "is_shortener": registrable in SHORTENERS or unicode_host in SHORTENERS,
        "idn": idn,
    }


def plausible_bare_domain(attrs: dict[str, Any]) -> bool:
    """Whether a host written bare in running text ("depop.com") is meant as a domain."""
    if attrs["is_ip"]:
        return False
    tld = attrs["tld"]
    if not tld or not attrs["registrable_domain"]:
        return False
    if attrs["registrable_domain"] in _KNOWN_BARE or attrs["is_shortener"]:
        return True
    if attrs["registrable_domain"].split(".", 1)[0].isdigit():
        return False  # "2.im", "10.it": numbers before a full stop
    last = tld.rsplit(".", 1)[-1]
    if "." in tld:
        return True
    if len(last) == 2 and last.isascii():
        return last in _COMMON_CCTLDS
    return last in _COMMON_GTLDS or not last.isascii() or last.startswith("xn--")
