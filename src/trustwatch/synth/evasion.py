"""Disguise the key spans of a positive text with ``trustwatch.adversarial`` mutations."""

from __future__ import annotations

import random
import re

from trustwatch.adversarial import MUTATIONS
from trustwatch.synth.grammar import Segment

# Rough mix of what moderators see; word tricks dominate, contact tricks where they fit.
_WORD_WEIGHTS = {
    "leet": 0.22,
    "homoglyph": 0.18,
    "zero_width": 0.12,
    "spaced": 0.16,
    "dotted": 0.09,
    "fullwidth": 0.06,
    "enclosed": 0.05,
    "case": 0.04,
}
_CONTACT_WEIGHTS = {
    "separators": 0.5,
    "homoglyph": 0.15,
    "zero_width": 0.15,
    "leet": 0.1,
    "spaced": 0.1,
}
_PHONE_WEIGHTS = {"spelled_digits": 0.55, "spaced": 0.2, "dotted": 0.1, "zero_width": 0.15}
_PHONE = re.compile(r"^[\d ().+-]{7,}$")
_CONTACT = re.compile(r"\w[.@/]\w")


def _weights_for(text: str) -> dict[str, float]:
    if _PHONE.match(text.strip()) and sum(ch.isdigit() for ch in text) >= 7:
        return _PHONE_WEIGHTS
    if _CONTACT.search(text):
        return _CONTACT_WEIGHTS
    return _WORD_WEIGHTS


def _apply(name: str, text: str, rng: random.Random) -> str:
    fn = MUTATIONS[name]
    # Mutate each whitespace-separated piece so the spaces between them survive.
    return re.sub(r"\S+", lambda m: fn(m.group(0), rng), text)


def disguise(rng: random.Random, segments: list[Segment]) -> tuple[list[Segment], list[str]]:
    """Rewrite one key span (sometimes all of them); return the segments and mutations used."""
    keys = [i for i, seg in enumerate(segments) if seg.key and seg.text.strip()]
    if not keys:
        return segments, []
    chosen = keys if rng.random() < 0.3 else [rng.choice(keys)]
    out = list(segments)
    used: list[str] = []
    for i in chosen:
        weights = _weights_for(out[i].text)
        names = list(weights)
        name = rng.choices(names, [weights[n] for n in names])[0]
        mutated = _apply(name, out[i].text, rng)
        if mutated != out[i].text:
            out[i] = Segment(mutated, True)
            if name not in used:
                used.append(name)
    return out, used
