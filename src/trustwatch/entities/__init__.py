"""Entity extraction with spans in the original text.

Interface (stable): ``extract(normalized) -> list[Entity]``.
Kinds: url, domain, email, phone, payment_handle, crypto_address, social_handle, price.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from trustwatch.normalize import Normalized


@dataclass(frozen=True, slots=True)
class Entity:
    kind: str
    value: str
    start: int
    end: int
    text: str
    attrs: dict[str, Any] = field(default_factory=dict, hash=False, compare=False)


_URL = re.compile(r"https?://[^\s]+|www\.[^\s]+")


def extract(normalized: Normalized) -> list[Entity]:
    view = normalized.base
    out: list[Entity] = []
    for m in _URL.finditer(view.text):
        start, end = view.to_original(m.start(), m.end())
        out.append(Entity("url", m.group(0), start, end, normalized.original[start:end]))
    return out
