"""A view of a text and its map back to the original, plus the edit step every view uses."""

from __future__ import annotations

from collections.abc import Sequence

# A text edit on a view: replace view[start:end] with the replacement string.
Edit = tuple[int, int, str]


class View:
    """One normalized rendering of a text.

    View char ``i`` came from ``original[starts[i]:ends[i]]``. A view whose chars map
    one to one onto the original (the common ASCII case) stores no map at all.
    """

    __slots__ = ("_ends", "_starts", "name", "text")

    def __init__(
        self,
        name: str,
        text: str,
        starts: Sequence[int] | None = None,
        ends: Sequence[int] | None = None,
    ) -> None:
        if (starts is None) != (ends is None):
            raise ValueError("View needs both starts and ends, or neither (identity map)")
        if starts is not None and ends is not None and not (len(starts) == len(ends) == len(text)):
            raise ValueError("View starts and ends must have one entry per char of text")
        self.name = name
        self.text = text
        self._starts = starts
        self._ends = ends

    @property
    def is_identity(self) -> bool:
        """True when char ``i`` of the view is char ``i`` of the original."""
        return self._starts is None

    @property
    def starts(self) -> tuple[int, ...]:
        return tuple(range(len(self.text))) if self._starts is None else tuple(self._starts)

    @property
    def ends(self) -> tuple[int, ...]:
        return tuple(range(1, len(self.text) + 1)) if self._ends is None else tuple(self._ends)

    def retext(self, name: str, text: str) -> View:
        """A view with the same map and ``text`` replaced char for char."""
        if len(text) != len(self.text):
            raise ValueError("retext needs a text of the same length")
        return View(name, text, self._starts, self._ends)

    def to_original(self, start: int, end: int) -> tuple[int, int]:
        """Map the view span ``[start, end)`` to the original text's span (clamped)."""
        n = len(self.text)
        start = min(max(start, 0), n)
        end = min(max(end, start), n)
        starts, ends = self._starts, self._ends
        if starts is None or ends is None:
            return start, end
        if end == start:
            pos = starts[start] if start < n else (ends[-1] if n else 0)
            return pos, pos
        return starts[start], ends[end - 1]

    def __repr__(self) -> str:
        return f"View({self.name!r}, {self.text!r})"

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, View):
            return NotImplemented
        return (
            self.name == other.name
            and self.text == other.text
            and self.starts == other.starts
            and self.ends == other.ends
        )

    def __hash__(self) -> int:
        return hash((self.name, self.text))


def rewrite(src: View, name: str, edits: Sequence[Edit]) -> View:
    """Apply sorted, non-overlapping ``edits`` to ``src``, composing the map to the original.

    A same-length replacement maps char by char; any other replacement maps each new
    char to the whole replaced span, so a match over it covers the evasion exactly.
    """
    text = src.text
    pieces: list[str] = []
    pos = 0
    one_to_one = True
    for start, end, repl in edits:
        pieces.append(text[pos:start])
        pieces.append(repl)
        pos = end
        if end - start != len(repl):
            one_to_one = False
    pieces.append(text[pos:])
    out = "".join(pieces)
    if one_to_one:
        return View(name, out, src._starts, src._ends)
    n = len(text)
    s_map: Sequence[int] = range(n) if src._starts is None else src._starts
    e_map: Sequence[int] = range(1, n + 1) if src._ends is None else src._ends
    starts: list[int] = []
    ends: list[int] = []
    pos = 0
    for start, end, repl in edits:
        starts.extend(s_map[pos:start])
        ends.extend(e_map[pos:start])
        width = len(repl)
        if width == end - start:
            starts.extend(s_map[start:end])
            ends.extend(e_map[start:end])
        elif width:
            if end > start:
                o_start, o_end = s_map[start], e_map[end - 1]
            else:
                o_start = o_end = s_map[start] if start < n else (e_map[-1] if n else 0)
            starts.extend([o_start] * width)
            ends.extend([o_end] * width)
        pos = end
    starts.extend(s_map[pos:])
    ends.extend(e_map[pos:])
    return View(name, out, starts, ends)
