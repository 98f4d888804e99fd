"""Evasion mutations real scammers use, for adversarial tests, evaluation and synthetic data.

Each mutation rewrites chosen words of a text: ``mutate(name, text, rng, targets)``.
``targets`` are the substrings to disguise (the words a detector keys on); without
them, a share of the longer words is chosen at random. Every mutation here is one the
``normalize`` views are meant to undo, so recall under each is a robustness figure.
"""

from __future__ import annotations

import random
import re
from collections.abc import Callable, Iterable

Mutation = Callable[[str, random.Random], str]

_LEET = {"a": "4", "e": "3", "i": "1", "o": "0", "s": "5", "t": "7", "l": "1"}
_LEET_SYMBOLS = {"a": "@", "s": "$", "i": "!"}
# Latin letter -> a Cyrillic or Greek character that renders the same.
_HOMOGLYPHS = {
    "a": "а",
    "c": "с",
    "e": "е",
    "i": "і",
    "j": "ј",
    "o": "о",
    "p": "р",
    "s": "ѕ",
    "x": "х",
    "y": "у",
    "h": "һ",
    "k": "κ",
    "n": "п",
    "v": "ν",
    "A": "А",
    "B": "В",
    "C": "С",
    "E": "Е",
    "H": "Н",
    "K": "К",
    "M": "М",
    "O": "О",
    "P": "Р",
    "T": "Т",
    "X": "Х",
}
_ZERO_WIDTH = ("\u200b", "\u200c", "\u200d", "\u2060", "\ufeff")
_DIGIT_WORDS = ("oh", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine")


def _leet(word: str, rng: random.Random) -> str:
    out = []
    for ch in word:
        low = ch.lower()
        if low in _LEET_SYMBOLS and rng.random() < 0.3:
            out.append(_LEET_SYMBOLS[low])
        elif low in _LEET and rng.random() < 0.7:
            out.append(_LEET[low])
        else:
            out.append(ch)
    mutated = "".join(out)
    if mutated == word:  # force at least one substitution when possible
        for i, ch in enumerate(word):
            if ch.lower() in _LEET:
                return word[:i] + _LEET[ch.lower()] + word[i + 1 :]
    return mutated


def _homoglyph(word: str, rng: random.Random) -> str:
    out = [_HOMOGLYPHS[ch] if ch in _HOMOGLYPHS and rng.random() < 0.6 else ch for ch in word]
    mutated = "".join(out)
    if mutated == word:
        for i, ch in enumerate(word):
            if ch in _HOMOGLYPHS:
                return word[:i] + _HOMOGLYPHS[ch] + word[i + 1 :]
    return mutated


def _zero_width(word: str, rng: random.Random) -> str:
    if len(word) < 2:
        return word
    return "".join(
        ch + (rng.choice(_ZERO_WIDTH) if i < len(word) - 1 else "") for i, ch in enumerate(word)
    )


def _spaced(word: str, rng: random.Random) -> str:
    return " ".join(word)


def _dotted(word: str, rng: random.Random) -> str:
    return rng.choice((".", "-", "_", "*")).join(word)


def _fullwidth(word: str, rng: random.Random) -> str:
    return "".join(chr(ord(ch) + 0xFEE0) if "!" <= ch <= "~" else ch for ch in word)


def _enclosed(word: str, rng: random.Random) -> str:
    out = []
    for ch in word:
        if "a" <= ch <= "z":
            out.append(chr(0x24D0 + ord(ch) - ord("a")))
        elif "A" <= ch <= "Z":
            out.append(chr(0x24B6 + ord(ch) - ord("A")))
        else:
            out.append(ch)
    return "".join(out)


def _case(word: str, rng: random.Random) -> str:
    return "".join(ch.upper() if rng.random() < 0.5 else ch.lower() for ch in word)


def _separators(word: str, rng: random.Random) -> str:
    dot = rng.choice((" dot ", " (dot) ", "[.]", " DOT "))
    at = rng.choice((" at ", " (at) ", "[at]", " AT "))
    return word.replace(".", dot).replace("@", at)


def _spelled_digits(word: str, rng: random.Random) -> str:
    if not any(ch.isdigit() for ch in word):
        return word
    words = []
    digits = [ch for ch in word if ch.isdigit()]
    i = 0
    while i < len(digits):
        d = int(digits[i])
        if i + 1 < len(digits) and digits[i + 1] == digits[i] and rng.random() < 0.4:
            words.append("double " + _DIGIT_WORDS[d])
            i += 2
        else:
            words.append(_DIGIT_WORDS[d] if d or rng.random() < 0.5 else "zero")
            i += 1
    return " ".join(words)


MUTATIONS: dict[str, Mutation] = {
    "leet": _leet,
    "homoglyph": _homoglyph,
    "zero_width": _zero_width,
    "spaced": _spaced,
    "dotted": _dotted,
    "fullwidth": _fullwidth,
    "enclosed": _enclosed,
    "case": _case,
    "separators": _separators,
    "spelled_digits": _spelled_digits,
}
"""Every mutation by name. ``separators`` and ``spelled_digits`` apply to emails,
domains and phone numbers; the others to words."""

WORD_MUTATIONS = tuple(n for n in MUTATIONS if n not in ("separators", "spelled_digits"))

_WORD = re.compile(r"[A-Za-z][A-Za-z']{3,}")
_CONTACT = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+|\b[\w-]+(?:\.[a-z]{2,})+\b|\+?\d[\d ]{7,}\d")


def mutate(
    name: str,
    text: str,
    rng: random.Random,
    targets: Iterable[str] | None = None,
    share: float = 0.3,
) -> str:
    """Apply mutation ``name`` to each occurrence of ``targets`` (or to random words)."""
    word_fn = MUTATIONS[name]

    def fn(match: str, rng: random.Random) -> str:
        # Mutate each whitespace-separated piece so the spaces between them survive; spaced
        # letters need a wider gap between words, as people write them ("c h e c k  y o u r").
        if name == "spaced":
            return "  ".join(word_fn(piece, rng) for piece in match.split())
        return re.sub(r"\S+", lambda m: word_fn(m.group(0), rng), match)

    if targets is not None:
        wanted = sorted({t for t in targets if t}, key=len, reverse=True)
        if not wanted:
            return text
        union = re.compile("|".join(re.escape(t) for t in wanted), re.I)
        # Targets next to each other ("paypal" "friends and family") are one phrase to the
        # writer: disguise them together, so spacing keeps the break between them.
        spans: list[list[int]] = []
        for m in union.finditer(text):
            if spans and not text[spans[-1][1] : m.start()].strip():
                spans[-1][1] = m.end()
            else:
                spans.append([m.start(), m.end()])
        pieces, pos = [], 0
        for start, end in spans:
            pieces += [text[pos:start], fn(text[start:end], rng)]
            pos = end
        return "".join(pieces) + text[pos:]
    pattern = _CONTACT if name in ("separators", "spelled_digits") else _WORD
    return pattern.sub(lambda m: fn(m.group(0), rng) if rng.random() < share else m.group(0), text)
