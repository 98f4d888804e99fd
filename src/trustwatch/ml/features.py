"""Text features shared by training and inference, so the two can never drift.

A text is read as a triple: the original (for shape: capitals, digits, links), its most
folded normalized view (evasions undone) for word and character n-grams, and its
``spelled`` view when there is one (``oh seven seven`` -> ``077``, ``gmail dot com``)
so spelled-out numbers and addresses still count as numbers and addresses.
"""

from __future__ import annotations

import itertools
import math
import re
from collections import Counter

from trustwatch.normalize import Normalized, normalize

WORD = re.compile(r"\w+|[^\w\s]")
_URL = re.compile(r"https?://|www\.|\b[\w-]+\.(?:com|net|org|co|uk|in|info|ly|me|io|xyz|top)\b")
_PHONE = re.compile(r"\+?\d[\d\s-]{8,}\d")
_MONEY = re.compile(r"[£$€₹]\s?\d|\d\s?(?:gbp|usd|eur|rs|inr)\b", re.I)
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+\.[\w.]+")
CHAR_RANGE = (2, 5)
MAX_CHARS = 1000


Pair = tuple[str, str, str]


def model_text(text: str) -> Pair:
    """What the featurizer reads: original, folded view, spelled view (or "")."""
    return from_normalized(normalize(text))


def from_normalized(n: Normalized) -> Pair:
    spelled = n.view("spelled")
    return n.original, n.folded.text, spelled.text if spelled is not None else ""


def _bucket(value: float, edges: tuple[float, ...]) -> int:
    return sum(1 for e in edges if value >= e)


def _digit_share(text: str) -> float:
    return sum(map(str.isdigit, text)) / max(len(text), 1)


def shape_tokens(original: str, spelled: str = "") -> list[str]:
    """Pseudo-words for what folding erases: links, numbers, money, capitals, length."""
    out: list[str] = []
    for token, rx in (
        ("__url__", _URL),
        ("__phone__", _PHONE),
        ("__money__", _MONEY),
        ("__email__", _EMAIL),
    ):
        if rx.search(original) or (spelled and rx.search(spelled)):
            out.append(token)
    letters = sum(map(str.isalpha, original)) or 1
    caps = sum(map(str.isupper, original)) / letters
    digits = max(_digit_share(original), _digit_share(spelled))
    out.append(f"__caps{_bucket(caps, (0.1, 0.3, 0.6))}__")
    out.append(f"__digits{_bucket(digits, (0.02, 0.08, 0.2))}__")
    out.append(f"__len{_bucket(len(original), (20, 60, 120, 200, 500))}__")
    return out


def word_grams(pair: Pair) -> list[str]:
    original, folded, spelled = pair
    tokens = WORD.findall(folded)
    grams = tokens + [f"{a} {b}" for a, b in itertools.pairwise(tokens)]
    grams.extend(shape_tokens(original, spelled))
    return grams


def char_grams(pair: Pair) -> list[str]:
    text = " " + " ".join(pair[1][:MAX_CHARS].split()) + " "
    lo, hi = CHAR_RANGE
    n = len(text)
    return [text[i : i + k] for k in range(lo, hi + 1) for i in range(n - k + 1)]


_URL_SPLIT = re.compile(r"[^a-z0-9]+")


def url_pair(url: str) -> Pair:
    """What the URL featurizer reads: the URL and its lower-cased form."""
    return url, url.lower(), ""


def url_char_grams(pair: Pair) -> list[str]:
    text = pair[1][:400]
    return [text[i : i + k] for k in range(1, 7) for i in range(len(text) - k + 1)]


def url_word_grams(pair: Pair) -> list[str]:
    """Host labels, TLD, path words and coarse shape of a URL."""
    url = pair[1]
    rest = url.split("://", 1)[-1]
    host, _, path = rest.partition("/")
    host = host.split("@")[-1].split(":")[0]
    labels = host.split(".")
    out = [f"tld:{labels[-1]}", f"labels:{min(len(labels), 6)}", f"scheme:{url.split(':', 1)[0]}"]
    out += [f"h:{x}" for x in labels[:-1]]
    out += [f"p:{x}" for x in _URL_SPLIT.split(path) if x]
    out.append(f"plen:{min(len(path) // 10, 10)}")
    out.append(f"hlen:{min(len(host) // 5, 10)}")
    out.append(f"hdigit:{any(c.isdigit() for c in host)}")
    return out


ANALYZERS = {
    "word": word_grams,
    "char": char_grams,
    "url_char": url_char_grams,
    "url_word": url_word_grams,
}


class SparseBlock:
    """One TF-IDF block (sublinear tf, l2 norm) folded into a linear model's weights."""

    __slots__ = ("analyzer", "idf", "table", "vocab", "weight")

    def __init__(
        self, analyzer: str, vocab: dict[str, int], idf: list[float], weight: list[float]
    ) -> None:
        self.analyzer = analyzer
        self.vocab = vocab
        self.idf = idf
        self.weight = weight
        # One lookup per gram at scoring time: gram -> (idf, weight).
        self.table = {g: (idf[i], weight[i]) for g, i in vocab.items()}

    def score(self, pair: Pair, counts: dict[str, Counter[str]] | None = None) -> float:
        """``counts`` caches each analyzer's gram counts, so models reading one text share them."""
        if counts is None:
            grams = Counter(ANALYZERS[self.analyzer](pair))
        else:
            found = counts.get(self.analyzer)
            if found is None:
                found = counts[self.analyzer] = Counter(ANALYZERS[self.analyzer](pair))
            grams = found
        get = self.table.get
        dot = 0.0
        sq = 0.0
        for g, c in grams.items():
            entry = get(g)
            if entry is not None:
                v = entry[0] if c == 1 else (1.0 + math.log(c)) * entry[0]
                sq += v * v
                dot += v * entry[1]
        return dot / math.sqrt(sq) if sq > 0.0 else 0.0
