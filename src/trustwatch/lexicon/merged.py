"""One Aho-Corasick pass over a text for every registered word list.

pyahocorasick walks a text at about the same cost per char however few words an automaton
holds, and an event's views used to be walked once per packaged lexicon and once more for
the detectors' anchor words. Long-lived word lists (packaged lexicons, detector anchors)
register here once; :meth:`MergedPass.read` then answers all of them from one merged
pass per text, remembered for the handful of texts an event reads.

Filtered to one owner, the answer is exactly what that owner's own automaton's
``iter(text)`` yields: every word of the owner ending at each position, longest first,
with the payload the owner registered for it.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from typing import Any

import ahocorasick

# Per hit: the end index, and per owner its payload for the word (None: not its word).
Found = list[tuple[int, tuple[Any, ...]]]

# Texts remembered per state; an event reads a few fields of one to six views each.
_REMEMBER = 64


class _State:
    """The merged automaton of the owners registered so far, and the texts it has read."""

    __slots__ = ("automaton", "read")

    def __init__(self, owners: list[Mapping[str, Any]]) -> None:
        merged: dict[str, list[Any]] = {}
        for index, words in enumerate(owners):
            for word, payload in words.items():
                merged.setdefault(word, [None] * len(owners))[index] = payload
        self.automaton: Any = None
        if merged:
            self.automaton = ahocorasick.Automaton(ahocorasick.STORE_ANY, ahocorasick.KEY_STRING)
            for word, parts in merged.items():
                self.automaton.add_word(word, tuple(parts))
            self.automaton.make_automaton()
        self.read: dict[str, Found] = {}


class MergedPass:
    """Word lists merged into one automaton; thread-safe (a rebuild swaps in a new state)."""

    def __init__(self) -> None:
        self._owners: list[Mapping[str, Any]] = []
        self._lock = threading.Lock()
        self._state: _State | None = None

    def register(self, words: Mapping[str, Any]) -> int:
        """Add a word list (word -> payload, never None); returns the owner's index into the
        payloads :meth:`read` gives. Register only lists that live as long as the process."""
        with self._lock:
            self._owners.append(dict(words))
            self._state = None
            return len(self._owners) - 1

    def _current(self) -> _State:
        state = self._state
        if state is None:
            with self._lock:
                state = self._state
                if state is None:
                    state = self._state = _State(self._owners)
        return state

    def read(self, text: str) -> Found:
        """Every registered word in ``text``: ``(end index, payloads by owner)``. An owner's
        own automaton would yield ``(end, payloads[owner])`` for the hits where that is not
        None, in this order. Treat the list as read-only."""
        state = self._state
        if state is None:
            state = self._current()
        read = state.read
        found = read.get(text)
        if found is None:
            found = list(state.automaton.iter(text)) if state.automaton is not None else []
            if len(read) >= _REMEMBER:
                read.clear()
            read[text] = found
        return found


MERGED = MergedPass()
