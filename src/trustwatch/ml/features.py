"""Text features shared by training and inference, so the two can never drift.

A text is read as a triple: the original (for shape: capitals, digits, links), its most
folded normalized view (evasions undone) for word and character n-grams, and its
``spelled`` view when there is one (``oh seven seven`` -> ``077``, ``gmail dot com``)
so spelled-out numbers and addresses still count as numbers and addresses.
"""

from __future__ import annotations

import itertools
import os
import re
import string
import threading
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from trustwatch.ml.recent import MEMO_MAX_CHARS, Recent
from trustwatch.normalize import Normalized, normalize

try:  # the compiled kernel (setup.py); without it numpy computes the same bits
    import trustwatch.ml._grams as _grams
except ImportError:  # pragma: no cover - a build without a C compiler
    _grams = None  # type: ignore[assignment]
# The kernel's signatures this module calls; a stale build (not rebuilt since) is unused.
_KERNEL_VERSION = 4
if _grams is not None and getattr(_grams, "VERSION", None) != _KERNEL_VERSION:
    _grams = None  # type: ignore[assignment]


def kernel_enabled() -> bool:
    """Whether gram indexes score with the compiled kernel: built, and not turned off by
    ``TRUSTWATCH_GRAM_KERNEL=0`` (to measure or test the numpy path)."""
    return _grams is not None and os.environ.get("TRUSTWATCH_GRAM_KERNEL", "1") != "0"


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


# The ASCII characters for which str.isalpha, str.isupper and str.isdigit hold.
_ASCII_ALPHA = string.ascii_letters.encode("ascii")
_ASCII_UPPER = string.ascii_uppercase.encode("ascii")
_ASCII_DIGITS = string.digits.encode("ascii")


def _count(text: str, test: Callable[[str], bool], ascii_true: bytes) -> int:
    """How many characters of ``text`` pass ``test`` (``str.isalpha``...).

    ASCII text (nearly all) is counted in C, by deleting the bytes that pass: over ASCII
    the test holds for exactly the bytes in ``ascii_true``.
    """
    if text.isascii():
        raw = text.encode("ascii")
        return len(raw) - len(raw.translate(None, ascii_true))
    return sum(map(test, text))


_SHAPE_ORDER = {"__url__": 0, "__phone__": 1, "__money__": 2, "__email__": 3}


def _shape(original: str, spelled: str, seen: str) -> tuple[int, int, str, str, str]:
    """The digits of ``seen`` and ``spelled``, and the caps, digits and length tokens of
    ``shape_tokens`` (the compiled kernel's ``shape`` counts the same)."""
    seen_digits = _count(seen, str.isdigit, _ASCII_DIGITS)
    spelled_digits = _count(spelled, str.isdigit, _ASCII_DIGITS)
    letters = _count(original, str.isalpha, _ASCII_ALPHA) or 1
    caps = _count(original, str.isupper, _ASCII_UPPER) / letters
    share = max(seen_digits / max(len(seen), 1), spelled_digits / max(len(spelled), 1))
    return (
        seen_digits,
        spelled_digits,
        f"__caps{_bucket(caps, (0.1, 0.3, 0.6))}__",
        f"__digits{_bucket(share, (0.02, 0.08, 0.2))}__",
        f"__len{_bucket(len(original), (20, 60, 120, 200, 500))}__",
    )


_SHAPE = _grams.shape if kernel_enabled() else _shape


def shape_tokens(original: str, spelled: str = "", folded: str | None = None) -> list[str]:
    """Pseudo-words for what the grams miss: links, numbers, money, capitals, length.

    Links, numbers and money are read from the folded view (and the spelled one) when it
    is given: there real numbers, prices and links stay, while leet digits and signs
    (``p0$7 0ffic3``) have become the letters they stand for, so an evasion neither
    hides a number nor invents one. Capitals and length come from the original.
    """
    seen = original if folded is None else folded
    seen_digits, spelled_digits, caps, digits, length = _SHAPE(original, spelled, seen)
    out: list[str] = []
    # Each pattern only where it can match: a link needs a "." or ":", a phone number or a
    # price a digit (whatever \d matches, str.isdigit holds for), an address an "@".
    for text, text_digits in ((seen, seen_digits), (spelled, spelled_digits)):
        if ("." in text or ":" in text) and _URL.search(text) and "__url__" not in out:
            out.append("__url__")
        if text_digits:
            if _PHONE.search(text) and "__phone__" not in out:
                out.append("__phone__")
            if _MONEY.search(text) and "__money__" not in out:
                out.append("__money__")
        if "@" in text and _EMAIL.search(text) and "__email__" not in out:
            out.append("__email__")
    out.sort(key=_SHAPE_ORDER.__getitem__)
    out += (caps, digits, length)
    return out


def _word_parts(pair: Pair) -> tuple[str, list[str]]:
    """What ``word_grams`` reads: the text it cuts into words, and the grams it adds."""
    original, folded, spelled = pair
    return folded, shape_tokens(original, spelled, folded)


def _grams_of_parts(text: str, extra: list[str]) -> list[str]:
    """The words of ``text``, their bigrams, then ``extra``: what the kernel's GramScorer
    cuts from the same two parts."""
    tokens = WORD.findall(text)
    grams = tokens + list(map(" ".join, itertools.pairwise(tokens)))
    grams.extend(extra)
    return grams


def word_grams(pair: Pair) -> list[str]:
    return _grams_of_parts(*_word_parts(pair))


def _char_text(pair: Pair) -> str:
    return " " + " ".join(pair[1][:MAX_CHARS].split()) + " "


def _spelled_first(pair: Pair) -> Pair:
    """The pair with its spelled view (when there is one) in the folded view's place."""
    return (pair[0], pair[2], pair[2]) if pair[2] else pair


def _spelled_char_text(pair: Pair) -> str:
    return _char_text(_spelled_first(pair))


def spelled_word_grams(pair: Pair) -> list[str]:
    """``word_grams`` over the spelled view: ``oh seven seven`` gives the grams of ``077``."""
    return word_grams(_spelled_first(pair))


def _url_text(pair: Pair) -> str:
    return pair[1][:400]


def _url_host_path(url: str) -> tuple[str, str]:
    """A lower-cased URL's host (no user info, no port) and what follows its first slash."""
    rest = url.split("://", 1)[-1]
    host, _, path = rest.partition("/")
    return host.split("@")[-1].split(":")[0], path


def _url_host_text(pair: Pair) -> str:
    return "^" + _url_host_path(pair[1])[0][:200] + "$"


def _url_path_text(pair: Pair) -> str:
    return "/" + _url_host_path(pair[1])[1][:300]


@dataclass(frozen=True)
class CharSpec:
    """A character n-gram analyzer: which text it reads and which gram lengths it takes.

    ``bits`` is how many bits one character gets when a gram is packed into an integer
    for the vectorised path: ``hi * bits`` must stay at or under 60 (one bit above the
    characters marks the length, and the top bit is the hash table's).
    """

    prepare: Callable[[Pair], str]
    lo: int
    hi: int
    bits: int

    def grams(self, pair: Pair) -> list[str]:
        text = self.prepare(pair)
        n = len(text)
        return [text[i : i + k] for k in range(self.lo, self.hi + 1) for i in range(n - k + 1)]


CHAR_SPECS = {
    "char": CharSpec(_char_text, CHAR_RANGE[0], CHAR_RANGE[1], 12),
    # The char grams of the spelled view, so a spelled-out number keeps its digit grams.
    "char_spelled": CharSpec(_spelled_char_text, CHAR_RANGE[0], CHAR_RANGE[1], 12),
    "url_char": CharSpec(_url_text, 1, 6, 10),
    # The host and the path apart: "paypal" in a host is not "paypal" in a path.
    "url_host_char": CharSpec(_url_host_text, 1, 6, 10),
    "url_path_char": CharSpec(_url_path_text, 1, 6, 10),
}


def char_grams(pair: Pair) -> list[str]:
    return CHAR_SPECS["char"].grams(pair)


def spelled_char_grams(pair: Pair) -> list[str]:
    return CHAR_SPECS["char_spelled"].grams(pair)


_URL_SPLIT = re.compile(r"[^a-z0-9]+")


def url_pair(url: str) -> Pair:
    """What the URL featurizer reads: the URL and its lower-cased form."""
    return url, url.lower(), ""


def url_char_grams(pair: Pair) -> list[str]:
    return CHAR_SPECS["url_char"].grams(pair)


def url_host_char_grams(pair: Pair) -> list[str]:
    return CHAR_SPECS["url_host_char"].grams(pair)


def url_path_char_grams(pair: Pair) -> list[str]:
    return CHAR_SPECS["url_path_char"].grams(pair)


def _url_word_parts(pair: Pair) -> tuple[str, list[str]]:
    return "", url_word_grams(pair)


def url_word_grams(pair: Pair) -> list[str]:
    """Host labels, TLD, path words and coarse shape of a URL."""
    url = pair[1]
    host, path = _url_host_path(url)
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
    "word_spelled": spelled_word_grams,
    "char_spelled": spelled_char_grams,
    "url_char": url_char_grams,
    "url_word": url_word_grams,
    "url_host_char": url_host_char_grams,
    "url_path_char": url_path_char_grams,
}


# Analyzers that cut the same kind of gram from another view of the text share that
# kind's index (and, when the view is the same text, its features): the spelled
# analyzers read the spelled view where there is one and the folded view otherwise.
_SPACES: dict[str, tuple[str, Callable[[Pair], Pair]]] = {
    "word_spelled": ("word", _spelled_first),
    "char_spelled": ("char", _spelled_first),
}


# The word analyzers as (text to cut into words, grams to add), for the compiled kernel.
_WORD_PARTS: dict[str, Callable[[Pair], tuple[str, list[str]]]] = {
    "word": _word_parts,
    "url_word": _url_word_parts,
}


# What one analyzer made of one text: the gram ids a GramIndex knows, and their
# sublinear term frequencies (1 + ln count), both as numpy arrays.
Features = tuple[np.ndarray, np.ndarray]
# Every registered block's score for one text, by the block's slot.
Scores = tuple[float, ...]


class GramIndex:
    """Every n-gram that any loaded model knows for one analyzer, with one id each.

    Models reading the same analyzer share it, so a text is cut into grams and looked
    up once however many models score it. For character analyzers each character gets a
    small id (its rank in the vocabulary's alphabet; 0 for characters no gram holds), a
    gram is packed exactly into one 64-bit integer, and all grams of a text are packed,
    counted and found with a fixed handful of numpy operations (``_packed``, then a
    bucketed hash table, ``_Table``), whatever the text's length: at message lengths
    the cost is the number of numpy calls, not the grams. Other analyzers, and an
    alphabet too large to pack, take a dictionary walk; both give the same ids and the
    same scores.
    """

    def __init__(self, analyzer: str) -> None:
        self.analyzer = analyzer
        self.spec = CHAR_SPECS.get(analyzer)
        self.ids: dict[str, int] = {}
        self._lock = threading.Lock()
        self._alphabet: dict[str, int] = {}
        self._amap = np.zeros(0x110000, dtype=np.uint16) if self.spec else None
        self._codes: list[int] = []  # packed grams, parallel to _code_ids
        self._code_ids: list[int] = []
        self._packable = self.spec is not None
        # Published as one object, so readers never see a half-built table.
        self._table: _Table | None = None
        # Every registered block's (ids, idf, weight); the matrix puts them side by side,
        # one row per gram id.
        self._blocks: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []
        self._matrix = np.zeros((0, 0), dtype=np.float64)
        # The compiled kernel over the published table and matrix (None: numpy scores).
        self._compiled: _Compiled | None = None
        self.recent: Recent[Scores] = Recent()

    @property
    def size(self) -> int:
        return len(self.ids)

    def _pack(self, gram: str) -> int:
        assert self.spec is not None and self._amap is not None
        bits = self.spec.bits
        code = 0
        for ch in gram:
            cid = self._alphabet.get(ch)
            if cid is None:
                cid = self._alphabet[ch] = len(self._alphabet) + 1
                if cid >> bits:
                    self._packable = False
                    return 0
                self._amap[ord(ch)] = cid
            code = (code << bits) | cid
        return code | (1 << (bits * len(gram)))

    def add(self, grams: Sequence[str]) -> np.ndarray:
        """Ids for ``grams``, new ones assigned; safe while other threads score."""
        with self._lock:
            out = self._add(grams)
            self._publish()
            return out

    def register(self, grams: Sequence[str], idf: np.ndarray, weight: np.ndarray) -> int:
        """Add one block's vocabulary with its idf and weights; returns the block's slot."""
        with self._lock:
            ids = self._add(grams)
            self._blocks.append((ids, idf, weight))
            self._publish()
            return len(self._blocks) - 1

    def _rebuild(self) -> None:
        # Stored as idf^2 and idf*weight, so a text's norm and dot product for every block
        # are two vector-matrix products over its rows.
        n = len(self._blocks)
        matrix = np.zeros((self.size, 2 * n), dtype=np.float64)
        for slot, (ids, idf, weight) in enumerate(self._blocks):
            matrix[ids, slot] = idf * idf
            matrix[ids, n + slot] = idf * weight
        self._matrix = matrix

    def scores(self, ids: np.ndarray, tf: np.ndarray) -> np.ndarray:
        """Every registered block's score for one text's features, in one pass."""
        matrix = self._matrix
        return _block_scores(matrix.take(ids, axis=0), tf, matrix.shape[1] // 2)

    def block_scores(self, pair: Pair) -> Scores:
        """Every registered block's score for one text: ``scores(*features(pair))``.

        Recent texts are remembered (``Recent``): a spam wave's repeats cost a lookup.
        """
        remember = len(pair[0]) + len(pair[1]) + len(pair[2]) <= MEMO_MAX_CHARS
        found = self.recent.get(pair) if remember else None
        if found is not None and len(found) == len(self._blocks):  # else a model since
            return found
        compiled = self._compiled
        scores = None if compiled is None else compiled.scores(pair)
        if scores is None:
            scores = self.numpy_scores(pair)
        if remember:
            self.recent.put(pair, scores)
        return scores

    def numpy_scores(self, pair: Pair) -> Scores:
        """``block_scores`` without the compiled kernel or the memo."""
        table = self._table
        if table is None:
            return tuple(self.scores(*self.features(pair)).tolist())
        codes, counts = self._packed(pair)
        where, ids = table.find(codes)
        matrix = self._matrix
        rows = matrix.take(ids, axis=0)
        tf = _tf(counts[where], len(pair[1]) + 2)
        return tuple(_block_scores(rows, tf, matrix.shape[1] // 2).tolist())

    def compiled_scores(self, pair: Pair) -> Scores | None:
        """``block_scores`` by the compiled kernel alone; None where it defers to numpy."""
        compiled = self._compiled
        return None if compiled is None else compiled.scores(pair)

    def compiled_features(self, pair: Pair) -> Features | None:
        """``features`` by the compiled kernel (ids and tf in the order it sums them)."""
        compiled = self._compiled
        found = None if compiled is None else compiled.features(pair)
        if found is None:
            return None
        ids, counts = found
        return np.array(ids, dtype=np.int64), _TF.take(np.array(counts, dtype=np.intp) - 1)

    def _add(self, grams: Sequence[str]) -> np.ndarray:
        """Assign ids (caller holds the lock and publishes afterwards)."""
        ids = self.ids
        out = np.empty(len(grams), dtype=np.int64)
        for i, gram in enumerate(grams):
            found = ids.get(gram)
            if found is None:
                found = ids[gram] = len(ids)
                spec = self.spec
                if self._packable and spec is not None and spec.lo <= len(gram) <= spec.hi:
                    code = self._pack(gram)
                    self._codes.append(code)
                    self._code_ids.append(found)
            out[i] = found
        return out

    def _publish(self) -> None:
        """Matrix first, then the table: a reader holding the old table only finds ids the
        new matrix already has rows for. The compiled kernel holds its own snapshot of both."""
        self._rebuild()
        if not self._packable:
            self._table = None
        else:
            self._table = _Table.build(
                np.array(self._codes, dtype=np.uint64), np.array(self._code_ids, dtype=np.int64)
            )
        self._compiled = _Compiled.build(self) if kernel_enabled() else None

    def _packed(self, pair: Pair) -> tuple[np.ndarray, np.ndarray]:
        """The text's distinct packed grams, in order, and how often each occurs.

        Every gram of every length in one integer matrix product: row ``i`` of the text's
        character ids read as windows ``i..i+hi-1`` (padded with 0, which no gram holds)
        times a matrix of powers of two. A window running past the end of the text, or
        over a character no gram holds, packs to a code that no gram has.
        """
        assert self.spec is not None and self._amap is not None
        text = self.spec.prepare(pair)
        n = len(text)
        if n < self.spec.lo:
            return _NO_CODES
        spec = self.spec
        chars = np.zeros(n + spec.hi + 1, dtype=np.uint16)
        chars[0] = 1
        cp = np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32)
        self._amap.take(cp, out=chars[1 : n + 1])
        windows, powers = _windows(n, spec.lo, spec.hi, spec.bits)
        codes = (chars.take(windows) @ powers).ravel()
        codes.sort()
        new = np.empty(codes.size + 1, dtype=bool)
        new[0] = new[-1] = True
        np.not_equal(codes[1:], codes[:-1], out=new[1:-1])
        starts = np.flatnonzero(new)
        return codes[starts[:-1]], starts[1:] - starts[:-1]

    def features(self, pair: Pair) -> Features:
        """The gram ids of the text this index knows, with their sublinear tf."""
        table = self._table
        if table is not None:
            codes, counts = self._packed(pair)
            where, ids = table.find(codes)
            return ids.astype(np.int64), _tf(counts[where], len(pair[1]) + 2)
        grams = Counter(ANALYZERS[self.analyzer](pair))
        m = len(grams)
        # map() walks the dictionary in C; -1 for grams no model knows.
        gids = np.fromiter(map(self.ids.get, grams, itertools.repeat(-1, m)), np.int64, m)
        known = gids >= 0
        return gids[known], _tf(np.fromiter(grams.values(), np.intp, m)[known], grams.total())


_TF = 1.0 + np.log(np.arange(1, 4097, dtype=np.float64))
_TF_SIZE = len(_TF)


def _tf(counts: np.ndarray, most: int) -> np.ndarray:
    """Sublinear term frequency ``1 + ln(count)`` for counts of at most ``most``, read
    from a table where that bound fits it. A char gram occurs at most once per position of
    the text it is cut from (the pair's text, plus the two spaces ``_char_text`` adds), a
    word gram at most once per gram cut."""
    if most <= len(_TF):
        return _TF.take(counts - 1)
    return 1.0 + np.log(counts)


def _block_scores(rows: np.ndarray, tf: np.ndarray, n: int) -> np.ndarray:
    """Each block's cosine with its weights: rows hold idf^2 per block, then idf*weight.

    The sums run gram by gram in order (``cumsum``, not a BLAS product whose order of
    additions depends on the library), so the compiled kernel reproduces them bit for bit.
    A block that knows none of the grams has a zero norm and a zero dot product, and
    scores 0 (0 / tiny); any other norm is at least 1 (idf >= 1), far above tiny.
    """
    if tf.size == 0 or n == 0:
        return np.zeros(n)
    sq = np.cumsum(rows[:, :n] * (tf * tf)[:, None], axis=0)[-1]
    dot = np.cumsum(rows[:, n:] * tf[:, None], axis=0)[-1]
    return dot / np.maximum(np.sqrt(sq), _TINY)


_TINY = 1e-300


_NO_CODES = (np.empty(0, dtype=np.uint64), np.empty(0, dtype=np.intp))
_WINDOWS: dict[tuple[int, int, int, int], tuple[np.ndarray, np.ndarray]] = {}


def _windows(n: int, lo: int, hi: int, bits: int) -> tuple[np.ndarray, np.ndarray]:
    """Where window ``i`` reads its characters, and the powers that pack it.

    The characters sit at ``1..n`` of an array whose slot 0 holds a 1: row ``i`` reads
    ``i+1 .. i+hi`` and then slot 0, and column ``k - lo`` of the powers gives char ``j``
    the weight ``2**(bits*(k-1-j))`` for ``j < k`` and the constant 1 the length bit
    ``2**(bits*k)``. Made once per power-of-two length class, sliced to ``n`` rows.
    """
    size = max(64, 1 << (n - 1).bit_length())
    key = (size, lo, hi, bits)
    found = _WINDOWS.get(key)
    if found is None:
        positions = np.zeros((size, hi + 1), dtype=np.intp)
        positions[:, :hi] = 1 + np.arange(size)[:, None] + np.arange(hi)[None, :]
        powers = np.zeros((hi + 1, hi - lo + 1), dtype=np.uint64)
        for col, k in enumerate(range(lo, hi + 1)):
            for j in range(k):
                powers[j, col] = 1 << (bits * (k - 1 - j))
            powers[hi, col] = 1 << (bits * k)
        found = _WINDOWS[key] = (positions, powers)
    return found[0][:n], found[1]


_MULT = np.uint64(0x9E3779B97F4A7C15)  # Fibonacci hashing: spreads packed grams evenly
# No packed gram sets the top bit (hi * bits <= 60, its length bit at most 60): a bucket's
# last key holds it alone when grams whose home the bucket is sit in the stash.
_FLAG = np.uint64(1 << 63)
_SLOTS = 8  # grams per bucket: eight keys, one 64-byte line (``<< 3`` below)


def _aligned(n: int, width: int, dtype: type[np.generic]) -> np.ndarray:
    """Zeroed (n, width) rows starting on a 64-byte line, so a bucket is one cache line."""
    itemsize = np.dtype(dtype).itemsize
    raw = np.zeros(n * width + 64 // itemsize, dtype=dtype)
    skip = (-raw.ctypes.data % 64) // itemsize
    return raw[skip : skip + n * width].reshape(n, width)


@dataclass(frozen=True)
class _Table:
    """Packed grams -> ids: a bucketed hash table, one 64-byte line of keys per bucket.

    A gram lives in its home bucket (eight slots, load at most one half, so about one
    bucket in a hundred overflows); the few that find it full sit in a sorted stash, and
    the bucket's last slot holds a flag instead of a gram. A lookup reads one line of
    keys per gram (and the ids of those it finds) for all of a text's grams at once:
    about ten numpy operations, with no probing loop, and the stash is searched only
    for grams whose home is flagged. (Open addressing with one probe and a sorted
    fallback, before, took half again as many calls and a binary search for a third of
    the grams.)
    """

    keys: np.ndarray  # (buckets, 8) uint64: 0 = empty
    ids: np.ndarray  # the ids of ``keys``' slots, flat: bucket * 8 + slot (int32)
    shift: np.uint64
    stash_codes: np.ndarray  # sorted
    stash_ids: np.ndarray

    @classmethod
    def build(cls, codes: np.ndarray, ids: np.ndarray) -> _Table:
        """The table for distinct non-zero ``codes`` with their ``ids``, by numpy."""
        bits = max(4, int(max(len(codes) // (_SLOTS // 2), 1) - 1).bit_length())
        shift = np.uint64(64 - bits)
        keys = _aligned(1 << bits, _SLOTS, np.uint64)
        table_ids = _aligned(1 << bits, _SLOTS, np.int32)
        home = ((codes * _MULT) >> shift).astype(np.intp)
        order = np.argsort(home, kind="stable")
        sorted_home = home[order]
        new_run = np.ones(len(codes), dtype=bool)
        new_run[1:] = sorted_home[1:] != sorted_home[:-1]
        starts = np.flatnonzero(new_run)
        run = np.cumsum(new_run) - 1
        rank = np.arange(len(codes)) - starts[run]
        # A bucket with more grams than slots keeps one slot for the flag.
        lengths = np.diff(np.append(starts, len(codes)))
        fits = rank < np.where(lengths[run] > _SLOTS, _SLOTS - 1, _SLOTS)
        placed = order[fits]
        keys[sorted_home[fits], rank[fits]] = codes[placed]
        table_ids[sorted_home[fits], rank[fits]] = ids[placed]
        stash = order[~fits]
        keys[home[stash], _SLOTS - 1] = _FLAG
        stash = stash[np.argsort(codes[stash])]
        return cls(keys, table_ids.ravel(), shift, codes[stash], ids[stash].astype(np.int32))

    def find(self, codes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """For distinct ``codes``: the positions of those the table holds, and their ids
        (those found in their bucket first, then those found in the stash, each in the
        order of ``codes``: the order the scores sum them in)."""
        home = ((codes * _MULT) >> self.shift).astype(np.intp)
        # take() over whole rows: several times faster than fancy indexing at this size.
        got = self.keys.take(home, axis=0)
        # A bucket holds a gram once and the flag is no gram: one match per found gram.
        match = np.flatnonzero(got == codes[:, None])
        where = match >> 3
        ids = self.ids.take((home[where] << 3) | (match & 7))
        stash = self.stash_codes
        if stash.size:
            maybe = np.flatnonzero(got[:, _SLOTS - 1] == _FLAG)
            if maybe.size:
                pos = np.searchsorted(stash, codes[maybe])
                pos[pos == stash.size] = 0
                hit = stash[pos] == codes[maybe]
                if hit.any():
                    where = np.concatenate((where, maybe[hit]))
                    ids = np.concatenate((ids, self.stash_ids[pos[hit]]))
        return where, ids


@dataclass(frozen=True)
class _Compiled:
    """A GramIndex's published table and matrix as the compiled kernel reads them."""

    scorer: Any  # _grams.CharScorer or _grams.GramScorer
    spec: CharSpec | None
    parts: Callable[[Pair], tuple[str, list[str]]] | None

    @classmethod
    def build(cls, index: GramIndex) -> _Compiled | None:
        matrix = np.ascontiguousarray(index._matrix, dtype=np.float64)
        blocks = matrix.shape[1] // 2
        if _grams is None or blocks > 64:
            return None
        table, spec = index._table, index.spec
        if table is not None and spec is not None and index._amap is not None:
            codes, slots = _ranked_grams(table, spec)
            scorer = _grams.CharScorer(
                index._amap, spec.lo, spec.hi, spec.bits, codes, slots, matrix, blocks, _TF
            )
            return cls(scorer, spec, None)
        parts = _WORD_PARTS.get(index.analyzer)
        if parts is None:
            return None
        return cls(_grams.GramScorer(index.ids, matrix, blocks, _TF), None, parts)

    def _args(self, pair: Pair) -> tuple[Any, ...] | None:
        if self.spec is not None:
            # The numpy path bounds counts by the pair's length, and reads tf from the
            # table only where that bound fits it.
            return (self.spec.prepare(pair),) if len(pair[1]) + 2 <= _TF_SIZE else None
        assert self.parts is not None
        return self.parts(pair)

    def scores(self, pair: Pair) -> Scores | None:
        spec = self.spec
        if spec is not None:  # _args inlined: one call less per text
            if len(pair[1]) + 2 > _TF_SIZE:
                return None
            return self.scorer.scores(spec.prepare(pair))
        assert self.parts is not None
        return self.scorer.scores(*self.parts(pair))

    def features(self, pair: Pair) -> tuple[list[int], list[int]] | None:
        args = self._args(pair)
        return None if args is None else self.scorer.features(*args)


def _ranked_grams(table: _Table, spec: CharSpec) -> tuple[np.ndarray, np.ndarray]:
    """Every gram the table holds (its packed code), with its id and a rank in the high
    32 bits: the kernel sorts a text's found grams by rank into the order ``find`` gives
    them (those in their bucket by code, then those in the stash by code).

    Ranks are spread so a text's grams spread over them: each gram length (then the
    stash) gets an equal share of the 32 bits, and its grams in code order are spaced
    evenly over that share; a text has about as many grams of each length, so the
    kernel's buckets split them evenly.
    """
    lengths = spec.hi - spec.lo + 1
    share = np.uint64(32 - lengths.bit_length())  # groups 0..lengths, the stash last

    def spread(codes: np.ndarray, group: np.ndarray) -> np.ndarray:
        """Ranks for distinct ``codes``: by group, then code."""
        ranks = np.zeros(codes.size, dtype=np.uint64)
        for g in np.unique(group):
            members = np.flatnonzero(group == g)
            members = members[codes[members].argsort()]
            step = np.arange(members.size, dtype=np.uint64) << share
            size = np.uint64(max(members.size, 1))
            ranks[members] = (np.uint64(g) << share) + step // size
        return ranks

    keys = table.keys.ravel()
    real = np.flatnonzero((keys != 0) & (keys != _FLAG))
    codes = keys[real]
    # A gram of k characters has its length bit at bits * k: its group is k - lo.
    group = np.zeros(codes.size, dtype=np.int64)
    for k in range(spec.lo + 1, spec.hi + 1):
        group += codes >= np.uint64(1 << (spec.bits * k))
    stash = table.stash_codes
    ranks = np.concatenate(
        (spread(codes, group), spread(stash, np.full(stash.size, lengths, dtype=np.int64)))
    )
    ids = np.concatenate((table.ids[real], table.stash_ids)).astype(np.uint32)
    return np.concatenate((codes, stash)), (ranks << np.uint64(32)) | ids.astype(np.uint64)


_INDEXES: dict[str, GramIndex] = {}
_INDEXES_LOCK = threading.Lock()


def all_indexes() -> list[GramIndex]:
    """Every index made so far."""
    with _INDEXES_LOCK:
        return list(_INDEXES.values())


def gram_index(analyzer: str) -> GramIndex:
    """The process-wide index for ``analyzer``."""
    with _INDEXES_LOCK:
        found = _INDEXES.get(analyzer)
        if found is None:
            if analyzer not in ANALYZERS:
                known = ", ".join(sorted(ANALYZERS))
                raise ValueError(f"unknown analyzer {analyzer!r}; one of {known}")
            found = _INDEXES[analyzer] = GramIndex(analyzer)
        return found


# A per-text cache: (gram kind, the pair it read) -> every block's score, shared by every
# model reading the text.
FeatureCache = dict[tuple[str, Pair], Scores]


class SparseBlock:
    """One TF-IDF block (sublinear tf, l2 norm) folded into a linear model's weights.

    The block registers its idf and weights with the shared GramIndex (zero for grams it
    does not know, which then add nothing to the norm or the dot product: exactly
    sklearn's arithmetic over the block's own vocabulary). Every block of one analyzer is
    scored in the same pass, so a second model on the same text costs almost nothing.
    """

    __slots__ = ("analyzer", "idf", "index", "kind", "read", "slot", "vocab", "weight")

    def __init__(
        self, analyzer: str, vocab: dict[str, int], idf: list[float], weight: list[float]
    ) -> None:
        self.analyzer = analyzer
        self.vocab = vocab
        self.idf = idf
        self.weight = weight
        space, read = _SPACES.get(analyzer, (analyzer, None))
        # None: the block reads the pair as it is (no call per score).
        self.read: Callable[[Pair], Pair] | None = read
        self.kind = space
        self.index = gram_index(space)
        grams = sorted(vocab, key=vocab.__getitem__)
        order = np.fromiter((vocab[g] for g in grams), dtype=np.int64, count=len(grams))
        self.slot = self.index.register(
            grams,
            np.asarray(idf, dtype=np.float64)[order],
            np.asarray(weight, dtype=np.float64)[order],
        )

    def score(self, pair: Pair, cache: FeatureCache | None = None) -> float:
        """``cache`` holds each gram kind's scores, so models reading one text share them."""
        read = pair if self.read is None else self.read(pair)
        key = (self.kind, read)
        found = None if cache is None else cache.get(key)
        if found is None or len(found) <= self.slot:  # or a model loaded since
            found = self.index.block_scores(read)
            if cache is not None:
                cache[key] = found
        return found[self.slot]
