"""Message blasts and repeated listings: near-duplicate text counted by velocity counters.

A text is fingerprinted with one-permutation MinHash over its words (numbers, links,
emails and handles masked, homoglyphs folded): each word's hash falls into one of
``bins`` bins, each bin keeps its smallest hash, and pairs of bins form band keys.
Two texts that differ by a word or two still share most band keys. For each key the
counters record distinct recipients per sender, distinct senders, and distinct
listings per seller in a sliding window of event time (``ctx.now``); the counters are
idempotent per member, so a redelivered event never inflates a count.
"""

from __future__ import annotations

import math
import re
import zlib
from functools import lru_cache

from pydantic import BaseModel, ConfigDict, Field

from trustwatch.detectors.base import Context, Detector, Item, Signal, Span, register

# Links, emails and handles: any chunk with a slash, an "@", "$" or a dot inside a word.
_MASK = re.compile(r"\S*(?:[/@$]|\.(?=\w))\S*")
_MAYBE_LINK = re.compile(r"[/@$]|\.\w")
_WORD = re.compile(r"[^\W\d_]+")
_ASCII_WORD = re.compile(r"[A-Za-z]+")
_EMPTY = 0xFFFFFFFF
_GOLDEN = 0x9E3779B1
# Words every message shares; left out so short polite questions do not look alike.
# fmt: off
_STOP = frozenset({
    "a", "an", "the", "and", "or", "but", "if", "to", "of", "in", "on", "at", "for", "from",
    "with", "by", "is", "are", "was", "be", "been", "it", "its", "this", "that", "these",
    "those", "i", "me", "my", "you", "your", "u", "ur", "we", "our", "he", "she", "they", "them",
    "hi", "hey", "hello", "thanks", "thank", "x", "xx", "please", "pls", "can", "could", "would",
    "will", "do", "does", "did", "have", "has", "just", "so", "not", "no", "yes", "ok", "okay",
})
# fmt: on


def content_words(text: str) -> list[str]:
    """The words of a case-folded text that tell messages apart: links, numbers and handles
    masked, the commonest function words dropped."""
    # Substring tests first: most texts hold none of "/@$" and no dot before a word char.
    if ("/" in text or "@" in text or "$" in text or "." in text) and _MAYBE_LINK.search(text):
        text = _MASK.sub(" ", text)
    # In ASCII text a letter run is [A-Za-z]+, which scans about twice as fast.
    words = (_ASCII_WORD if text.isascii() else _WORD).findall(text)
    return [w for w in words if w not in _STOP]


def word_hashes(words: list[str]) -> list[int]:
    """A stable 32-bit hash of each distinct word (the same in every process)."""
    return [zlib.crc32(w.encode()) for w in set(words)]


@lru_cache(maxsize=64)
def _band_prefixes(bins: int, rows: int) -> tuple[tuple[int, str], ...]:
    return tuple((band, f"{bins}.{rows}.{band}:") for band in range(0, bins - rows + 1, rows))


def band_keys(hashes: list[int], bins: int, rows: int) -> list[str]:
    """One-permutation MinHash of the word hashes, densified, cut into bands of ``rows`` bins."""
    if not hashes:
        return []
    mins = [_EMPTY] * bins
    for h in hashes:
        b = h % bins
        if h < mins[b]:
            mins[b] = h
    dense = mins
    if _EMPTY in mins:
        # An empty bin borrows its right neighbour's value (rotation), so short texts keep
        # every band.
        dense = mins[:]
        for i in range(bins):
            if mins[i] == _EMPTY:
                step = 1
                while mins[(i + step) % bins] == _EMPTY:
                    step += 1
                dense[i] = (mins[(i + step) % bins] + step * _GOLDEN) & _EMPTY
    digits = list(map(str, dense))
    return [
        prefix + ".".join(digits[band : band + rows]) for band, prefix in _band_prefixes(bins, rows)
    ]


def fingerprint_keys(text: str, bins: int, rows: int, min_words: int) -> list[str]:
    """Band keys of ``text`` (already case-folded); empty when it is too short to judge."""
    words = content_words(text)
    return band_keys(word_hashes(words), bins, rows) if len(words) >= min_words else []


class SpamVelocityParams(BaseModel):
    model_config = ConfigDict(extra="forbid")
    bins: int = Field(default=6, ge=2, le=32, description="MinHash bins per text")
    rows: int = Field(default=2, ge=1, le=32, description="bins per band key")
    min_words: int = Field(
        default=5, ge=1, description="texts with fewer content words are not fingerprinted"
    )
    # Across senders the base rate is high (every user's messages), so the key is stricter.
    campaign_bins: int = Field(default=8, ge=2, le=32)
    campaign_rows: int = Field(default=4, ge=1, le=32)
    campaign_min_words: int = Field(default=8, ge=1)
    window_s: float = Field(default=3600.0, gt=0, description="message window")
    recipients: int = Field(default=8, ge=2, description="distinct recipients of one sender")
    senders: int = Field(default=5, ge=2, description="distinct senders of one text")
    listing_window_s: float = Field(default=7 * 86400.0, gt=0)
    listings: int = Field(default=3, ge=2, description="distinct listings of one seller")
    base_score: float = Field(default=0.55, ge=0, le=1, description="at the threshold")
    per_doubling: float = Field(default=0.1, ge=0, le=1, description="added each time it doubles")
    max_score: float = Field(default=0.95, ge=0, le=1)


@register
class SpamVelocity(Detector):
    """One text sent to many recipients, by many senders, or listed again and again."""

    name = "spam_velocity"
    Params = SpamVelocityParams

    def __init__(self, params: SpamVelocityParams) -> None:
        super().__init__(params)
        self.p = params

    def _score(self, count: int, threshold: int) -> float:
        if count < threshold:
            return 0.0
        score = self.p.base_score + self.p.per_doubling * math.log2(count / threshold)
        return round(min(score, self.p.max_score), 4)

    @staticmethod
    def _text(item: Item, fields: tuple[str, ...]) -> str:
        parts = []
        for field_name in fields:
            if field_name in item.fields:
                # The most folded view, so a blast disguised differently per copy (leet,
                # spacing, look-alikes) still fingerprints as one text.
                parts.append(item.normalized(field_name).folded.text)
        return " ".join(parts)

    @staticmethod
    def _spans(item: Item, fields: tuple[str, ...]) -> tuple[Span, ...]:
        """The evidence: the whole text, since the finding is about all of it."""
        return tuple(
            Span(f, 0, len(item.fields[f]), item.fields[f]) for f in fields if f in item.fields
        )

    def detect(self, item: Item, ctx: Context) -> list[Signal]:
        event = item.event
        p = self.p
        if event.message is not None:
            words = (
                content_words(item.normalized("message.text").folded.text)
                if "message.text" in item.fields
                else []
            )
            if len(words) < p.min_words:
                return []
            at = ctx.now.timestamp()
            recipient = (
                event.message.recipient_id or event.message.conversation_id or event.message.id
            )
            actor = event.actor.id
            hashes = word_hashes(words)
            # Every key of this message in one counter call (one round trip to Redis).
            adds = [(f"spam:to:{actor}:{k}", recipient) for k in band_keys(hashes, p.bins, p.rows)]
            to_count = len(adds)
            campaign = len(words) >= p.campaign_min_words
            if campaign:
                adds += [
                    (f"spam:by:{k}", actor)
                    for k in band_keys(hashes, p.campaign_bins, p.campaign_rows)
                ]
            counts = ctx.counters.add_many(adds, at, p.window_s)
            recipients = max(counts[:to_count])
            senders = max(counts[to_count:]) if campaign else 0
            signals = []
            score = self._score(recipients, p.recipients)
            if score:
                details = {"kind": "blast", "recipients": recipients, "window_s": p.window_s}
                signals.append(
                    Signal(self.name, score, self._spans(item, ("message.text",)), details)
                )
            score = self._score(senders, p.senders)
            if score:
                details = {"kind": "campaign", "senders": senders, "window_s": p.window_s}
                signals.append(
                    Signal(self.name, score, self._spans(item, ("message.text",)), details)
                )
            return signals
        if event.listing is not None:
            fields = ("listing.title", "listing.description")
            text = self._text(item, fields)
            keys = fingerprint_keys(text, p.bins, p.rows, p.min_words)
            if not keys:
                return []
            at = ctx.now.timestamp()
            listing_id = event.listing.id
            adds = [(f"spam:list:{event.actor.id}:{k}", listing_id) for k in keys]
            listings = max(ctx.counters.add_many(adds, at, p.listing_window_s))
            score = self._score(listings, p.listings)
            if score:
                details = {"kind": "repeated_listing", "listings": listings}
                return [Signal(self.name, score, self._spans(item, fields), details)]
        return []
