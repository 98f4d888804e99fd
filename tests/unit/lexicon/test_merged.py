"""The merged pass answers each owner exactly as that owner's own automaton would."""

from __future__ import annotations

import ahocorasick
from hypothesis import given, settings
from hypothesis import strategies as st

from trustwatch.lexicon import load_lexicon
from trustwatch.lexicon.merged import MergedPass

_WORDS = st.lists(st.text(alphabet="abc .1", min_size=1, max_size=4), min_size=1, max_size=12)


def _own(words: list[str], text: str) -> list[tuple[int, str]]:
    automaton = ahocorasick.Automaton()
    for word in words:
        automaton.add_word(word, word)
    automaton.make_automaton()
    return list(automaton.iter(text))


def _merged(merged: MergedPass, owner: int, text: str) -> list[tuple[int, str]]:
    return [(end, parts[owner]) for end, parts in merged.read(text) if parts[owner] is not None]


@settings(max_examples=200)
@given(first=_WORDS, second=_WORDS, text=st.text(alphabet="abc .1x", max_size=40))
def test_each_owner_reads_what_its_own_automaton_yields_in_the_same_order(
    first: list[str], second: list[str], text: str
) -> None:
    merged = MergedPass()
    a = merged.register({w: w for w in first})
    b = merged.register({w: w for w in second})
    assert _merged(merged, a, text) == _own(first, text)
    assert _merged(merged, b, text) == _own(second, text)
    # A second read of the same text comes from memory and says the same.
    assert _merged(merged, a, text) == _own(first, text)


def test_an_owner_registered_after_a_read_is_merged_in() -> None:
    merged = MergedPass()
    a = merged.register({"pay": 1})
    assert _merged(merged, a, "pay me") == [(2, 1)]
    b = merged.register({"me": 2, "pay me": 3})
    assert _merged(merged, b, "pay me") == [(5, 3), (5, 2)]
    assert _merged(merged, a, "pay me") == [(2, 1)]


def test_packaged_lexicons_search_through_the_merged_pass_as_through_their_own() -> None:
    lexicon = load_lexicon("prohibited")
    assert lexicon._merged_owner is not None
    text = "selling a flick knife and some vapes, not a bomber jacket"
    through_merged = lexicon.search_text(text)
    lexicon._merged_owner, owner = None, lexicon._merged_owner
    try:
        alone = lexicon.search_text(text)
    finally:
        lexicon._merged_owner = owner
    assert through_merged == alone
    assert [h.term for h in alone]
