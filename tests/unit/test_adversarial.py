import random

import pytest
from hypothesis import given
from hypothesis import strategies as st

from trustwatch.adversarial import MUTATIONS, WORD_MUTATIONS, mutate


@pytest.mark.parametrize("name", WORD_MUTATIONS)
def test_each_word_mutation_changes_the_target_but_not_its_context(name):
    text = "hi, message me on whatsapp please"
    out = mutate(name, text, random.Random(3), targets=["whatsapp"])
    assert out != text
    assert out.startswith("hi, message me on ")
    assert out.endswith(" please")


def test_separators_spell_out_email_punctuation():
    out = mutate("separators", "mail jo@gmail.com", random.Random(1), targets=["jo@gmail.com"])
    assert "@" not in out and "gmail" in out and "." not in out.split("gmail")[1][:2]


def test_spelled_digits_turn_a_phone_number_into_words():
    out = mutate("spelled_digits", "call 07700 900123", random.Random(2), targets=["07700 900123"])
    assert not any(ch.isdigit() for ch in out)
    assert "seven" in out


@given(st.sampled_from(sorted(MUTATIONS)), st.text(max_size=60), st.integers(0, 10_000))
def test_mutations_never_raise_and_are_deterministic_per_seed(name, text, seed):
    assert mutate(name, text, random.Random(seed)) == mutate(name, text, random.Random(seed))


def test_spaced_phrases_keep_a_wider_gap_between_words():
    out = mutate("spaced", "check your email", random.Random(1), targets=["check your email"])
    assert out == "c h e c k  y o u r  e m a i l"
