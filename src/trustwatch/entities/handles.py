"""Handles tied to the platform named next to them: ``@jess`` near a platform name
(``via`` "at"), ``insta: jess`` (``via`` "label"), and ``my insta is jess_99`` when the word
is handle-shaped (``via`` "named").

A handle near a payment app (Venmo, Revolut, Cash App, PayPal) is a ``payment_handle``;
near a messaging or social app a ``social_handle`` with ``platform``; a bare ``@handle``,
a ``social_handle`` whose ``platform`` is None.
"""

from __future__ import annotations

import re

from trustwatch.entities.entity import Entity, Scan
from trustwatch.lexicon.merged import MERGED

_PLATFORMS = {
    "instagram": "instagram",
    "insta": "instagram",
    "ig": "instagram",
    "snapchat": "snapchat",
    "snap": "snapchat",
    "sc": "snapchat",
    "telegram": "telegram",
    "tele": "telegram",
    "gram": "instagram",
    "tg": "telegram",
    "whatsapp": "whatsapp",
    "whats app": "whatsapp",
    "wa": "whatsapp",
    "kik": "kik",
    "signal": "signal",
    "discord": "discord",
    "twitter": "twitter",
    "tiktok": "tiktok",
    "facebook": "facebook",
    "fb": "facebook",
    "wechat": "wechat",
}
_PAYMENT_APPS = {
    "venmo": "venmo",
    "revolut": "revolut",
    "revtag": "revolut",
    "cashapp": "cashapp",
    "cash app": "cashapp",
    "paypal": "paypal",
    "monzo": "monzo",
    "zelle": "zelle",
}
_NAMES = {**_PLATFORMS, **_PAYMENT_APPS}
_NAME_PATTERN = "|".join(sorted((re.escape(n) for n in _NAMES), key=len, reverse=True))
_NAME = re.compile(rf"\b(?:{_NAME_PATTERN})\b")
# At least three chars: "@nd" in "fam11y @nd fr13nds" is leet, not a handle.
_HANDLE = r"(?P<handle>[a-z0-9_][a-z0-9_.-]{1,28}[a-z0-9_])(?![\w@])"
# Words after "PayPal:" or "insta -" that are the sentence going on, not a handle.
_NOT_HANDLES = frozenset(
    (  # noqa: SIM905
        "you your yours me my mine we our us the and for not yes please pls thanks thank"
        " hello hey add follow message send link same only just also have has had can will"
        " would could should this that there here are was were its it's what when how why"
        " who payment payments account received sent money"
    ).split()
)
_AT_HANDLE = re.compile(r"(?<![\w@.+-])@" + _HANDLE)
# "insta: jess_99", "snap - jess99": a platform name, a colon or dash, then the handle.
_LABELLED = re.compile(rf"\b(?P<name>{_NAME_PATTERN})\s*(?:[:=]|-|–)\s*@?" + _HANDLE)
# "my insta is jess_99", "snap me jessb99": a platform name, a few linking words, then a
# handle-shaped word: four chars or more, starting with a letter, with a digit, "_" or "."
# in it ("insta is private", "signal 5g", "snap 10am" are not handles).
_NAMED = re.compile(
    rf"\b(?P<name>{_NAME_PATTERN})(?:\s+(?:is|me|at|on|name|handle|username|user|id|acc))*"
    r"\s*[:=\-–]?\s+(?P<handle>(?=[a-z0-9_.-]*[0-9_.])"
    r"[a-z_][a-z0-9_.-]{2,28}[a-z0-9_])(?![\w@.])"
)
# A word spelled out a char at a time ("c_h_e_c_k_o_u_t") is not a handle.
_SPELLED_OUT = re.compile(r"(?:[a-z0-9][_.\-])+[a-z0-9]")
_SENTENCE_END = re.compile(r"[.!?\n]\s")
_WINDOW_BEFORE = 30
_WINDOW_AFTER = 20


# A cheap first look: most texts name no platform at all. The names join the lexicons'
# merged pass, which walks each view once for every word list.
_NAME_OWNER = MERGED.register({name: len(name) for name in _NAMES})


def _names_in(text: str) -> bool:
    """Whether a platform or payment app name stands in ``text`` with no letter or digit
    touching it (``WordSet.any_in`` over the names, read from the merged pass)."""
    n = len(text)
    for end, parts in MERGED.read(text):
        length = parts[_NAME_OWNER]
        if length is None:
            continue
        start = end - length + 1
        if (start == 0 or not text[start - 1].isalnum()) and (
            end + 1 == n or not text[end + 1].isalnum()
        ):
            return True
    return False


def _nearest_name(text: str, start: int, end: int) -> str | None:
    """The platform or payment-app name closest to the handle, in the same sentence."""
    best: tuple[int, str] | None = None
    lo = max(0, start - _WINDOW_BEFORE)
    for m in _NAME.finditer(text, lo, start):
        if _SENTENCE_END.search(text, m.end(), start) is None:
            distance = start - m.end()
            if best is None or distance < best[0]:
                best = (distance, m.group(0))
    for m in _NAME.finditer(text, end, min(len(text), end + _WINDOW_AFTER)):
        if _SENTENCE_END.search(text, end, m.start()) is None:
            distance = m.start() - end
            if best is None or distance < best[0]:
                best = (distance, m.group(0))
            break
    return best[1] if best else None


def _add(scan: Scan, name: str | None, handle: str, start: int, end: int, via: str) -> None:
    if name is not None and name in _PAYMENT_APPS:
        scan.add("payment_handle", handle, start, end, provider=_PAYMENT_APPS[name], via=via)
    else:
        platform = _PLATFORMS[name] if name is not None else None
        scan.add("social_handle", handle, start, end, platform=platform, via=via)


def _bare_handle_at(scan: Scan, start: int, end: int) -> Entity | None:
    """The platform-less handle found earlier at this view span, if that is all there is."""
    overlapping = scan.overlapping(start, end)
    if len(overlapping) != 1:
        return None
    found = overlapping[0]
    bare = found.kind == "social_handle" and found.attrs.get("platform") is None
    return found if bare else None


def find_handles(scan: Scan, folded: bool = False) -> None:
    """Add handles. In a folded view (``folded``), only where the folded text names the
    platform ("1nst4 @jess", "sn4p: jess99"), upgrading a bare handle found before."""
    text = scan.text
    has_at = "@" in text
    labelled = ":" in text or "=" in text or " - " in text or "–" in text
    has_name = _names_in(text)
    if not (has_at or labelled or has_name) or (folded and not has_name):
        return
    if has_name and labelled:
        for m in _LABELLED.finditer(text):
            handle = m.group("handle")
            if handle.isdigit() or handle in _NOT_HANDLES:
                continue
            if scan.taken(m.start("handle"), m.end("handle")):
                continue
            _add(scan, m.group("name"), handle, m.start("handle"), m.end("handle"), "label")
    if has_name:
        for m in _NAMED.finditer(text):
            handle = m.group("handle")
            if handle in _NOT_HANDLES or _SPELLED_OUT.fullmatch(handle):
                continue
            if scan.taken(m.start("handle"), m.end("handle")):
                continue
            _add(scan, m.group("name"), handle, m.start("handle"), m.end("handle"), "named")
    if not has_at:
        return
    for m in _AT_HANDLE.finditer(text):
        name = _nearest_name(text, m.start(), m.end()) if has_name else None
        if scan.taken(m.start(), m.end()):
            bare = _bare_handle_at(scan, m.start(), m.end()) if folded and name else None
            if bare is None:
                continue
            scan.remove(bare)
        elif folded and name is None:
            continue
        _add(scan, name, m.group("handle"), m.start(), m.end(), "at")
