"""A bounded memo of recent model outputs, keyed by the exact input.

Spam and phishing come in waves: one text (or link) is sent to many users within minutes,
so a model that has just scored a text is likely to be asked about it again. Keyed by
the exact input, a hit returns exactly what the model returned, and the memo changes no
score. ``TRUSTWATCH_ML_MEMO`` sets how many inputs each model keeps (default 4096, 0 turns
the memo off, e.g. to measure without it); ``hits`` and ``misses`` say how often it helps.
"""

from __future__ import annotations

import os
from collections.abc import Hashable
from typing import Generic, TypeVar

V = TypeVar("V")


# Inputs longer than this (in characters) are neither looked up nor kept: the texts that
# come in waves are short, and 4096 long emails would hold tens of megabytes.
MEMO_MAX_CHARS = 2000


def default_size() -> int:
    return int(os.environ.get("TRUSTWATCH_ML_MEMO", "4096"))


class Recent(Generic[V]):
    """Up to ``size`` inputs and their outputs; the oldest go first. Safe to share between
    threads: a lost race only costs a recomputation or an extra eviction."""

    __slots__ = ("_items", "hits", "misses", "size")

    def __init__(self, size: int | None = None) -> None:
        self.size = default_size() if size is None else size
        self._items: dict[Hashable, V] = {}
        self.hits = 0
        self.misses = 0

    def get(self, key: Hashable) -> V | None:
        found = self._items.get(key)
        if found is None:
            self.misses += 1
        else:
            self.hits += 1
        return found

    def put(self, key: Hashable, value: V) -> None:
        if self.size <= 0:
            return
        items = self._items
        while len(items) >= self.size:
            try:
                del items[next(iter(items))]
            except (KeyError, RuntimeError, StopIteration):  # another thread got there
                break
        items[key] = value

    def clear(self) -> None:
        self._items.clear()

    def __len__(self) -> int:
        return len(self._items)
