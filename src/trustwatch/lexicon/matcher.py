"""Compile lexicon files into one Aho-Corasick automaton and match it over normalized views."""

from __future__ import annotations

import dataclasses
import json
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import ahocorasick
import yaml
from pydantic import ValidationError

from trustwatch.errors import ConfigError
from trustwatch.lexicon.merged import MERGED
from trustwatch.lexicon.schema import ContextRule, ExceptionSpec, LexiconFile
from trustwatch.normalize import Normalized, View, normalize

if TYPE_CHECKING:
    from trustwatch.detectors.base import Item, Span

DATA_DIR = Path(__file__).resolve().parent / "data"
_TOKEN = re.compile(r"\w+")
_CHARS_PER_TOKEN = 24


class LexiconError(ConfigError):
    """A lexicon data file is invalid; the message names the file and the entry."""


def _is_word(ch: str) -> bool:
    return ch.isalnum() or ch == "_"


# Not frozen: a frozen dataclass's __init__ is ~10x slower, and hits are made per event.
@dataclass(slots=True, unsafe_hash=True)
class Hit:
    """One term found in one field; ``start``/``end`` are offsets in the ORIGINAL text.

    Treat as read-only.
    """

    term: str
    alias: str
    category: str
    label: str | None
    weight: float
    field: str
    start: int
    end: int
    text: str
    view: str
    data: Mapping[str, Any] = dataclasses.field(default_factory=dict, hash=False, compare=False)

    def span(self) -> Span:
        from trustwatch.detectors.base import Span

        return Span(self.field, self.start, self.end, self.text)


@dataclass(frozen=True, slots=True)
class TermInfo:
    """A compiled term, for inspection (counts, docs, tests)."""

    term: str
    aliases: tuple[str, ...]
    category: str
    label: str | None
    weight: float
    data: Mapping[str, Any]
    source: str


@dataclass(frozen=True, slots=True)
class _Rule:
    words: frozenset[str]
    prefixes: tuple[str, ...]
    phrases: tuple[tuple[str, ...], ...]
    within: int
    side: str

    def matches(self, text: str, start: int, end: int) -> bool:
        tokens: list[str] = []
        if self.side != "after":
            if self.within == 0:
                tokens += _TOKEN.findall(text, 0, start)
            else:
                before = _TOKEN.findall(text, max(0, start - self.within * _CHARS_PER_TOKEN), start)
                tokens += before[-self.within :]
        if self.side != "before":
            if self.within == 0:
                tokens += _TOKEN.findall(text, end)
            else:
                after = _TOKEN.findall(text, end, end + self.within * _CHARS_PER_TOKEN)
                tokens += after[: self.within]
        if not self.words.isdisjoint(tokens):
            return True
        if self.prefixes and any(t.startswith(self.prefixes) for t in tokens):
            return True
        for phrase in self.phrases:
            n = len(phrase)
            if any(tuple(tokens[i : i + n]) == phrase for i in range(len(tokens) - n + 1)):
                return True
        return False


@dataclass(frozen=True, slots=True)
class _Term:
    info: TermInfo
    require: _Rule | None
    forbid: _Rule | None


# Automaton payload: (is_exception, index, key length, boundary-left, boundary-right, prefix)
_Entry = tuple[bool, int, int, bool, bool, bool]


class Lexicon:
    """Many terms (with aliases, categories, weights, exceptions, context rules), compiled once.

    Build with :func:`load_lexicon` (packaged data), :meth:`from_files` or :meth:`from_dicts`.
    """

    def __init__(self, name: str, files: Sequence[tuple[str, LexiconFile]]) -> None:
        self.name = name
        self.version = max((f.version for _, f in files), default=1)
        self._terms: list[_Term] = []
        self._exception_targets: list[frozenset[int]] = []
        self.data: dict[str, Any] = {}
        by_key: dict[tuple[str, str], str] = {}
        surface: dict[str, list[_Entry]] = {}
        for source, spec in files:
            self._add_file(source, spec, by_key, surface)
        self._surface = {key: tuple(entries) for key, entries in surface.items()}
        automaton = ahocorasick.Automaton(ahocorasick.STORE_ANY, ahocorasick.KEY_STRING)
        for key, entries in self._surface.items():
            automaton.add_word(key, entries)
        if len(automaton) == 0:
            raise LexiconError(f"lexicon {name!r}: no terms to compile")
        automaton.make_automaton()
        self._automaton = automaton
        # Set for lexicons that live as long as the process (load_lexicon's): their words
        # join the merged pass, so one walk over a view serves every such lexicon.
        self._merged_owner: int | None = None

    def _add_file(
        self,
        source: str,
        spec: LexiconFile,
        by_key: dict[tuple[str, str], str],
        surface: dict[str, list[_Entry]],
    ) -> None:
        for key, value in spec.data.items():
            if key in self.data:
                raise LexiconError(f"{source}: data.{key}: defined in two files of {self.name!r}")
            self.data[key] = value
        wordsets = {k: [w.casefold() for w in v] for k, v in spec.wordsets.items()}
        file_terms: list[int] = []
        term_index: dict[str, list[int]] = {}
        for i, t in enumerate(spec.terms):
            where = f"{source}: terms[{i}] ({t.term!r})"
            category = t.category or spec.defaults.category
            if (category, t.term) in by_key:
                raise LexiconError(
                    f"{where}: term defined twice in category {category!r} "
                    f"(also in {by_key[(category, t.term)]}); merge the entries"
                )
            by_key[(category, t.term)] = source
            idx = len(self._terms)
            info = TermInfo(
                term=t.term,
                aliases=tuple(t.aliases),
                category=category,
                label=t.label if t.label is not None else spec.defaults.label,
                weight=t.weight if t.weight is not None else spec.defaults.weight,
                data=t.data,
                source=source,
            )
            self._terms.append(
                _Term(
                    info,
                    _compile_rule(t.require, wordsets, f"{where}: require"),
                    _compile_rule(t.forbid, wordsets, f"{where}: forbid"),
                )
            )
            file_terms.append(idx)
            term_index.setdefault(t.term, []).append(idx)
            for phrase in dict.fromkeys([t.term, *t.aliases]):
                _add_surface(surface, phrase, False, idx)
            for phrase in t.exceptions:
                self._add_exception(surface, phrase, frozenset([idx]))
        everything = frozenset(file_terms)
        for j, raw in enumerate(spec.exceptions):
            exc = ExceptionSpec(phrase=raw) if isinstance(raw, str) else raw
            targets = everything
            if exc.terms is not None:
                picked: set[int] = set()
                for name in exc.terms:
                    found = term_index.get(" ".join(name.split()).casefold())
                    if found is None:
                        raise LexiconError(
                            f"{source}: exceptions[{j}] ({exc.phrase!r}): unknown term {name!r}; "
                            "list terms of the same file"
                        )
                    picked.update(found)
                targets = frozenset(picked)
            self._add_exception(surface, exc.phrase, targets)

    def _add_exception(
        self, surface: dict[str, list[_Entry]], phrase: str, targets: frozenset[int]
    ) -> None:
        self._exception_targets.append(targets)
        _add_surface(surface, phrase, True, len(self._exception_targets) - 1)

    # Construction ---------------------------------------------------------------------------

    @classmethod
    def from_dicts(cls, docs: Iterable[tuple[str, Any]], name: str | None = None) -> Lexicon:
        """Validate raw documents ``(source, data)`` and compile them into one lexicon."""
        files = [(source, _validate(source, doc)) for source, doc in docs]
        if not files:
            raise LexiconError(f"lexicon {name!r}: no data files")
        return cls(name or files[0][1].lexicon, files)

    @classmethod
    def from_files(cls, paths: Iterable[str | Path], name: str | None = None) -> Lexicon:
        return cls.from_dicts(((str(p), _read(Path(p))) for p in paths), name)

    # Matching -------------------------------------------------------------------------------

    def search(
        self,
        normalized: Normalized,
        field: str = "text",
        *,
        categories: Iterable[str] | None = None,
        views: Iterable[str] | None = None,
    ) -> list[Hit]:
        """Every term hit in one field, over all its views, deduplicated, in original offsets."""
        wanted_categories = None if categories is None else frozenset(categories)
        wanted_views = None if views is None else frozenset(views)
        original = normalized.original
        terms = self._terms
        found: dict[tuple[int, int, int], tuple[View, int, int]] = {}
        cancels: list[tuple[int, int, frozenset[int]]] = []
        scanned: set[str] = set()
        exception_targets = self._exception_targets
        iterate = self._automaton.iter
        owner = self._merged_owner
        for view in normalized.views:
            text = view.text
            if text in scanned or (wanted_views is not None and view.name not in wanted_views):
                continue
            scanned.add(text)
            n = len(text)
            to_original = view.to_original
            found_in_view = (
                iterate(text)
                if owner is None
                else [(last, parts[owner]) for last, parts in MERGED.read(text) if parts[owner]]
            )
            for last, entries in found_in_view:
                for is_exc, idx, length, left, right, prefix in entries:
                    s, e = last - length + 1, last + 1
                    if prefix:
                        while e < n and (text[e].isalnum() or text[e] == "_"):
                            e += 1
                    if (
                        (left and s > 0 and (text[s - 1].isalnum() or text[s - 1] == "_"))
                        or (
                            right and not prefix and e < n and (text[e].isalnum() or text[e] == "_")
                        )
                    ) and not _bounded_in_original(view, original, s, e):
                        continue
                    if is_exc:
                        os_, oe = to_original(s, e)
                        cancels.append((os_, oe, exception_targets[idx]))
                        continue
                    term = terms[idx]
                    if (
                        wanted_categories is not None
                        and term.info.category not in wanted_categories
                    ):
                        continue
                    if term.require is not None and not term.require.matches(text, s, e):
                        continue
                    if term.forbid is not None and term.forbid.matches(text, s, e):
                        continue
                    os_, oe = to_original(s, e)
                    key = (idx, os_, oe)
                    if key not in found:
                        found[key] = (view, s, e)
        if not found:
            return []
        keys = list(found)
        if cancels:
            keys = [
                k
                for k in keys
                if not any(cs <= k[1] and k[2] <= ce and k[0] in t for cs, ce, t in cancels)
            ]
        if len(keys) > 1:
            if len({k[0] for k in keys}) < len(keys):
                # Keep the longest span per term when views disagree about a match's extent.
                keys.sort(key=lambda k: (k[1] - k[2], k[1]))
                chosen: list[tuple[int, int, int]] = []
                for k in keys:
                    if not any(c[0] == k[0] and c[1] <= k[1] and k[2] <= c[2] for c in chosen):
                        chosen.append(k)
                keys = chosen
            keys.sort(key=lambda k: (k[1], -k[2], terms[k[0]].info.term))
        out: list[Hit] = []
        for idx, os_, oe in keys:
            view, s, e = found[(idx, os_, oe)]
            info = terms[idx].info
            out.append(
                Hit(
                    info.term,
                    view.text[s:e],
                    info.category,
                    info.label,
                    info.weight,
                    field,
                    os_,
                    oe,
                    original[os_:oe],
                    view.name,
                    info.data,
                )
            )
        return out

    def search_text(self, text: str, field: str = "text", **kwargs: Any) -> list[Hit]:
        """Normalize ``text`` and search it (convenience for tests and one-off checks)."""
        return self.search(normalize(text), field, **kwargs)

    def search_item(
        self,
        item: Item,
        fields: Iterable[str] | None = None,
        *,
        categories: Iterable[str] | None = None,
    ) -> list[Hit]:
        """Search every text field of a detector ``Item`` (or only ``fields`` that it has)."""
        names = item.fields if fields is None else [f for f in fields if f in item.fields]
        cats = frozenset(categories) if categories is not None else None
        out: list[Hit] = []
        for name in names:
            out.extend(self.search(item.normalized(name), name, categories=cats))
        return out

    # Inspection -----------------------------------------------------------------------------

    @property
    def terms(self) -> list[TermInfo]:
        return [t.info for t in self._terms]

    @property
    def categories(self) -> list[str]:
        return sorted({t.info.category for t in self._terms})

    def __len__(self) -> int:
        return len(self._terms)

    def __repr__(self) -> str:
        return f"Lexicon({self.name!r}, terms={len(self)}, categories={self.categories})"


def _bounded_in_original(view: View, original: str, start: int, end: int) -> bool:
    """A match glued to its neighbours in a rewritten view ("rolexsuperclone", joined from
    "R o l e x s u p e r c l o n e") still counts when its original span stands alone."""
    o_start, o_end = view.to_original(start, end)
    if o_end - o_start == end - start:
        return False
    return (o_start == 0 or not _is_word(original[o_start - 1])) and (
        o_end >= len(original) or not _is_word(original[o_end])
    )


def _add_surface(surface: dict[str, list[_Entry]], phrase: str, is_exc: bool, idx: int) -> None:
    prefix = phrase.endswith("*")
    key = phrase[:-1] if prefix else phrase
    keys = [key]
    glued = key.replace(" ", "")
    # Spaced-out letters are joined without their word gaps, so phrases need a glued form.
    if glued != key and len(glued) >= 6:
        keys.append(glued)
    for k in keys:
        entry: _Entry = (is_exc, idx, len(k), _is_word(k[0]), _is_word(k[-1]), prefix)
        entries = surface.setdefault(k, [])
        if entry not in entries:
            entries.append(entry)


def _compile_rule(
    rule: ContextRule | None, wordsets: Mapping[str, list[str]], where: str
) -> _Rule | None:
    if rule is None:
        return None
    expanded: list[str] = []
    for word in rule.words:
        if word.startswith("@"):
            if word[1:] not in wordsets:
                known = ", ".join(sorted(wordsets)) or "none"
                raise LexiconError(f"{where}: unknown wordset {word!r}; defined: {known}")
            expanded.extend(wordsets[word[1:]])
        else:
            expanded.append(word.casefold())
    words: set[str] = set()
    prefixes: list[str] = []
    phrases: list[tuple[str, ...]] = []
    for w in expanded:
        tokens = tuple(_TOKEN.findall(w))
        if not tokens:
            raise LexiconError(f"{where}: context word {w!r} has no letters or digits")
        if w.endswith("*") and len(tokens) == 1:
            prefixes.append(tokens[0])
        elif len(tokens) == 1:
            words.add(tokens[0])
        else:
            phrases.append(tokens)
    return _Rule(frozenset(words), tuple(prefixes), tuple(phrases), rule.within, rule.side)


def _read(path: Path) -> Any:
    try:
        raw = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise LexiconError(f"{path}: cannot read lexicon file: {exc.strerror or exc}") from None
    try:
        if path.suffix == ".json":
            return json.loads(raw)
        return yaml.safe_load(raw)
    except (yaml.YAMLError, json.JSONDecodeError) as exc:
        raise LexiconError(f"{path}: not valid {path.suffix[1:].upper()}: {exc}") from None


def _validate(source: str, doc: Any) -> LexiconFile:
    if not isinstance(doc, dict):
        raise LexiconError(f"{source}: a lexicon file must be a mapping with `lexicon` and `terms`")
    try:
        return LexiconFile.model_validate(doc)
    except ValidationError as exc:
        problems = []
        for err in exc.errors():
            loc = err["loc"]
            where = _describe(doc, loc)
            problems.append(f"{source}: {where}: {err['msg'].removeprefix('Value error, ')}")
        raise LexiconError("\n".join(problems)) from None


def _describe(doc: Mapping[str, Any], loc: tuple[int | str, ...]) -> str:
    """``terms[3] ('flick knife').weight`` from a pydantic location."""
    parts: list[str] = []
    node: Any = doc
    for part in loc:
        if isinstance(part, int) and isinstance(node, list):
            node = node[part] if part < len(node) else None
            label = ""
            if isinstance(node, dict):
                name = node.get("term") or node.get("phrase")
                label = f" ({name!r})" if name else ""
            elif isinstance(node, str):
                label = f" ({node!r})"
            parts[-1] = f"{parts[-1]}[{part}]{label}" if parts else f"[{part}]{label}"
        else:
            node = node.get(part) if isinstance(node, dict) else None
            parts.append(str(part))
    return ".".join(parts) or "(root)"


def packaged_files(name: str) -> list[Path]:
    """The data files of a packaged lexicon: ``data/<name>.yaml|json`` or ``data/<name>/*``."""
    folder = DATA_DIR / name
    if folder.is_dir():
        files = sorted(p for p in folder.iterdir() if p.suffix in (".yaml", ".yml", ".json"))
    else:
        files = [
            p for ext in (".yaml", ".yml", ".json") if (p := DATA_DIR / f"{name}{ext}").exists()
        ]
    if not files:
        known = sorted({p.stem for p in DATA_DIR.iterdir() if not p.name.startswith("_")})
        raise LexiconError(
            f"no packaged lexicon named {name!r} in {DATA_DIR}; known: {', '.join(known)}"
        )
    return files


_CACHE: dict[str, Lexicon] = {}


def load_lexicon(name_or_path: str | Path) -> Lexicon:
    """A packaged lexicon by name (``"prohibited"``) or a file/folder path; compiled once."""
    key = str(name_or_path)
    found = _CACHE.get(key)
    if found is None:
        path = Path(name_or_path)
        as_path = isinstance(name_or_path, Path) or "/" in key or path.suffix != ""
        if as_path and path.is_dir():
            found = Lexicon.from_files(
                sorted(p for p in path.iterdir() if p.suffix in (".yaml", ".yml", ".json"))
            )
        elif as_path:
            found = Lexicon.from_files([path])
        else:
            found = Lexicon.from_files(packaged_files(key), name=key)
        found._merged_owner = MERGED.register(found._surface)
        _CACHE[key] = found
    return found
