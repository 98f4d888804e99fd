"""The Unicode layer: the ``base`` view (NFKC, case folding, invisible characters removed,
emoji letters read as letters) and the ``skeleton`` view (look-alikes folded to Latin)."""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Callable
from functools import cache
from importlib import resources

from trustwatch.normalize.view import Edit, View, rewrite

_NON_ASCII = re.compile(r"[^\x00-\x7f]+")
_ASCII_LETTER_OR_DIGIT = re.compile(r"[a-z0-9]")


def _emoji_letter(cp: int) -> str | None:
    """Letters NFKC leaves alone: negative circled/squared letters, regional indicators,
    parenthesized letters (NFKC would give "(a)")."""
    for first, last in ((0x1F150, 0x1F169), (0x1F170, 0x1F189), (0x1F1E6, 0x1F1FF)):
        if first <= cp <= last:
            return chr(ord("a") + cp - first)
    if 0x249C <= cp <= 0x24B5:
        return chr(ord("a") + cp - 0x249C)
    return None


def _is_invisible(ch: str) -> bool:
    """Zero-width, bidi controls, tags, soft hyphen, variation selectors, keycap marks."""
    cp = ord(ch)
    return (
        unicodedata.category(ch) == "Cf"
        or 0xFE00 <= cp <= 0xFE0F
        or 0xE0100 <= cp <= 0xE01EF
        or cp in (0x034F, 0x20E3, 0x180B, 0x180C, 0x180D, 0x180F)
    )


@cache
def _fold_char(ch: str) -> str:
    """What one non-ASCII char becomes in the base view ("" when it is dropped)."""
    if _is_invisible(ch):
        return ""
    emoji = _emoji_letter(ord(ch))
    if emoji is not None:
        return emoji
    folded = unicodedata.normalize("NFKC", ch).casefold()
    return unicodedata.normalize("NFKC", folded) if not folded.isascii() else folded


# Marks a char that does not fold to exactly one char, so the fast path gives way.
_COMPLEX = "\x00"


class _OneToOne(dict[int, str]):
    """A ``str.translate`` table, filled on demand, of chars that fold to one char."""

    def __init__(self, fold: Callable[[str], str]) -> None:
        super().__init__()
        self._fold = fold

    def __missing__(self, cp: int) -> str:
        ch = chr(cp)
        out = self._fold(ch)
        if len(out) != 1 or cp == 0 or unicodedata.combining(ch):
            out = _COMPLEX
        self[cp] = out
        return out


_BASE_TABLE = _OneToOne(lambda ch: ch.lower() if ch.isascii() else _fold_char(ch))


def base_view(text: str) -> View:
    """NFKC + case folding, invisible chars removed; combining marks stay with their letter."""
    if text.isascii():
        return View("base", text.lower())
    folded = text.translate(_BASE_TABLE)
    if _COMPLEX not in folded:
        return View("base", folded)
    return _base_view_mapped(text)


def _base_view_mapped(text: str) -> View:
    out: list[str] = []
    starts: list[int] = []
    ends: list[int] = []
    pos = 0
    n = len(text)
    for m in _NON_ASCII.finditer(text):
        start, end = m.span()
        if start > pos and unicodedata.combining(text[start]):
            start -= 1  # the mark belongs to the ASCII letter before it
        if start > pos:
            out.append(text[pos:start].lower())
            starts.extend(range(pos, start))
            ends.extend(range(pos + 1, start + 1))
        i = start
        while i < end:
            # A cluster is a char plus the combining marks after it, normalized together.
            j = i + 1
            while j < n and not text[j].isascii() and unicodedata.combining(text[j]):
                j += 1
            if j - i == 1:
                folded = _fold_char(text[i]) if not text[i].isascii() else text[i].lower()
            else:
                cluster = "".join(c for c in text[i:j] if not _is_invisible(c))
                folded = unicodedata.normalize("NFKC", cluster).casefold()
            if folded:
                out.append(folded)
                starts.extend([i] * len(folded))
                ends.extend([j] * len(folded))
            elif ends and ends[-1] == i and unicodedata.category(text[i]) in ("Mn", "Me"):
                ends[-1] = j  # a dropped mark ("1️⃣": FE0F, 20E3) belongs to the char before
            i = j
        pos = max(end, i)
    if pos < n:
        out.append(text[pos:].lower())
        starts.extend(range(pos, n))
        ends.extend(range(pos + 1, n + 1))
    return View("base", "".join(out), starts, ends)


@cache
def _latin_confusables() -> tuple[dict[str, str], dict[str, str]]:
    """(exact, folded): non-ASCII char -> the Latin letter it mimics.

    ``exact`` is keyed by the char as written (Greek capital "Ν" -> "n"), ``folded`` by
    the char after case folding (Cyrillic "м", from "М", -> "m"). Built from the Unicode
    confusables data shipped in ``confusable-homoglyphs``, kept only where the look-alike
    is an ASCII letter or digit.
    """
    source = resources.files("confusable_homoglyphs").joinpath("confusables.json")
    data: dict[str, list[dict[str, str]]] = json.loads(source.read_text(encoding="utf-8"))
    exact: dict[str, str] = {}
    for char, lookalikes in data.items():
        if char.isascii() or len(char) != 1:
            continue
        targets = [x["c"] for x in lookalikes if x["c"].isascii() and x["c"].isalnum()]
        if targets:
            # Prefer a letter of the same case ("Ι" is "I", not "l"), then a digit.
            upper = char.isupper()
            targets.sort(key=lambda t: (not t.isalpha(), t.isupper() != upper))
            target = targets[0].lower()
            # The data writes capital-I look-alikes as "l"; a capital reads as "I".
            exact[char] = "i" if target == "l" and char.isupper() else target
    # Cyrillic/Greek letters the data misses (lowercase forms of confusable capitals).
    exact.update({"п": "n", "κ": "k", "ĸ": "k", "ι": "i", "τ": "t"})
    folded = dict(exact)
    # A case-folded capital looks like its capital's Latin letter, unless the lowercase
    # letter has a look-alike of its own (Greek "ν" is "v", not "n").
    for char, target in exact.items():
        for key in (char.casefold(), unicodedata.normalize("NFKC", char).casefold()):
            if len(key) == 1 and not key.isascii() and key not in folded:
                folded[key] = target
    return exact, folded


def _strip_accents(ch: str) -> str:
    if unicodedata.combining(ch):
        return ""
    stripped = "".join(c for c in unicodedata.normalize("NFD", ch) if not unicodedata.combining(c))
    return stripped if stripped != ch and stripped and stripped.isascii() else ch


@cache
def _skeleton_char(ch: str) -> str:
    """What one non-ASCII base-view (case-folded) char becomes in the skeleton view."""
    mapped = _latin_confusables()[1].get(ch)
    return mapped if mapped is not None else _strip_accents(ch)


@cache
def _skeleton_of_original(ch: str) -> str:
    """What one original char becomes in the skeleton view, using its case."""
    if ch.isascii():
        return ch.lower()
    mapped = _latin_confusables()[0].get(ch)
    if mapped is not None:
        return mapped
    return "".join(_skeleton_char(c) if not c.isascii() else c for c in _fold_char(ch))


_SKELETON_TABLE = _OneToOne(_skeleton_of_original)


def skeleton_view(base: View, original: str) -> View:
    """Confusable look-alikes folded to Latin and accents stripped: ``раураl`` -> ``paypal``."""
    if base.is_identity:
        # One char per original char: read each original char with its case.
        fast = original.translate(_SKELETON_TABLE)
        if _COMPLEX not in fast:
            return base.retext("skeleton", fast)
    text = base.text
    edits: list[Edit] = []
    for m in _NON_ASCII.finditer(text):
        for i in range(m.start(), m.end()):
            ch = text[i]
            mapped = _skeleton_char(ch)
            if mapped != ch:
                edits.append((i, i + 1, mapped))
    return rewrite(base, "skeleton", edits)
