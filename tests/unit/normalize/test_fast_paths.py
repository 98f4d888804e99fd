"""The fast paths answer as the slower forms they replace, for any text.

Digit- or class-first regexes scan faster than their alternation-first forms, and a gate
that exits early must never skip a text the full check would have read.
"""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from trustwatch.detectors.counterfeit_terms import _QUANTITY
from trustwatch.detectors.spam_velocity import _ASCII_WORD, _WORD
from trustwatch.normalize import leet, normalize, spelled
from trustwatch.normalize.leet import _SHAPE, _SHAPE_HITS

# Alphabets that hit the edges: the chars each fast path treats specially, a letter or
# digit from outside ASCII, and separators.
_LEETISH = st.text(alphabet="0123456789oilxa .'’$@|!#\n_-", max_size=24)
_QUANTITISH = st.sampled_from(["1", "2", "3", "a", " ", "pcs", "pc", "pairs", "x", "_", "٣", "\n"])
_ASCII_TEXT = st.text(alphabet=st.characters(max_codepoint=127), max_size=40)


@settings(max_examples=400, deadline=None)
@given(_LEETISH)
def test_lettered_number_check_is_the_alternation(text: str) -> None:
    slow = re.compile(r"[0-9][oil]|[oil][0-9]")
    assert bool(spelled._HAS_LETTERED.search(text)) == bool(slow.search(text))


@settings(max_examples=400, deadline=None)
@given(_LEETISH)
def test_leet_gate_never_skips_a_shape_hit(text: str) -> None:
    shape = text.translate(_SHAPE)
    if any(pair in shape for pair in _SHAPE_HITS):
        assert leet._LEET_OR_BANG.search(text) is not None


@settings(max_examples=400, deadline=None)
@given(st.lists(_QUANTITISH, max_size=10).map("".join))
def test_quantity_regex_is_the_lookbehind_form(text: str) -> None:
    slow = re.compile(r"(?<!\w)(\d{2,5})\s*(?:pcs|pieces|units|pairs|pc)(?!\w)")
    fast = [(m.span(), m.group(1)) for m in _QUANTITY.finditer(text)]
    assert fast == [(m.span(), m.group(1)) for m in slow.finditer(text)]


@settings(max_examples=300, deadline=None)
@given(_ASCII_TEXT)
def test_ascii_word_scan_is_the_unicode_one_on_ascii(text: str) -> None:
    assert _ASCII_WORD.findall(text) == _WORD.findall(text)


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=30))
def test_folded_view_is_the_first_folded_view_present(text: str) -> None:
    n = normalize(text)
    order = ("leet", "leet_alt", "joined", "skeleton")
    present = [v for name in order for v in n.views if v.name == name]
    assert n.folded is (present[0] if present else n.views[0])
