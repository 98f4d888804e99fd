"""Phishing links: lookalikes of the marketplace and of payment, delivery and bank brands.

For every URL, domain or email address in the text the registrable domain (offline public-suffix
list) is compared with each protected brand: a brand name inside someone else's
domain (``depop-secure-payments.com``, ``depop.account-security.xyz``), a homoglyph or
leetspeak skeleton equal to it (``d3pop.com``, ``paypa1.com``), a small edit away
(``depoop.com``, ``dpeop.com``), or an internationalised (IDN) host that renders as
it (``dеpop.com`` with a Cyrillic ``е``). Shorteners, IP-literal hosts and risky TLDs
with account words score lower. Links to a brand's own domains never fire.
"""

from __future__ import annotations

import contextlib
import unicodedata
from collections import OrderedDict
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import tldextract
import yaml
from pydantic import BaseModel, ConfigDict, Field

from trustwatch.detectors.base import Context, Detector, Item, Signal, Span, register
from trustwatch.entities import Entity

_DATA = Path(__file__).parent / "data" / "phishing_domains.yaml"
_EXTRACT = tldextract.TLDExtract(suffix_list_urls=(), cache_dir=None)
_CACHE_SIZE = 4096

# Characters that render like a Latin letter (Cyrillic, Greek) and leetspeak digits.
_LOOKALIKE = str.maketrans(
    {
        "а": "a", "в": "b", "с": "c", "ԁ": "d", "е": "e", "ё": "e", "һ": "h", "і": "i",
        "ї": "i", "ј": "j", "κ": "k", "к": "k", "м": "m", "п": "n", "о": "o", "ο": "o",
        "р": "p", "ρ": "p", "ԛ": "q", "г": "r", "ѕ": "s", "т": "t", "υ": "u", "ν": "v",
        "ѡ": "w", "х": "x", "у": "y", "ү": "y", "α": "a", "ε": "e", "ι": "i", "τ": "t",
        "0": "o", "1": "l", "3": "e", "4": "a", "5": "s", "7": "t", "8": "b", "9": "g",
        "@": "a", "$": "s", "!": "l", "|": "l", "i": "l",
    }
)  # fmt: skip


def skeleton(label: str) -> str:
    """What a domain label looks like to a reader: homoglyphs and digits folded, i == l."""
    folded = unicodedata.normalize("NFKD", label.lower())
    folded = "".join(ch for ch in folded if not unicodedata.combining(ch))
    return folded.translate(_LOOKALIKE).replace("rn", "m").replace("vv", "w")


def edit_distance(a: str, b: str, limit: int) -> int:
    """Optimal-string-alignment distance (a swap of neighbours costs 1), capped at limit+1."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    prev2: list[int] = []
    prev = list(range(len(b) + 1))
    for i in range(1, len(a) + 1):
        cur = [i] + [0] * len(b)
        for j in range(1, len(b) + 1):
            cost = a[i - 1] != b[j - 1]
            cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost)
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                cur[j] = min(cur[j], prev2[j - 2] + 1)
        if min(cur) > limit:
            return limit + 1
        prev2, prev = prev, cur
    return prev[-1]


def _deliberate(candidate: str, name: str) -> bool:
    """A swap of neighbours (dpeop) or a doubled letter (depoop): typos nobody types by chance."""
    if len(candidate) == len(name):
        diff = [i for i, (a, b) in enumerate(zip(candidate, name, strict=True)) if a != b]
        return len(diff) == 2 and diff[1] == diff[0] + 1 and sorted(candidate) == sorted(name)
    if len(candidate) == len(name) + 1:
        for i in range(1, len(candidate)):
            if candidate[i] == candidate[i - 1] and candidate[:i] + candidate[i + 1 :] == name:
                return True
    return False


@dataclass(frozen=True, slots=True)
class _Brand:
    name: str
    key: str  # the name as one token, e.g. "royalmail"
    sk: str  # its skeleton
    official: frozenset[str]
    common: bool
    any_tld: bool = False


@dataclass(frozen=True, slots=True)
class _Reference:
    brands: tuple[_Brand, ...]
    official: frozenset[str]
    lure_words: frozenset[str]
    shorteners: frozenset[str]
    risky_tlds: frozenset[str]
    marketplace: tuple[str, ...]
    # Every string a brand skeleton turns into after its allowed deletions -> those brands.
    deletions: dict[str, frozenset[str]]


def _load_data() -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load(_DATA.read_text(encoding="utf-8"))
    return data


_RAW = _load_data()


@lru_cache(maxsize=16)
def _reference(
    marketplace_domains: tuple[str, ...], extra: tuple[tuple[str, tuple[str, ...]], ...] = ()
) -> _Reference:
    by_key: dict[str, _Brand] = {}
    specs = [
        (n, s["domains"], bool(s.get("common")), bool(s.get("any_tld")))
        for n, s in _RAW["brands"].items()
    ]
    for name, domains, common, any_tld in [*specs, *((n, d, False, False) for n, d in extra)]:
        key = name.replace(" ", "").lower()
        by_key[key] = _Brand(name, key, skeleton(key), frozenset(domains), common, any_tld)
    for domain in marketplace_domains:
        parts = _EXTRACT(domain)
        key = parts.domain.lower()
        known = by_key.get(key)
        official = frozenset({parts.top_domain_under_public_suffix.lower()}) | (
            known.official if known else frozenset()
        )
        by_key[key] = _Brand(key, key, skeleton(key), official, False)
    brands = tuple(by_key.values())
    deletions: dict[str, set[str]] = {}
    for brand in brands:
        if len(brand.key) >= 5:
            for variant in _deletions(brand.sk, _typo_limit(brand.key)):
                deletions.setdefault(variant, set()).add(brand.key)
    return _Reference(
        brands,
        frozenset(d for b in brands for d in b.official),
        frozenset(_RAW["lure_words"]),
        frozenset(_RAW["shorteners"]),
        frozenset(_RAW["risky_tlds"]),
        marketplace_domains,
        {k: frozenset(v) for k, v in deletions.items()},
    )


def _typo_limit(name: str) -> int:
    """Edits allowed before a lookalike stops looking like the name."""
    return 1 if len(name) < 8 else 2


def _deletions(word: str, depth: int) -> set[str]:
    """``word`` with up to ``depth`` characters deleted (symmetric-delete candidate search)."""
    out = {word}
    frontier = {word}
    for _ in range(depth):
        frontier = {w[:i] + w[i + 1 :] for w in frontier for i in range(len(w))}
        out |= frontier
    return out


def _near_brands(candidates: frozenset[str], ref: _Reference) -> frozenset[str]:
    """Brands a candidate could be within edit distance of: their deletion sets meet."""
    near: set[str] = set()
    for cand in candidates:
        for variant in _deletions(cand, 2 if len(cand) >= 7 else 1):
            found = ref.deletions.get(variant)
            if found:
                near |= found
    return frozenset(near)


@dataclass(frozen=True, slots=True)
class _Host:
    """A host cut into what brand matching compares, computed once per link."""

    label: str  # the registrable label, e.g. "d3pop-secure"
    tokens: tuple[str, ...]
    sub_tokens: tuple[str, ...]
    flat: str  # skeleton of the label without hyphens
    token_sks: tuple[str, ...]
    sub_sks: tuple[str, ...]
    candidates: frozenset[str]  # what a typosquat is measured on
    near: frozenset[str]  # brands some candidate may be a typo of
    lure: bool
    risky: bool
    lure_words: frozenset[str]

    def glued_lure(self, brand_sk: str) -> bool:
        """``depopsecure``: what is glued to the brand is an account word (not ``madmoizelle``)."""
        if self.lure or self.risky:
            return True
        rest = self.flat.replace(brand_sk, " ").split()
        return bool(rest) and all(any(w in r for w in self.lure_words if len(w) >= 4) for r in rest)

    @classmethod
    def of(cls, domain: str, subdomain: str, suffix: str, ref: _Reference) -> _Host:
        label = domain.lower()
        tokens = tuple(t for t in label.replace("_", "-").split("-") if t)
        sub_tokens = tuple(t for s in subdomain.lower().split(".") for t in s.split("-") if t)
        flat = skeleton(label).replace("-", "").replace("_", "")
        token_sks = tuple(skeleton(t) for t in tokens)
        candidates = frozenset((flat, *token_sks))
        return cls(
            label,
            tokens,
            sub_tokens,
            flat,
            token_sks,
            tuple(skeleton(t) for t in sub_tokens),
            candidates,
            _near_brands(candidates, ref),
            any(t in ref.lure_words for t in tokens + sub_tokens),
            suffix.rsplit(".", 1)[-1] in ref.risky_tlds,
            ref.lure_words,
        )


class PhishingLinksParams(BaseModel):
    model_config = ConfigDict(extra="forbid")
    idn_homograph: float = Field(default=0.95, ge=0, le=1)
    brand_in_domain: float = Field(default=0.9, ge=0, le=1)
    homoglyph: float = Field(default=0.92, ge=0, le=1)
    typosquat: float = Field(default=0.8, ge=0, le=1)
    typosquat_short: float = Field(
        default=0.45, ge=0, le=1, description="one edit from a 5-letter name, no lure word"
    )
    brand_in_userinfo: float = Field(default=0.9, ge=0, le=1, description="depop.com@evil.xyz")
    brand_other_tld: float = Field(default=0.7, ge=0, le=1)
    ip_host: float = Field(default=0.65, ge=0, le=1)
    shortener: float = Field(default=0.45, ge=0, le=1)
    risky_tld_lure: float = Field(default=0.55, ge=0, le=1)
    risky_tld: float = Field(default=0.25, ge=0, le=1)
    idn_other: float = Field(default=0.4, ge=0, le=1)
    extra_brands: dict[str, list[str]] = Field(
        default_factory=dict, description="more protected brands: name -> official domains"
    )


@dataclass(frozen=True, slots=True)
class _Finding:
    kind: str
    score: float
    host: str
    brand: str | None = None
    distance: int | None = None


def _host_of(entity: Entity) -> tuple[str, str]:
    """(host as normalized, text as typed in the original) for a url, domain or email."""
    if entity.kind == "email":
        domain = entity.attrs.get("domain")
        host = domain if isinstance(domain, str) else entity.value.rsplit("@", 1)[-1]
        return host.lower().strip("."), entity.text
    for attrs_key in ("host", "hostname"):
        given = entity.attrs.get(attrs_key)
        if isinstance(given, str) and given:
            host = given
            break
    else:
        value = entity.value.strip()
        if "://" not in value:
            value = "http://" + value.lstrip("/")
        try:
            host = urlsplit(value).hostname or ""
        except ValueError:
            host = ""
    original = entity.text
    return host.lower().strip("."), original


_INVISIBLE = dict.fromkeys(map(ord, "\u00ad\u200b\u200c\u200d\u2060\ufeff"))


def _typed_host(original: str) -> str:
    """The host as the user typed it, width-folded as browsers do, invisibles dropped."""
    text = unicodedata.normalize("NFKC", original).translate(_INVISIBLE)
    rest = text.split("://", 1)[-1]
    for stop in "/?#":
        rest = rest.split(stop, 1)[0]
    return rest.rsplit("@", 1)[-1]


def _is_ip(host: str) -> bool:
    parts = host.split(".")
    return (len(parts) == 4 and all(p.isdigit() and int(p) < 256 for p in parts)) or (":" in host)


@register
class PhishingLinks(Detector):
    """Lookalike, typosquat and homograph domains of protected brands; risky link shapes."""

    name = "phishing_links"
    Params = PhishingLinksParams

    def __init__(self, params: PhishingLinksParams) -> None:
        super().__init__(params)
        self.p = params
        self._extra = tuple((n, tuple(d)) for n, d in sorted(params.extra_brands.items()))
        # Campaigns repeat the same few hosts; judging one costs tens of microseconds.
        self._seen: OrderedDict[tuple[str, bool, tuple[str, ...]], _Finding | None] = OrderedDict()
        # Load the suffix list and the default reference now, not on the first event.
        _reference(("depop.com",), self._extra)

    def _judged(self, host: str, original: str, ref: _Reference) -> _Finding | None:
        key = (host, _typed_host(original).isascii(), ref.marketplace)
        if key in self._seen:
            self._seen.move_to_end(key)
            return self._seen[key]
        finding = self._judge(host, original, ref)
        self._seen[key] = finding
        if len(self._seen) > _CACHE_SIZE:
            self._seen.popitem(last=False)
        return finding

    def detect(self, item: Item, ctx: Context) -> list[Signal]:
        ref = _reference(tuple(ctx.marketplace_domains), self._extra)
        signals: list[Signal] = []
        seen: set[tuple[str, str]] = set()
        for field_name in item.fields:
            for e in item.entities(field_name):
                if e.kind not in ("url", "domain", "email"):
                    continue
                host, original = _host_of(e)
                if not host or (field_name, host) in seen:
                    continue
                seen.add((field_name, host))
                finding = (
                    None if e.kind == "email" else self._userinfo(e.value, host, ref)
                ) or self._judged(host, original, ref)
                if finding is None:
                    continue
                details: dict[str, Any] = {
                    "kind": finding.kind,
                    "host": finding.host,
                    "in": e.kind,
                }
                if finding.brand is not None:
                    details["lookalike_of"] = finding.brand
                if finding.distance is not None:
                    details["distance"] = finding.distance
                signals.append(
                    Signal(
                        self.name,
                        finding.score,
                        (Span(field_name, e.start, e.end, e.text),),
                        details,
                    )
                )
        return signals

    def _userinfo(self, value: str, host: str, ref: _Reference) -> _Finding | None:
        """``https://depop.com@evil.xyz``: the part before ``@`` is a user name, not the host."""
        authority = value.split("://", 1)[-1].split("/", 1)[0]
        if "@" not in authority:
            return None
        user = skeleton(authority.rsplit("@", 1)[0])
        for brand in ref.brands:
            if brand.sk in user and len(brand.key) >= 4:
                return _Finding("brand_in_userinfo", self.p.brand_in_userinfo, host, brand.name)
        return None

    def _judge(self, host: str, original: str, ref: _Reference) -> _Finding | None:
        p = self.p
        idn = "xn--" in host or not _typed_host(original).isascii()
        if "xn--" in host:
            with contextlib.suppress(UnicodeError):
                host = host.encode("ascii").decode("idna")
        if _is_ip(host):
            return _Finding("ip_host", p.ip_host, host)
        parts = _EXTRACT(host)
        registrable = parts.top_domain_under_public_suffix.lower()
        if not registrable:
            return None
        if registrable in ref.official:
            if not idn:
                return None
            owner = next(b.name for b in ref.brands if registrable in b.official)
            return _Finding("idn_homograph", p.idn_homograph, host, owner)
        if registrable in ref.shorteners:
            return _Finding("shortener", p.shortener, host)
        shape = _Host.of(parts.domain, parts.subdomain, parts.suffix, ref)
        lure, risky = shape.lure, shape.risky
        best: _Finding | None = None
        for brand in ref.brands:
            found = self._match(brand, shape)
            if found is not None and (best is None or found.score > best.score):
                best = found
        if best is not None:
            if idn:
                return _Finding("idn_homograph", max(best.score, p.idn_homograph), host, best.brand)
            return _Finding(best.kind, best.score, host, best.brand, best.distance)
        if idn:
            return _Finding("idn", p.idn_other, host)
        if risky:
            return _Finding(
                "risky_tld_lure" if lure else "risky_tld",
                p.risky_tld_lure if lure else p.risky_tld,
                host,
            )
        return None

    def _match(self, brand: _Brand, host: _Host) -> _Finding | None:
        p = self.p
        if brand.common and not (host.lure or host.risky):
            # apple.stackexchange.com is a section of someone else's site, not a lookalike.
            exact = brand.key in host.tokens
            return (
                _Finding("brand_in_domain", p.brand_in_domain * 0.8, "", brand.name)
                if (exact and host.label != brand.key)
                else None
            )
        if host.label == brand.key:
            if brand.any_tld and not (host.lure or host.risky):
                return None  # google.co.in: a global brand's country domain
            return _Finding("brand_other_tld", p.brand_other_tld, "", brand.name)
        if host.flat == brand.sk:
            return _Finding("homoglyph", p.homoglyph, "", brand.name)
        if brand.key in host.tokens or brand.key in host.sub_tokens:
            return _Finding("brand_in_domain", p.brand_in_domain, "", brand.name)
        if len(brand.key) >= 5 and brand.sk in host.sub_sks:
            return _Finding("homoglyph", p.brand_in_domain, "", brand.name)
        if len(brand.key) >= 5 and brand.sk in host.flat and host.glued_lure(brand.sk):
            kind = "brand_in_domain" if brand.key in host.label else "homoglyph"
            return _Finding(kind, p.brand_in_domain, "", brand.name)
        if brand.sk in host.token_sks:
            return _Finding("homoglyph", p.homoglyph, "", brand.name)
        if brand.key in host.near:
            limit = _typo_limit(brand.key)
            for cand in host.candidates:
                if abs(len(cand) - len(brand.sk)) > limit:
                    continue
                d = edit_distance(cand, brand.sk, limit)
                if 0 < d <= limit:
                    # One edit from a short name is often an ordinary word (depot ~ depop).
                    sure = (
                        host.lure
                        or host.risky
                        or len(brand.key) >= 7
                        or _deliberate(cand, brand.sk)
                    )
                    score = p.typosquat if sure else p.typosquat_short
                    return _Finding("typosquat", score, "", brand.name, d)
        return None
