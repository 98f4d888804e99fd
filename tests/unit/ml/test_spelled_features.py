from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from ml_builders import assert_scores_like_sklearn, identity

from trustwatch.ml.features import char_grams, model_text, word_grams
from trustwatch.ml.linear import LinearConfig, LinearModel, _fit_raw, fold_into_blocks

SPELLED_BLOCKS = LinearConfig(min_df=1, folds=2, blocks=("word_spelled", "char_spelled"))


def test_spelled_number_gives_the_digit_grams_of_the_written_number() -> None:
    from trustwatch.ml.features import spelled_char_grams, spelled_word_grams

    written = model_text("call 09061790126 now to claim")
    spelled = model_text("call oh nine oh six one seven nine oh one two six now to claim")
    assert "09061790126" in spelled_word_grams(spelled)
    assert "0906" in spelled_char_grams(spelled)
    assert set(spelled_char_grams(spelled)) == set(spelled_char_grams(written))
    # The folded view keeps the words, which is what the spelled analyzers fix.
    assert "0906" not in char_grams(spelled)


def test_without_a_spelled_view_the_spelled_analyzers_read_the_folded_view() -> None:
    from trustwatch.ml.features import spelled_char_grams, spelled_word_grams

    pair = model_text("v3rify y0ur acc0unt at paypa1 today")
    assert pair[2] == ""
    assert spelled_word_grams(pair) == word_grams(pair)
    assert spelled_char_grams(pair) == char_grams(pair)


def test_spelled_blocks_fold_into_weights_that_score_like_sklearn() -> None:
    texts = [
        "WIN a prize, call 09061701461 to claim",
        "your account is locked, call 08712402050 now",
        "see you at lunch tomorrow",
        "is the dress still available?",
    ] * 3
    pairs = [model_text(f"{t} {i}") for i, t in enumerate(texts)]
    y = np.array([1, 1, 0, 0] * 3)
    probe = [model_text("call oh nine oh six one seven oh one to claim"), model_text("lunch?")]
    assert_scores_like_sklearn(pairs, y, SPELLED_BLOCKS, probe)


def test_training_with_a_seed_is_reproducible() -> None:
    texts = ["win cash now call 0800", "hi how are you", "claim your prize", "lunch at 1?"] * 4
    pairs = [model_text(f"{t} {i}") for i, t in enumerate(texts)]
    y = np.array([1, 0, 1, 0] * 4)
    cfg = LinearConfig(min_df=1, folds=2)
    first = _fit_raw(pairs, y, cfg)[1].coef_
    second = _fit_raw(pairs, y, cfg)[1].coef_
    assert np.array_equal(first, second)


def test_saving_one_model_twice_writes_the_same_bytes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import time

    texts = ["win cash now call 0800", "hi how are you", "claim your prize", "lunch at 1?"] * 2
    pairs = [model_text(f"{t} {i}") for i, t in enumerate(texts)]
    y = np.array([1, 0, 1, 0] * 2)
    cfg = LinearConfig(min_df=1, folds=2)
    vecs, clf = _fit_raw(pairs, y, cfg)
    model = LinearModel(fold_into_blocks(vecs, clf, cfg), float(clf.intercept_[0]), identity())
    (tmp_path / "a").mkdir()
    first = model.save(tmp_path / "a")
    later = time.time() + 3600.0
    monkeypatch.setattr(time, "time", lambda: later)
    (tmp_path / "b").mkdir()
    second = model.save(tmp_path / "b")
    assert first.read_bytes() == second.read_bytes()
