"""The template language: choices, optional parts, slots, key spans and clear errors."""

from __future__ import annotations

import random

import pytest

from trustwatch.errors import ConfigError
from trustwatch.synth.grammar import Segment, expand, render


def test_choices_cover_every_alternative_and_nothing_else() -> None:
    rng = random.Random(0)
    seen = {render("{a|b|c}!", rng, {}) for _ in range(200)}
    assert seen == {"a!", "b!", "c!"}


def test_optional_part_is_sometimes_kept_and_sometimes_dropped() -> None:
    rng = random.Random(0)
    seen = {render("hi[ there]", rng, {}) for _ in range(100)}
    assert seen == {"hi", "hi there"}


def test_slots_take_strings_or_callables_and_double_dollar_is_literal() -> None:
    rng = random.Random(0)
    text = render("$$5 to $name via $app", rng, {"name": "Sam", "app": lambda r: "WhatsApp"})
    assert text == "$5 to Sam via WhatsApp"


def test_key_spans_are_marked_and_plain_text_is_merged() -> None:
    rng = random.Random(0)
    segments = expand("text me on «$app» now", rng, {"app": "whatsapp"})
    assert segments == [Segment("text me on "), Segment("whatsapp", True), Segment(" now")]


def test_pipe_outside_braces_is_plain_text() -> None:
    assert render("ships daily | bundles", random.Random(0), {}) == "ships daily | bundles"


@pytest.mark.parametrize(
    ("template", "needle"),
    [("{a|b", "missing '}'"), ("«key", "missing '»'"), ("oops}", "unexpected '}'"), ("$ 5", "$")],
)
def test_malformed_templates_raise_an_error_naming_the_problem(template: str, needle: str) -> None:
    with pytest.raises(ConfigError, match="column") as info:
        render(template, random.Random(0), {})
    assert needle in str(info.value)


def test_a_slot_without_a_value_is_an_error_that_names_it() -> None:
    with pytest.raises(ConfigError, match=r"\$brand"):
        render("fake $brand", random.Random(0), {})
