"""The ``joined`` view (spaced-out letters joined) and the ``leet`` view (digits and
symbols read as the letters they stand for)."""

from __future__ import annotations

import re

from trustwatch.normalize.view import Edit, View, rewrite

# One isolated char of a spaced-out word, and what may sit between two of them.
_SINGLE = r"[a-z0-9$@]"
_SEP = r"(?:[ \t]{1,3}|[ \t]?[.\-_*·•~+/][ \t]?)"
_SPACED = re.compile(rf"(?<![\w$@]){_SINGLE}(?:{_SEP}{_SINGLE}){{2,}}(?![\w$@])")
# Two chars of a spaced-out run; literal- or class-first, so the regexes scan fast.
_SPACED_HINT = re.compile(rf" {_SINGLE} {{1,3}}{_SINGLE}(?![\w$@])")
_DOTTED_HINT = re.compile(rf"[.\-_*·•~+/]{_SINGLE}[.\-_*·•~+/]")
_LETTER = re.compile(r"[a-z]")

_LEET_CHAR = re.compile(r"[0134579$@!|8]")
_LETTERS = frozenset("abcdefghijklmnopqrstuvwxyz")
_TOKEN_CHARS = frozenset("abcdefghijklmnopqrstuvwxyz0123456789$@!|")
_DIGIT_TABLE = {"0": "o", "3": "e", "4": "a", "5": "s", "7": "t", "8": "b", "9": "g"}
# Tokens that are numbers with a unit or ordinal, or hex: not leetspeak.
_NOT_LEET = re.compile(
    r"\d+(?:st|nd|rd|th|am|pm|k|m|x|gb|mb|tb|ml|cl|cm|mm|km|kg|g|lb|lbs|oz|p|ft|in|yo|yrs?|s)"
    r"|0x[0-9a-f]+|[a-z]+\d{3,}|\d{3,}[a-z]+"
)
_VOWELS = frozenset("aeouy")


def joined_view(src: View) -> View | None:
    """Join words spelled out one char at a time: ``w h a t s a p p`` -> ``whatsapp``.

    Returns None when the text has no run of at least three isolated chars.
    """
    text = src.text
    if _SPACED_HINT.search(text) is None and _DOTTED_HINT.search(text) is None:
        return None
    edits: list[Edit] = []
    for m in _SPACED.finditer(text):
        run = m.group(0)
        if len(_LETTER.findall(run)) < 2:
            continue
        base = m.start()
        i = 1
        while i < len(run):
            if run[i] in "$@" or run[i].isalnum():
                i += 1
                continue
            j = i
            while j < len(run) and not (run[j] in "$@" or run[j].isalnum()):
                j += 1
            edits.append((base + i, base + j, ""))
            i = j
    return rewrite(src, "joined", edits) if edits else None


def _deleet(token: str) -> str:
    """Read one token's digits and symbols as letters."""
    chars = list(token)
    n = len(chars)
    for i, ch in enumerate(token):
        if ch in _DIGIT_TABLE:
            chars[i] = _DIGIT_TABLE[ch]
        elif ch == "1" or ch == "!":
            if ch == "!" and i == n - 1:
                continue
            # "1" is "l" before a vowel or at the end of a word (te1egram, paypa1), else "i".
            j = i
            while j < n and token[j] in "1!":
                j += 1
            nxt = _DIGIT_TABLE.get(token[j], token[j]) if j < n else ""
            chars[i] = "l" if ch == "1" and (nxt == "" or nxt in _VOWELS) else "i"
        elif ch == "|":
            chars[i] = "l"
        elif ch == "$":
            if i > 0:
                chars[i] = "s"
        elif ch == "@" and 0 < i < n - 1 and token[i - 1] not in "$@" and token[i + 1] not in "$@":
            chars[i] = "a"
    return "".join(chars)


def leet_view(src: View) -> View | None:
    """Undo leetspeak inside words: ``p4yp4l`` -> ``paypal``, ``ca$h`` -> ``cash``.

    Only tokens with at least two letters change, so prices, sizes, years and phone
    numbers stay as they are. Returns None when nothing changes.
    """
    text = src.text
    edits: list[Edit] = []
    done = 0
    n = len(text)
    for hit in _LEET_CHAR.finditer(text):
        i = hit.start()
        if i < done:
            continue
        before = text[i - 1] if i else ""
        after = text[i + 1] if i + 1 < n else ""
        if before not in _LETTERS and after not in _LETTERS:
            continue
        if hit.group(0) in "!|" and not after.isalnum():
            continue  # sentence punctuation, not a letter
        start = i
        while start > 0 and text[start - 1] in _TOKEN_CHARS:
            start -= 1
        end = i + 1
        while end < n and text[end] in _TOKEN_CHARS:
            end += 1
        done = end
        token = text[start:end]
        if len(token) < 3 or len(_LETTER.findall(token)) < 2 or _NOT_LEET.fullmatch(token):
            continue
        plain = _deleet(token)
        if plain != token:
            edits.append((start, end, plain))
    return rewrite(src, "leet", edits) if edits else None
