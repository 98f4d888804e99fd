"""Properties that must hold for any text: maps stay in bounds and in order, and an
evasion-disguised word is found with its span mapping back to exactly the disguise."""

from __future__ import annotations

import random
import re

from hypothesis import given, settings
from hypothesis import strategies as st

from trustwatch.adversarial import WORD_MUTATIONS, mutate
from trustwatch.normalize import normalize

# Words a detector keys on; disguising them is the point of the evasions.
TARGETS = (
    "paypal",
    "whatsapp",
    "telegram",
    "instagram",
    "bitcoin",
    "cashapp",
    "depop",
    "venmo",
    "revolut",
    "snapchat",
    "signal",
    "giftcard",
    "wallet",
    "crypto",
    "transfer",
    "email",
    "click",
    "link",
    "login",
    "password",
    "verify",
    "account",
)

# Context words: at least two chars, so no spaced-out run can swallow one.
context_word = st.text(
    alphabet=st.sampled_from("abcdefghijklmnopqrstuvwxyz0123456789éñжß'!?,"), min_size=2, max_size=8
)
context = st.lists(context_word, max_size=6).map(" ".join)


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=80))
def test_every_view_maps_every_char_inside_the_original_in_order(text):
    n = normalize(text)
    assert n.views[0].name == "base"
    for view in n.views:
        starts, ends = view.starts, view.ends
        assert len(starts) == len(ends) == len(view.text)
        assert all(0 <= s <= e <= len(text) for s, e in zip(starts, ends, strict=True))
        assert list(starts) == sorted(starts)
        assert list(ends) == sorted(ends)


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=60), st.data())
def test_to_original_of_any_span_is_in_bounds_and_monotonic(text, data):
    for view in normalize(text).views:
        n = len(view.text)
        i = data.draw(st.integers(0, n))
        j = data.draw(st.integers(i, n))
        start, end = view.to_original(i, j)
        assert 0 <= start <= end <= len(text)
        if n < 2:
            continue
        # Two non-empty spans, the second starting and ending no earlier than the first.
        a = data.draw(st.integers(0, n - 1))
        b = data.draw(st.integers(a + 1, n))
        c = data.draw(st.integers(a, n - 1))
        d = data.draw(st.integers(max(b, c + 1), n))
        first, second = view.to_original(a, b), view.to_original(c, d)
        assert first[0] <= second[0]
        assert first[1] <= second[1]


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=60))
def test_no_two_views_have_the_same_text(text):
    texts = [v.text for v in normalize(text).views]
    assert len(texts) == len(set(texts))


@settings(max_examples=400, deadline=None)
@given(
    st.sampled_from(WORD_MUTATIONS),
    st.sampled_from(TARGETS),
    context,
    context,
    st.randoms(use_true_random=False),
)
def test_disguised_word_in_context_maps_back_to_exactly_the_disguise(
    mutation, word, before, after, rnd
):
    disguised = mutate(mutation, word, random.Random(rnd.random()), [word])
    text = f"{before} {disguised} {after}"
    at = len(before) + 1
    spans = set()
    for view in normalize(text).views:
        for m in re.finditer(word, view.text):
            spans.add(view.to_original(m.start(), m.end()))
    assert (at, at + len(disguised)) in spans, (mutation, disguised)
