"""URLs, bare domains and email addresses, including defanged and spelled-out ones, and
the payment and messaging handles a link names (``paypal.me/x``, ``wa.me/447…``)."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import parse_qs, urlsplit

from trustwatch.entities.entity import Entity, Scan
from trustwatch.entities.hosts import SHORTENERS, host_attrs, plausible_bare_domain

_PATH = r"(?P<path>[/?#][^\s<>\"'`]*)?"
_SCHEMED = re.compile(
    r"(?<![\w])(?P<scheme>https?|ftp)://(?P<userinfo>[^\s/?#<>\"'`@]+@)?"
    r"(?P<host>\[[0-9a-f:.]+\]|\w[\w.-]*)(?::(?P<port>\d{1,5}))?" + _PATH
)
_BARE = re.compile(
    r"(?<![\w@.\-/:$])(?P<host>(?:\w(?:[\w-]{0,61}\w)?\.)+(?:[^\W\d_]{2,63}|xn--[a-z0-9-]{1,59}))"
    r"(?![\w@-])(?::(?P<port>\d{2,5})(?!\d))?(?P<path>/[^\s<>\"'`]*)?"
)
_BARE_IP = re.compile(
    r"(?<![\w.])(?P<host>(?:\d{1,3}\.){3}\d{1,3})(?:(?::(?P<port>\d{2,5}))(?P<path>/[^\s<>\"'`]*)?"
    r"|(?P<path2>/[^\s<>\"'`]*))"
)
# Literal-first so it scans fast: a dot followed by two letters, or an IP's last octet.
_BARE_HINT = re.compile(r"\.(?:[^\W\d_]{2}|\d{1,3}[:/])")
_EMAIL = re.compile(
    r"(?<![\w.+-])(?P<local>\w[\w.+-]{0,63})@(?P<domain>(?:\w(?:[\w-]{0,61}\w)?\.)+[^\W\d_]{2,63})"
    r"(?![\w-])"
)
_TRAILING = ".,;:!?)]}'\"*"


def _trim(text: str, start: int, end: int) -> int:
    """The end of a link with sentence punctuation after it cut off."""
    while end > start and text[end - 1] in _TRAILING:
        if text[end - 1] == ")" and text.count("(", start, end) >= text.count(")", start, end):
            break
        end -= 1
    return end


def find_emails(scan: Scan) -> list[Entity]:
    if "@" not in scan.text:
        return []
    found: list[Entity] = []
    for m in _EMAIL.finditer(scan.text):
        if scan.taken(m.start(), m.end()):
            continue
        domain = m.group("domain")
        attrs = host_attrs(domain)
        if not attrs["tld"]:
            continue
        local = m.group("local").rstrip(".")
        start, end = m.start(), m.end()
        email = scan.add(
            "email",
            f"{local}@{domain}",
            start,
            end,
            local=local,
            domain=attrs["host"],
            registrable_domain=attrs["registrable_domain"],
            idn=dict(attrs["idn"]) if attrs["idn"] else None,
            obfuscated=scan.obfuscated(start, end),
        )
        found.append(email)
    return found


def _free(scan: Scan, start: int, end: int, host: str, folded: bool) -> bool:
    """Whether a link may be added there: nothing found there yet or, in a folded view,
    only links the folded reading explains better: a look-alike whose folded host is a
    known messaging or payment host (``wа.me`` with a Cyrillic а, ``w4.me``), or one with
    no real suffix (``https://w4.m3``)."""
    if not scan.taken(start, end):
        return True
    if not folded:
        return False
    attrs = host_attrs(host)
    if not attrs["tld"]:
        return False
    for e in scan.overlapping(start, end):
        if e.kind not in ("url", "domain"):
            return False
        if e.attrs.get("host") == attrs["host"]:
            return False
        lookalike = attrs["registrable_domain"] in KNOWN_HOSTS
        # Folded readings of an ambiguous spelling are all kept ("h31p": heip, help).
        other_reading = "view" in e.attrs
        weak = not e.attrs.get("tld") and not e.attrs.get("is_ip")
        if not (lookalike or other_reading or weak):
            return False
    return True


def find_schemed_links(scan: Scan, folded: bool = False) -> None:
    """Add ``scheme://`` urls, and the handles they name."""
    text = scan.text
    if "://" not in text:
        return
    for m in _SCHEMED.finditer(text):
        end = _trim(text, m.start(), m.end())
        host = m.group("host")
        if "." not in host and ":" not in host and host != "localhost":
            continue  # "https://w a . m e": not a host name; the joined view reads it
        if _free(scan, m.start(), end, host, folded):
            _add_link(scan, m, end, m.group("scheme"), bool(m.group("userinfo")))


def find_bare_links(scan: Scan, folded: bool = False) -> None:
    """Add urls and domains written without a scheme, and the handles they name."""
    text = scan.text
    if _BARE_HINT.search(text) is None:
        return
    for m in _BARE.finditer(text):
        end = _trim(text, m.start(), m.end())
        host = m.group("host")
        if not _free(scan, m.start(), end, host, folded):
            continue
        attrs = host_attrs(host)
        has_rest = bool(m.group("port") or (m.group("path") and end > m.end("host")))
        if not (host.startswith("www.") or has_rest) and not plausible_bare_domain(attrs):
            continue
        if not attrs["tld"]:
            continue
        _add_link(scan, m, end, None, False)
    for m in _BARE_IP.finditer(text) if not folded else ():
        end = _trim(text, m.start(), m.end())
        if not scan.taken(m.start(), end):
            _add_link(scan, m, end, None, False)


def _add_link(scan: Scan, m: re.Match[str], end: int, scheme: str | None, userinfo: bool) -> None:
    start = m.start()
    host = m.group("host")
    attrs: dict[str, Any] = dict(host_attrs(host))
    if attrs["idn"] is not None:
        attrs["idn"] = dict(attrs["idn"])  # the cached one stays unchanged
    host_end = m.end("host")
    port = m.group("port")
    path_start = m.start("path") if m.group("path") else -1
    path = scan.text[path_start:end] if 0 <= path_start < end else ""
    if path and scan.view.name.startswith("leet"):
        # Paths and ids are not words: take the path as written, not its leet reading.
        p_start, p_end = scan.view.to_original(path_start, end)
        path = scan.original[p_start:p_end].lower()
    if not path and "path2" in m.groupdict() and m.group("path2"):
        path = scan.text[m.start("path2") : end]
    obfuscated = scan.obfuscated(start, end)
    is_url = bool(scheme or host.startswith("www.") or port or path or attrs["is_ip"])
    o_start, o_end = scan.view.to_original(start, end)
    literal = scan.original[o_start:o_end]
    value = scan.text[start:end] if obfuscated else literal
    if obfuscated and path and path_start >= 0:
        value = scan.text[start:path_start] + path
    attrs.update(
        scheme=scheme,
        port=int(port) if port else None,
        path=path,
        obfuscated=obfuscated,
        defanged=obfuscated and "hxxp" in literal.lower(),
    )
    if userinfo:
        attrs["userinfo"] = True
    if attrs["idn"] is not None:
        attrs["mixed_script"] = attrs["idn"]["mixed_script"]
    if scan.view.name not in ("base", "spelled"):
        attrs["view"] = scan.view.name
    scan.add("url" if is_url else "domain", value, start, end, **attrs)
    if host_end <= end:
        _link_handles(scan, attrs, path, start, end)


# Hosts whose first path segment is a payment handle.
_PAYMENT_HOSTS = {
    "paypal.me": "paypal",
    "revolut.me": "revolut",
    "monzo.me": "monzo",
    "cash.app": "cashapp",
    "venmo.com": "venmo",
}
# Hosts whose first path segment is a messaging or social handle.
_SOCIAL_HOSTS = {
    "wa.me": "whatsapp",
    "t.me": "telegram",
    "telegram.me": "telegram",
    "telegram.dog": "telegram",
    "instagram.com": "instagram",
    "instagr.am": "instagram",
    "tiktok.com": "tiktok",
    "discord.gg": "discord",
    "kik.me": "kik",
    "m.me": "messenger",
    "facebook.com": "facebook",
    "fb.me": "facebook",
    "twitter.com": "twitter",
    "x.com": "twitter",
    "snapchat.com": "snapchat",
    "signal.me": "signal",
    "signal.group": "signal",
}
# Hosts whose links name a payment or messaging handle, and shorteners: a link to one
# is worth finding even when only a folded view spells it out.
KNOWN_HOSTS = frozenset(_PAYMENT_HOSTS) | frozenset(_SOCIAL_HOSTS) | SHORTENERS | {"whatsapp.com"}
_SKIP_SEGMENTS = frozenset({"u", "add", "invite", "p", "paypalme", "s", "join", "send", "c"})


def _first_segment(path: str) -> str:
    for segment in path.split("?", 1)[0].split("#", 1)[0].split("/"):
        if segment and segment not in _SKIP_SEGMENTS:
            return segment.lstrip("@$")
    return ""


def _link_handles(scan: Scan, attrs: dict[str, Any], path: str, start: int, end: int) -> None:
    registrable = attrs["registrable_domain"]
    host = attrs["host"]
    provider = _PAYMENT_HOSTS.get(registrable)
    if registrable == "paypal.com" and "/paypalme/" in path:
        provider = "paypal"
    if provider is not None:
        handle = _first_segment(path)
        if handle:
            scan.add("payment_handle", handle, start, end, provider=provider, via="link")
        return
    platform = _SOCIAL_HOSTS.get(host.removeprefix("www.")) or _SOCIAL_HOSTS.get(registrable)
    if host in ("api.whatsapp.com", "wa.link") or registrable == "whatsapp.com":
        platform = "whatsapp"
        phone = parse_qs(urlsplit(path).query).get("phone", [""])[0]
        handle = phone or _first_segment(path)
        if handle:
            scan.add("social_handle", handle, start, end, platform=platform, via="link")
        return
    if registrable == "discord.com" and path.startswith("/invite/"):
        platform = "discord"
    if platform is None:
        return
    handle = _first_segment(path)
    if handle:
        scan.add("social_handle", handle, start, end, platform=platform, via="link")
