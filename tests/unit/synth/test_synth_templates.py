"""Every template compiles and names only slots the generator fills, so no rare pick fails."""

from __future__ import annotations

import random
import re
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

from trustwatch.synth import catalogue, chat
from trustwatch.synth.generator import _Marketplace
from trustwatch.synth.grammar import compile_template

_SLOT = re.compile(r"(?<!\$)\$([a-z_][a-z0-9_]*)")


def _strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, tuple | list):
        for item in value:
            yield from _strings(item)
    elif isinstance(value, dict):
        for item in value.values():
            yield from _strings(item)


def _templates() -> list[str]:
    found = []
    for module in (chat, catalogue):
        for name in dir(module):
            if name.isupper():
                found.extend(_strings(getattr(module, name)))
    return found


def test_every_template_compiles_and_uses_known_slots() -> None:
    market = _Marketplace(random.Random(0), 0.35, 0.3, ("spam",), 0.15)
    known = set(market.slots(market.people.member(datetime(2026, 1, 1, tzinfo=UTC))))
    known |= {"phone_a", "phone_b"}  # filled per conversation for split phone numbers
    templates = _templates()
    assert len(templates) > 500
    for template in templates:
        compile_template(template)
        unknown = set(_SLOT.findall(template.replace("$$", ""))) - known
        assert not unknown, f"{template!r} uses unknown slots {unknown}"
