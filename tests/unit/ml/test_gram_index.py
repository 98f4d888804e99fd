"""The vectorised gram index must score exactly like a plain walk over the grams."""

from __future__ import annotations

import math
from collections import Counter

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from trustwatch.ml import features
from trustwatch.ml.features import (
    _MULT,
    ANALYZERS,
    GramIndex,
    SparseBlock,
    _Table,
    model_text,
    url_pair,
)

TEXTS = [
    "WIN a free prize now, call 09061701461 to claim",
    "URGENT ur acc0unt is suspended, verify at http://bit.ly/x",
    "ваш аккаунт заблокирован",  # Cyrillic: its own alphabet
    "🎁 free gift 🎁🎁 claim now!!!",
    "ｆｕｌｌｗｉｄｔｈ text and ①②③",
    "x",
    "",
    "the the the the the the",
]


def _reference(block: SparseBlock, pair: tuple[str, str, str]) -> float:
    """sklearn's arithmetic, written out: sublinear tf, idf, l2 norm, dot with weights."""
    dot = sq = 0.0
    for gram, count in Counter(ANALYZERS[block.analyzer](pair)).items():
        i = block.vocab.get(gram)
        if i is None:
            continue
        v = (1.0 + math.log(count)) * block.idf[i]
        sq += v * v
        dot += v * block.weight[i]
    return dot / math.sqrt(sq) if sq else 0.0


def _block(analyzer: str, texts: list[str], seed: int, pairing=model_text) -> SparseBlock:  # type: ignore[no-untyped-def]
    grams = sorted({g for t in texts for g in ANALYZERS[analyzer](pairing(t))})
    rng = np.random.default_rng(seed)
    return SparseBlock(
        analyzer,
        {g: i for i, g in enumerate(grams)},
        list(rng.uniform(1.0, 5.0, len(grams))),
        list(rng.normal(0.0, 1.0, len(grams))),
    )


def test_char_block_matches_the_plain_walk_on_every_script() -> None:
    block = _block("char", TEXTS[:5], seed=1)
    for text in [*TEXTS, "free prize ваш 🎁 x", "claim claim claim"]:
        pair = model_text(text)
        assert math.isclose(block.score(pair), _reference(block, pair), abs_tol=1e-9), text


def test_url_and_word_blocks_match_the_plain_walk() -> None:
    urls = ["http://paypal.com.secure-login.xyz/verify", "https://www.depop.com/products/x"]
    url_block = _block("url_char", urls, seed=2, pairing=url_pair)
    word_block = _block("word", TEXTS, seed=3)
    for url in [*urls, "http://bit.ly/abc", "http://xn--pypal-4ve.com"]:
        pair = url_pair(url)
        assert math.isclose(url_block.score(pair), _reference(url_block, pair), abs_tol=1e-9)
    for text in TEXTS:
        pair = model_text(text)
        assert math.isclose(word_block.score(pair), _reference(word_block, pair), abs_tol=1e-9)


def test_a_later_model_growing_the_index_leaves_earlier_scores_alone() -> None:
    first = _block("char", TEXTS[:2], seed=4)
    probe = model_text(TEXTS[0] + " and more words never seen")
    before = first.score(probe)
    _block("char", ["completely different vocabulary ☃ here"], seed=5)
    assert math.isclose(first.score(probe), before, abs_tol=1e-12)
    assert math.isclose(before, _reference(first, probe), abs_tol=1e-9)


def test_index_assigns_one_id_per_gram_and_finds_them_all() -> None:
    index = GramIndex("char")
    grams = ["ab", "abc", "zz", "é!", "☃x", "abcde"]
    ids = index.add(grams)
    assert sorted(ids.tolist()) == list(range(len(grams)))
    assert index.add(["abc"]).tolist() == [ids[1]]
    found, tf = index.features(("", "abc abc", ""))
    by_id = dict(zip(found.tolist(), tf.tolist(), strict=True))
    # " abc abc " holds "ab" and "abc" twice each.
    assert by_id == {ids[0]: 1.0 + math.log(2), ids[1]: 1.0 + math.log(2)}


@settings(max_examples=60, deadline=None)
@given(st.text(min_size=0, max_size=120))
def test_any_text_scores_like_the_plain_walk(text: str) -> None:
    block = _HYPO_BLOCK
    pair = model_text(text)
    assert math.isclose(block.score(pair), _reference(block, pair), abs_tol=1e-9)


_HYPO_BLOCK = _block("char", [*TEXTS, "abcdefghijklmnopqrstuvwxyz 0123456789 !?.,"], seed=6)


def test_spelled_blocks_read_the_spelled_view_and_share_the_folded_features() -> None:
    texts = ["call oh seven seven double oh nine now", "mail john at gmail dot com", *TEXTS]
    spelled = _block("char_spelled", texts, seed=7)
    plain = _block("char", texts, seed=8)
    word_spelled = _block("word_spelled", texts, seed=9)
    for text in texts:
        pair = model_text(text)
        cache: dict = {}  # type: ignore[type-arg]
        for block in (plain, spelled, word_spelled):
            got = block.score(pair, cache)
            assert math.isclose(got, _reference(block, pair), abs_tol=1e-9), (block.analyzer, text)
        # One char feature set when the text has no spelled view, two when it has one.
        char_keys = [k for k in cache if k[0] == "char"]
        assert len(char_keys) == (2 if pair[2] else 1), text


def test_table_finds_every_gram_of_an_overflowing_bucket_and_no_other() -> None:
    """Twenty grams with one home bucket (eight slots): seven stay, the rest go to the
    stash behind the bucket's flag, and a lookup still finds each one with its own id."""
    rng = np.random.default_rng(11)
    candidates = rng.integers(1, 1 << 60, size=200_000, dtype=np.uint64)
    filler = candidates[:44]
    probe = _Table.build(filler, np.arange(44))
    home = (candidates * _MULT) >> probe.shift
    crowd = candidates[home == home[0]][:20]
    assert len(crowd) == 20
    codes = np.unique(np.concatenate([filler, crowd]))
    ids = rng.permutation(len(codes))
    table = _Table.build(codes, ids)
    assert table.shift == probe.shift and table.stash_codes.size >= 13
    absent = np.setdiff1d(candidates[200:400], codes)
    query = np.concatenate([codes, absent])
    where, got = table.find(query)
    assert sorted(zip(where.tolist(), got.tolist(), strict=True)) == list(enumerate(ids.tolist()))


def _reference_shape_tokens(original: str, spelled: str, folded: str) -> list[str]:
    """``shape_tokens`` as first written: every pattern searched, every character tested."""
    out = [
        token
        for token, rx in (
            ("__url__", features._URL),
            ("__phone__", features._PHONE),
            ("__money__", features._MONEY),
            ("__email__", features._EMAIL),
        )
        if rx.search(folded) or (spelled and rx.search(spelled))
    ]
    letters = sum(map(str.isalpha, original)) or 1
    caps = sum(map(str.isupper, original)) / letters
    digits = max(sum(map(str.isdigit, t)) / max(len(t), 1) for t in (folded, spelled))
    out.append(f"__caps{features._bucket(caps, (0.1, 0.3, 0.6))}__")
    out.append(f"__digits{features._bucket(digits, (0.02, 0.08, 0.2))}__")
    out.append(f"__len{features._bucket(len(original), (20, 60, 120, 200, 500))}__")
    return out


_SHAPES = st.text(alphabet=st.sampled_from("aZ9٣²@.:/£$ -_+wcomhtps\u00e9"), max_size=60)


@settings(max_examples=300, deadline=None)
@given(_SHAPES, _SHAPES, _SHAPES)
def test_shape_tokens_match_the_plain_reference(original: str, spelled: str, folded: str) -> None:
    got = features.shape_tokens(original, spelled, folded)
    assert got == _reference_shape_tokens(original, spelled, folded)


def test_recent_scores_are_the_scores_and_a_new_model_is_not_served_stale_ones() -> None:
    first = _block("char", TEXTS[:3], seed=12)
    pair = model_text(TEXTS[0])
    index = first.index
    before = index.recent.hits
    score = first.score(pair)
    assert first.score(pair) == score and index.recent.hits > before
    second = _block("char", ["a later vocabulary"], seed=13)
    assert math.isclose(second.score(pair), _reference(second, pair), abs_tol=1e-9)
    assert math.isclose(first.score(pair), _reference(first, pair), abs_tol=1e-9)
