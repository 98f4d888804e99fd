"""WordSet finds whole words only."""

from __future__ import annotations

import pytest

from trustwatch.normalize.wordset import WordSet

WORDS = WordSet(["ig", "whats app", "one"])


@pytest.mark.parametrize("text", ["my ig is", "ig", "(ig)", "on whats app!", "one"])
def test_a_whole_word_is_found(text):
    assert WORDS.any_in(text)


@pytest.mark.parametrize("text", ["big", "igloo", "someone", "whats apple", "", "phone1"])
def test_a_word_inside_another_is_not(text):
    assert not WORDS.any_in(text)
