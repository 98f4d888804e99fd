"""A tiny template language for varied text, with key spans marked for evasions.

``{a|b|c}`` picks one alternative, ``[x]`` keeps ``x`` half the time, ``$name``
inserts a slot value (``$$`` is a literal dollar) and ``«x»`` marks ``x`` as a key
span: the words a detector must find and a scammer would disguise. Outside braces
``|`` is plain text.
"""

from __future__ import annotations

import random
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import lru_cache

from trustwatch.errors import ConfigError

SlotValue = str | Callable[[random.Random], str]
Slots = Mapping[str, SlotValue]


@dataclass(frozen=True, slots=True)
class Segment:
    """A piece of generated text; ``key`` pieces are what evasions may rewrite."""

    text: str
    key: bool = False


@dataclass(frozen=True, slots=True)
class _Text:
    text: str


@dataclass(frozen=True, slots=True)
class _Slot:
    name: str


@dataclass(frozen=True, slots=True)
class _Choice:
    options: tuple[tuple[_Node, ...], ...]


@dataclass(frozen=True, slots=True)
class _Optional:
    body: tuple[_Node, ...]


@dataclass(frozen=True, slots=True)
class _Key:
    body: tuple[_Node, ...]


_Node = _Text | _Slot | _Choice | _Optional | _Key
_SLOT = re.compile(r"[a-z_][a-z0-9_]*")
_CLOSERS = {"{": "}", "[": "]", "«": "»"}


class _Parser:
    def __init__(self, source: str) -> None:
        self.source = source
        self.pos = 0

    def fail(self, what: str) -> ConfigError:
        return ConfigError(
            f"template {self.source!r}: {what} at column {self.pos + 1}; "
            "balance {…}, […] and «…», and write $$ for a literal dollar"
        )

    def sequence(self, stops: str) -> tuple[_Node, ...]:
        nodes: list[_Node] = []
        text: list[str] = []

        def flush() -> None:
            if text:
                nodes.append(_Text("".join(text)))
                text.clear()

        while self.pos < len(self.source):
            ch = self.source[self.pos]
            if ch in stops:
                break
            if ch in "}]»":
                raise self.fail(f"unexpected {ch!r}")
            if ch == "$":
                if self.source.startswith("$$", self.pos):
                    text.append("$")
                    self.pos += 2
                    continue
                match = _SLOT.match(self.source, self.pos + 1)
                if match is None:
                    raise self.fail("a $ without a slot name")
                flush()
                nodes.append(_Slot(match.group()))
                self.pos = match.end()
                continue
            if ch in _CLOSERS:
                flush()
                self.pos += 1
                nodes.append(self.group(ch))
                continue
            text.append(ch)
            self.pos += 1
        flush()
        return tuple(nodes)

    def group(self, opener: str) -> _Node:
        closer = _CLOSERS[opener]
        if opener == "{":
            options = [self.sequence("|}")]
            while self.pos < len(self.source) and self.source[self.pos] == "|":
                self.pos += 1
                options.append(self.sequence("|}"))
            self.expect(closer)
            return _Choice(tuple(options))
        body = self.sequence(closer)
        self.expect(closer)
        return _Optional(body) if opener == "[" else _Key(body)

    def expect(self, closer: str) -> None:
        if self.pos >= len(self.source) or self.source[self.pos] != closer:
            raise self.fail(f"missing {closer!r}")
        self.pos += 1


@lru_cache(maxsize=4096)
def compile_template(source: str) -> tuple[_Node, ...]:
    """Parse a template once; raise ConfigError naming the column of a syntax error."""
    parser = _Parser(source)
    nodes = parser.sequence("")
    if parser.pos != len(source):
        raise parser.fail("trailing text")
    return nodes


def expand(source: str, rng: random.Random, slots: Slots) -> list[Segment]:
    """Expand a template into segments; adjacent segments of the same kind are merged."""
    out: list[Segment] = []
    _emit(compile_template(source), rng, slots, False, out)
    merged: list[Segment] = []
    for seg in out:
        if not seg.text:
            continue
        if merged and merged[-1].key == seg.key:
            merged[-1] = Segment(merged[-1].text + seg.text, seg.key)
        else:
            merged.append(seg)
    return merged


def render(source: str, rng: random.Random, slots: Slots) -> str:
    """Expand a template to plain text."""
    return "".join(seg.text for seg in expand(source, rng, slots))


def _emit(
    nodes: tuple[_Node, ...], rng: random.Random, slots: Slots, key: bool, out: list[Segment]
) -> None:
    for node in nodes:
        if isinstance(node, _Text):
            out.append(Segment(node.text, key))
        elif isinstance(node, _Slot):
            if node.name not in slots:
                raise ConfigError(f"template slot ${node.name} has no value; add it to the slots")
            value = slots[node.name]
            out.append(Segment(value if isinstance(value, str) else value(rng), key))
        elif isinstance(node, _Choice):
            _emit(node.options[rng.randrange(len(node.options))], rng, slots, key, out)
        elif isinstance(node, _Optional):
            if rng.random() < 0.5:
                _emit(node.body, rng, slots, key, out)
        else:
            _emit(node.body, rng, slots, True, out)
