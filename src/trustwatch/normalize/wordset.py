"""Is any of a set of words in a text, as a whole word? One Aho-Corasick pass answers,
several times cheaper than an alternation regex or a substring test per word."""

from __future__ import annotations

from collections.abc import Iterable

import ahocorasick


class WordSet:
    def __init__(self, words: Iterable[str]) -> None:
        self._automaton = ahocorasick.Automaton()
        for word in words:
            self._automaton.add_word(word, len(word))
        self._automaton.make_automaton()

    def any_in(self, text: str) -> bool:
        """Whether one of the words stands in ``text`` with no letter or digit touching it."""
        n = len(text)
        for end, length in self._automaton.iter(text):
            start = end - length + 1
            if (start == 0 or not text[start - 1].isalnum()) and (
                end + 1 == n or not text[end + 1].isalnum()
            ):
                return True
        return False
