"""Which mix of "i" and "l" a leet word's "1"s spell, by letter trigrams.

The ``leet`` view reads each "1" by its neighbours; ``leet_alt`` reads each word the
likeliest other way under a letter trigram model of English text. A word with several
"1"s may need both letters ("b413nc1@g4" is "balenciaga": "l" then "i"), and a word
whose other readings are all implausible keeps its reading in both views, so a phrase
whose words need different readings ("unauth0r1sed @uthentic") is whole in one of them.
The counts ship in ``data/letter_trigrams.json``; only trigrams and bigrams with an "i"
or "l" in them are kept, since the rest score every mix alike.

Rebuild the counts from the SpamAssassin public corpus (``../shared/data``)::

    python -m trustwatch.normalize.letters ../shared/data/email_spamassassin/spamassassin.csv.gz
"""

from __future__ import annotations

import argparse
import csv
import gzip
import itertools
import json
import math
import re
import sys
from collections import Counter
from collections.abc import Iterable, Sequence
from functools import cache, lru_cache
from pathlib import Path

_DATA = Path(__file__).parent / "data" / "letter_trigrams.json"
_WORD = re.compile(r"[a-z]+")
_EDGE = "^"  # a word's start or end
_TAG = re.compile(r"<[^>]*>")
# 2 ** 6 mixes at most; a longer run of lone "1"s keeps the reading by context.
MAX_AMBIGUOUS = 6
_AMBIGUOUS = frozenset("il")
# A reading this much less likely (natural log, about 3,000 times) is not worth a view:
# "drlnks", "cllck", "famiiy", "iogin".
IMPLAUSIBLE = 8.0


def count(texts: Iterable[str]) -> tuple[Counter[str], Counter[str]]:
    """Trigram and bigram counts over the words of ``texts`` (edges marked with "^"),
    kept only where an "i" or "l" is in them."""
    trigrams: Counter[str] = Counter()
    bigrams: Counter[str] = Counter()
    for text in texts:
        for word in _WORD.findall(text.lower()):
            padded = _EDGE + word + _EDGE
            for i in range(len(padded) - 2):
                tri = padded[i : i + 3]
                if not _AMBIGUOUS.isdisjoint(tri):
                    trigrams[tri] += 1
            for i in range(len(padded) - 1):
                pair = padded[i : i + 2]
                if not _AMBIGUOUS.isdisjoint(pair):
                    bigrams[pair] += 1
    return trigrams, bigrams


@cache
def _model() -> tuple[dict[str, int], dict[str, int]]:
    data = json.loads(_DATA.read_text(encoding="utf-8"))
    return data["trigrams"], data["bigrams"]


def _score(word: str, positions: Sequence[int]) -> float:
    """Log-likelihood of ``word`` over the trigrams that touch ``positions``; the other
    trigrams are the same in every mix, so they are left out."""
    trigrams, bigrams = _model()
    padded = _EDGE + word + _EDGE
    # Trigram i spans padded[i:i+3], i.e. word chars i-1 .. i+1.
    starts = sorted({s for p in positions for s in (p - 1, p, p + 1) if 0 <= s < len(word)})
    total = 0.0
    for s in starts:
        tri = padded[s : s + 3]
        context = tri[:2]
        # A context with no "i" or "l" is the same in every mix: its count cancels out.
        denominator = bigrams.get(context, 0) + 28 if not _AMBIGUOUS.isdisjoint(context) else 1
        total += math.log((trigrams.get(tri, 0) + 0.5) / denominator)
    return total


@lru_cache(maxsize=4096)
def other_reading(word: str, positions: tuple[int, ...]) -> str | None:
    """The likeliest other spelling of ``word`` with each char at ``positions`` read as "i"
    or "l"; ``word`` itself when every other one is implausible ("drinks": "drlnks"), so
    the other view keeps this word right while it reads another word the other way;
    None when there are too many positions to try. Cached: blasts repeat their words."""
    if not positions or len(positions) > MAX_AMBIGUOUS:
        return None
    chars = list(word)
    best: tuple[float, str] | None = None
    for letters in itertools.product("il", repeat=len(positions)):
        for p, letter in zip(positions, letters, strict=True):
            chars[p] = letter
        candidate = "".join(chars)
        if candidate == word:
            continue
        score = _score(candidate.lower(), positions)
        if best is None or score > best[0]:
            best = (score, candidate)
    if best is None or _score(word.lower(), positions) - best[0] > IMPLAUSIBLE:
        return word
    return best[1]


def _bodies(path: Path) -> Iterable[str]:
    """Message bodies of the SpamAssassin CSV: headers, HTML tags and lines with no space
    (base64, links) dropped, since they are not prose."""
    csv.field_size_limit(sys.maxsize)
    with gzip.open(path, "rt", encoding="utf-8", errors="replace") as handle:
        for row in csv.DictReader(handle):
            body = _TAG.sub(" ", row["text"].partition("\n\n")[2])
            yield "\n".join(line for line in body.splitlines() if " " in line.strip())


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("corpus", type=Path, help="spamassassin.csv.gz")
    parser.add_argument("--out", type=Path, default=_DATA)
    args = parser.parse_args(argv)
    trigrams, bigrams = count(_bodies(args.corpus))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    data = {
        "source": "SpamAssassin public corpus, message bodies (ODC PDDL 1.0 / CC0 1.0)",
        "trigrams": dict(sorted(trigrams.items())),
        "bigrams": dict(sorted(bigrams.items())),
    }
    args.out.write_text(json.dumps(data, separators=(",", ":")) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
