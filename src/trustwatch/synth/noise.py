"""The texture of real chat: lower case, dropped apostrophes, slang, typos and emoji.

Typos only touch ordinary words (not key spans), so the label stays true: a key span
is changed only on purpose, by an evasion.
"""

from __future__ import annotations

import random
import re

from trustwatch.synth.grammar import Segment

EMOJI_FRIENDLY = (
    "😊",
    "🙏",
    "❤️",
    "✨",
    "😍",
    "🥰",
    "👍",
    "😭",
    "🤍",
    "💕",
    "🔥",
    "👀",
    "🙌",
    "😅",
    "🫶",
)
EMOJI_PUSHY = ("🔥", "💯", "✅", "💰", "📲", "👇", "‼️", "🚨", "💸", "⚡")

_SLANG = (
    (re.compile(r"\byou\b"), "u"),
    (re.compile(r"\byour\b"), "ur"),
    (re.compile(r"\bare\b"), "r"),
    (re.compile(r"\bplease\b"), "pls"),
    (re.compile(r"\bthanks\b"), "thx"),
    (re.compile(r"\bthank you\b"), "ty"),
    (re.compile(r"\bbecause\b"), "cos"),
    (re.compile(r"\btomorrow\b"), "tmrw"),
    (re.compile(r"\bprobably\b"), "prob"),
    (re.compile(r"\bokay\b"), "ok"),
    (re.compile(r"\bto be honest\b"), "tbh"),
    (re.compile(r"\bI don't know\b"), "idk"),
)
_KEYBOARD_NEIGHBOURS = {
    "a": "qs",
    "e": "wr",
    "i": "uo",
    "o": "ip",
    "u": "yi",
    "s": "ad",
    "t": "ry",
    "n": "bm",
    "r": "et",
    "l": "k",
    "h": "gj",
    "d": "sf",
    "m": "n",
    "c": "xv",
    "g": "fh",
    "y": "tu",
}
_WORD = re.compile(r"[A-Za-z]{4,}")


def typo_word(rng: random.Random, word: str) -> str:
    """One slip of the thumb: a dropped, swapped, doubled or neighbouring letter."""
    i = rng.randrange(1, len(word) - 1)
    kind = rng.random()
    if kind < 0.35:
        return word[:i] + word[i + 1 :]
    if kind < 0.65:
        return word[: i - 1] + word[i] + word[i - 1] + word[i + 1 :]
    if kind < 0.8:
        return word[:i] + word[i] + word[i:]
    near = _KEYBOARD_NEIGHBOURS.get(word[i].lower())
    return word[:i] + (rng.choice(near) if near else word[i]) + word[i + 1 :]


def add_typos(rng: random.Random, text: str, rate: float) -> str:
    return _WORD.sub(
        lambda m: typo_word(rng, m.group()) if rng.random() < rate else m.group(), text
    )


def casual(rng: random.Random, segments: list[Segment], *, pushy: bool = False) -> list[Segment]:
    """Apply one person's chat habits to a message, leaving key spans' letters alone."""
    lower = rng.random() < 0.45
    slang = rng.random() < 0.3
    no_apostrophes = rng.random() < 0.3
    typo_rate = rng.choice((0.0, 0.0, 0.0, 0.03, 0.06, 0.12))
    out: list[Segment] = []
    for seg in segments:
        text = seg.text
        if not seg.key:
            if slang:
                for pattern, short in _SLANG:
                    text = pattern.sub(short, text)
            if no_apostrophes:
                text = text.replace("'", "")
            if typo_rate:
                text = add_typos(rng, text, typo_rate)
        if lower:
            text = text.lower()
        out.append(Segment(text, seg.key))
    if out and not out[-1].key:
        tail = out[-1].text
        if rng.random() < 0.35:
            tail = tail.rstrip(".")
        roll = rng.random()
        if pushy and roll < 0.35:
            tail += " " + "".join(rng.choice(EMOJI_PUSHY) for _ in range(rng.randint(1, 3)))
        elif roll < 0.18:
            tail += rng.choice((" ", "")) + rng.choice(EMOJI_FRIENDLY)
        out[-1] = Segment(tail, False)
    return out


_GREETINGS = (
    "hi! ",
    "hiya ",
    "hey ",
    "hello, ",
    "Hi there, ",
    "hey hun ",
    "hii ",
    "omg ",
    "heyy ",
    "sorry to bother you, ",
    "quick question, ",
    "Hello! ",
    "hey lovely, ",
    "yo ",
    "morning! ",
)
_CLOSERS = (
    " thanks!",
    " thank you",
    " x",
    " xx",
    " cheers",
    " ty",
    " 🙏",
    " if that's ok",
    " no worries if not",
    " :)",
    " please",
    " lmk",
    " let me know!",
    " thanks in advance",
    " haha",
    " lol",
    " 😊",
    " thank youu",
)
_OPENS_WITH_GREETING = re.compile(r"^\W*(hi|hey|hello|hiya|yo|omg|morning|dear)\b", re.I)


def frame(
    rng: random.Random, segments: list[Segment], rate: float, *, greet: bool = True
) -> list[Segment]:
    """Add the greeting (``greet``: first message only) or sign-off people wrap around text."""
    out = list(segments)
    if not out:
        return out
    text = "".join(seg.text for seg in out)
    if greet and rng.random() < rate and not _OPENS_WITH_GREETING.match(text):
        first = out[0]
        lowered = first.text[:1].lower() + first.text[1:] if not first.key else first.text
        out[0] = Segment(lowered, first.key)
        out.insert(0, Segment(rng.choice(_GREETINGS)))
    ending = text.rstrip()[-1:]
    if rng.random() < rate * 0.8 and (ending.isalnum() or ending in "?.!"):
        out.append(Segment(rng.choice(_CLOSERS)))
    return out


_SENTENCE_START = re.compile(r"(^|[.!?]\s+|\n[-•]?\s*)([a-z])")


def sentence_case(segments: list[Segment]) -> list[Segment]:
    """Capitalise sentence starts in plain segments, as a seller writing a listing would."""
    out: list[Segment] = []
    at_start = True

    def upper(match: re.Match[str]) -> str:
        if match.start() or at_start:
            return match.group(1) + match.group(2).upper()
        return match.group(0)

    for seg in segments:
        text = seg.text
        if not seg.key:
            text = _SENTENCE_START.sub(upper, text)
        if text.strip():
            at_start = text.rstrip()[-1:] in ".!?\n"
        out.append(Segment(text, seg.key))
    return out
