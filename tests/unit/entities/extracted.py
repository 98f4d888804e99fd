"""What the entity tests read back: the entities of one kind in a text, each checked to
stand at its own span of the original text (the property every extractor promises)."""

from __future__ import annotations

from trustwatch.entities import Entity, extract
from trustwatch.normalize import normalize


def of_kind(text: str, kind: str) -> list[Entity]:
    """Entities of ``kind`` in ``text``; fails if one's span does not read its text."""
    found = [e for e in extract(normalize(text)) if e.kind == kind]
    for e in found:
        assert text[e.start : e.end] == e.text, (kind, e)
    return found


def one(text: str, kind: str) -> Entity:
    """The single entity of ``kind`` in ``text``; fails if there are none or several."""
    found = of_kind(text, kind)
    assert len(found) == 1, found
    return found[0]
