"""The compiled gram kernel must give the numpy path's features and scores, bit for bit."""

from __future__ import annotations

import math
import shutil

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from trustwatch.ml import features
from trustwatch.ml.features import (
    ANALYZERS,
    WORD,
    GramIndex,
    _spelled_first,
    model_text,
    url_pair,
)

if features._grams is None and shutil.which("cc") is None:  # pragma: no cover
    pytest.skip("the gram kernel is not built here (no C compiler)", allow_module_level=True)

TEXTS = [
    "WIN a free prize now, call 09061701461 to claim £500",
    "URGENT ur acc0unt is suspended, verify at http://bit.ly/x",
    "ваш аккаунт заблокирован",
    "🎁 free gift 🎁🎁 claim now!!! mail me at a.b@gmail.com",
    "ｆｕｌｌｗｉｄｔｈ text and ①②③ ٣٤",
    "call oh seven seven double oh nine now",
    "the the the the the the",
    "x",
    "",
]
URLS = [
    "http://paypal.com.secure-login.xyz/verify?next=http%3A%2F%2Fx",
    "https://www.depop.com/products/x",
    "http://bit.ly/3xYzQ2",
    "http://185.23.44.10/depop/claim",
]


def _index(analyzer: str, pairs: list[features.Pair], seed: int, blocks: int = 3) -> GramIndex:
    """A private index over every gram of ``pairs``, with ``blocks`` random blocks."""
    index = GramIndex(analyzer)
    grams = sorted({g for p in pairs for g in ANALYZERS[analyzer](p)})
    rng = np.random.default_rng(seed)
    for _ in range(blocks):
        keep = [g for g in grams if rng.random() < 0.8]
        index.register(keep, rng.uniform(1.0, 5.0, len(keep)), rng.normal(0.0, 1.0, len(keep)))
    return index


def _same(index: GramIndex, pair: features.Pair) -> None:
    compiled = index.compiled_scores(pair)
    assert compiled is not None
    assert compiled == index.numpy_scores(pair)  # exact: the same floats
    got = index.compiled_features(pair)
    assert got is not None
    ids, tf = index.features(pair)
    np.testing.assert_array_equal(got[0], ids)
    np.testing.assert_array_equal(got[1], tf)


_PAIRS = [model_text(t) for t in TEXTS]
_CHAR = _index("char", _PAIRS, seed=1)
_WORD = _index("word", _PAIRS, seed=2)


def test_the_kernel_is_built_where_a_compiler_is() -> None:
    assert features._grams is not None
    assert _CHAR._compiled is not None and _WORD._compiled is not None


def test_char_and_word_kernels_match_numpy_on_every_script() -> None:
    # The last two are past the kernel's stack buffers: its heap path.
    for text in [
        *TEXTS,
        "free prize ваш 🎁 x claim claim",
        "a" * 300,
        "claim free prize now " * 40,
    ]:
        pair = model_text(text)
        _same(_CHAR, pair)
        _same(_WORD, pair)
        _same(_CHAR, _spelled_first(pair))


def test_url_kernels_match_numpy() -> None:
    pairs = [url_pair(u) for u in URLS]
    for analyzer in ("url_char", "url_host_char", "url_path_char", "url_word"):
        index = _index(analyzer, pairs[:3], seed=3)
        for pair in [*pairs, url_pair("http://xn--pypal-4ve.com/a/b"), url_pair("")]:
            _same(index, pair)


def test_grams_that_overflow_their_bucket_are_found_in_the_stash() -> None:
    """About 4,000 grams in 1,024 buckets of eight: a few dozen buckets overflow."""
    rng = np.random.default_rng(5)
    words = ["".join(rng.choice(list("abcdefgh"), 6)) for _ in range(900)]
    pairs = [model_text(" ".join(words[i : i + 3])) for i in range(0, 900, 3)]
    index = _index("char", pairs, seed=6, blocks=2)
    table = index._table
    assert table is not None and table.stash_codes.size > 0
    stashed = 0
    for pair in pairs:
        codes, _ = index._packed(pair)
        stashed += int(np.isin(codes, table.stash_codes).sum())
        _same(index, pair)
    assert stashed > 0


def test_a_text_past_the_tf_table_takes_the_numpy_path() -> None:
    pair = model_text("free prize " * 400)  # 4,400 characters: tf from 1 + log, not the table
    assert _CHAR.compiled_scores(pair) is None
    assert _CHAR.block_scores(pair) == _CHAR.numpy_scores(pair)
    many = model_text(" ".join(f"w{i}" for i in range(2100)))  # over 4,096 word grams
    assert _WORD.compiled_scores(many) is None
    assert _WORD.block_scores(many) == _WORD.numpy_scores(many)


def test_the_kernel_can_be_turned_off(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TRUSTWATCH_GRAM_KERNEL", "0")
    index = _index("char", _PAIRS[:2], seed=7)
    assert index._compiled is None and index.compiled_scores(_PAIRS[0]) is None
    assert index.block_scores(_PAIRS[0]) == index.numpy_scores(_PAIRS[0])


def test_scores_are_the_plain_walks_cosine() -> None:
    for pair in _PAIRS:
        for index in (_CHAR, _WORD):
            got = index.compiled_scores(pair)
            assert got is not None
            for slot, (ids, idf, weight) in enumerate(index._blocks):
                known = dict(zip(ids.tolist(), zip(idf, weight, strict=True), strict=True))
                grams = ANALYZERS[index.analyzer](pair)
                dot = sq = 0.0
                for gram in set(grams):
                    gid = index.ids.get(gram)
                    if gid is None or gid not in known:
                        continue
                    value = (1.0 + math.log(grams.count(gram))) * known[gid][0]
                    sq += value * value
                    dot += value * known[gid][1]
                want = dot / math.sqrt(sq) if sq else 0.0
                assert math.isclose(got[slot], want, rel_tol=1e-9, abs_tol=1e-12)


_ANY = st.text(
    alphabet=st.one_of(
        st.sampled_from(" \t\n\u00a0\u2003\u200b_-.,!?@:/£$0123456789abcxyzABCé"),
        st.characters(),
    ),
    max_size=150,
)


@settings(max_examples=300, deadline=None)
@given(_ANY)
def test_any_text_gives_numpys_features_and_scores(text: str) -> None:
    pair = model_text(text)
    _same(_CHAR, pair)
    _same(_WORD, pair)
    if pair[2]:
        _same(_CHAR, _spelled_first(pair))


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=80))
def test_the_kernels_words_are_the_word_patterns(text: str) -> None:
    """Over any text, the word kernel cuts the tokens ``re`` does (``\\w+|[^\\w\\s]``)."""
    tokens = WORD.findall(text)
    index = GramIndex("word")
    index.register(tokens, np.ones(len(tokens)), np.ones(len(tokens)))
    compiled = index._compiled
    assert compiled is not None
    found = compiled.scorer.features(text, [])
    assert found is not None
    ids, counts = found
    first = list(dict.fromkeys(tokens))
    assert ids == [index.ids[t] for t in first]
    assert counts == [tokens.count(t) for t in first]


_SHAPE_TEXT = st.text(
    alphabet=st.one_of(st.sampled_from("aZ9٣²Ⅷ@.:/£$ -_ÉßǅΣ"), st.characters()), max_size=60
)


@settings(max_examples=400, deadline=None)
@given(_SHAPE_TEXT, _SHAPE_TEXT, _SHAPE_TEXT)
def test_the_kernels_shape_counts_are_pythons(original: str, spelled: str, seen: str) -> None:
    assert features._grams is not None
    assert features._grams.shape(original, spelled, seen) == features._shape(
        original, spelled, seen
    )
