"""Policy packs: versioned YAML data (never code) declaring policies, detectors and actions.

Loading validates everything and reports each problem with the file, line and field.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from trustwatch.errors import PackError, PackErrors
from trustwatch.events import EVENT_TYPES
from trustwatch.verdicts import Action

DEFAULT_PACK = Path(__file__).resolve().parent.parent / "packs" / "marketplace"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class DetectorUse(_Strict):
    use: str = Field(description="registered detector name")
    id: str | None = Field(
        default=None, description="instance name when one detector is used twice"
    )
    weight: float = Field(default=1.0, ge=0.0, le=1.0)
    params: dict[str, Any] = Field(default_factory=dict)

    @property
    def key(self) -> str:
        return self.id or self.use


class Band(_Strict):
    at: float = Field(ge=0.0, le=1.0, description="the score from which this action applies")
    action: Action


class Cascade(_Strict):
    """Expensive detectors run only while the cheap score lies in [low, high)."""

    low: float = Field(default=0.1, ge=0.0, le=1.0)
    high: float = Field(default=0.9, ge=0.0, le=1.0)

    @model_validator(mode="after")
    def _ordered(self) -> Cascade:
        if self.low > self.high:
            raise ValueError(f"low ({self.low}) must not exceed high ({self.high})")
        return self


class Example(_Strict):
    """A must-trigger or must-not-trigger case; ``text`` builds an event of ``type``."""

    text: str | None = None
    type: str = "message.sent"
    title: str | None = None
    description: str | None = None
    brand: str | None = None
    category: str | None = None
    price: float | None = None
    currency: str = "GBP"
    event: dict[str, Any] | None = None
    action: Action | None = Field(default=None, description="the least action expected")
    note: str | None = None

    @model_validator(mode="after")
    def _has_content(self) -> Example:
        if self.event is None and self.text is None and self.title is None:
            raise ValueError("an example needs `text`, `title` or a full `event`")
        if self.type not in EVENT_TYPES:
            raise ValueError(f"unknown event type {self.type!r}; one of {', '.join(EVENT_TYPES)}")
        return self


class Examples(_Strict):
    trigger: list[Example] = Field(default_factory=list)
    clean: list[Example] = Field(default_factory=list)

    @field_validator("trigger", "clean", mode="before")
    @classmethod
    def _text_shorthand(cls, value: Any) -> Any:
        if isinstance(value, list):
            return [{"text": v} if isinstance(v, str) else v for v in value]
        return value


class Policy(_Strict):
    title: str
    text: str = Field(description="the human-readable policy; also given to an LLM judge")
    mode: Literal["live", "shadow"] = "live"
    severity: int = Field(default=2, ge=1, le=5)
    applies_to: list[str] = Field(default_factory=lambda: list(EVENT_TYPES))
    combine: Literal["max", "noisy_or"] = "noisy_or"
    detectors: list[DetectorUse] = Field(min_length=1)
    actions: list[Band] = Field(min_length=1)
    cascade: Cascade = Field(default_factory=Cascade)
    examples: Examples = Field(default_factory=Examples)

    @field_validator("applies_to")
    @classmethod
    def _known_types(cls, value: list[str]) -> list[str]:
        for t in value:
            if t not in EVENT_TYPES:
                raise ValueError(f"unknown event type {t!r}; one of {', '.join(EVENT_TYPES)}")
        return value

    @field_validator("actions")
    @classmethod
    def _sorted_bands(cls, bands: list[Band]) -> list[Band]:
        return sorted(bands, key=lambda b: b.at, reverse=True)

    def action_for(self, score: float) -> Action:
        for band in self.actions:
            if score >= band.at:
                return band.action
        return Action.ALLOW


class PackSettings(_Strict):
    marketplace_domains: list[str] = Field(default_factory=lambda: ["depop.com"])
    expensive_cost: float = Field(
        default=50.0, gt=0, description="detectors at or above this cost run only in the cascade"
    )


class Pack(_Strict):
    pack: str = Field(pattern=r"^[a-z][a-z0-9_\-]*$")
    version: int = Field(ge=1)
    description: str = ""
    settings: PackSettings = Field(default_factory=PackSettings)
    policies: dict[str, Policy] = Field(min_length=1)

    @property
    def ref(self) -> str:
        return f"{self.pack}@{self.version}"


@dataclass
class LoadedPack:
    pack: Pack
    source: Path
    files: list[Path]


class _LineLoader(yaml.SafeLoader):
    """Safe YAML loader that remembers the line of every mapping key."""


def _construct_mapping(loader: _LineLoader, node: yaml.MappingNode) -> dict[str, Any]:
    mapping: dict[str, Any] = {}
    lines: dict[str, int] = {}
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        if key in mapping:
            raise yaml.MarkedYAMLError(
                "while constructing a mapping",
                node.start_mark,
                f"duplicate key {key!r}",
                key_node.start_mark,
            )
        mapping[key] = loader.construct_object(value_node, deep=True)
        lines[str(key)] = key_node.start_mark.line + 1
    mapping["__lines__"] = lines
    mapping["__line__"] = node.start_mark.line + 1
    return mapping


_LineLoader.add_constructor(
    yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG,
    _construct_mapping,
)


def _strip(data: Any) -> Any:
    if isinstance(data, dict):
        return {k: _strip(v) for k, v in data.items() if k not in ("__lines__", "__line__")}
    if isinstance(data, list):
        return [_strip(v) for v in data]
    return data


def _line_of(data: Any, loc: tuple[int | str, ...]) -> int | None:
    """The deepest line number known along a pydantic error location."""
    line: int | None = data.get("__line__") if isinstance(data, dict) else None
    node = data
    for part in loc:
        if isinstance(node, dict):
            line = node.get("__lines__", {}).get(str(part), line)
            node = node.get(part)
        elif isinstance(node, list) and isinstance(part, int) and part < len(node):
            node = node[part]
            if isinstance(node, dict):
                line = node.get("__line__", line)
        else:
            break
    return line


_FRIENDLY = {
    "missing": "required field is missing",
    "extra_forbidden": "unknown field (check its spelling)",
}


def _message(err: Any) -> str:
    """Pydantic's message, reworded for a person editing YAML."""
    if err["type"] in _FRIENDLY:
        return _FRIENDLY[err["type"]]
    if err["type"] == "string_pattern_mismatch":
        return "must be lowercase letters, digits, '_' or '-', starting with a letter"
    msg = str(err["msg"]).removeprefix("Value error, ")
    return (
        msg.replace("Input should be", "must be")
        .replace("List should have at least", "must list at least")
        .replace(" after validation", "")
    )


def _read_yaml(path: Path) -> Any:
    try:
        return yaml.load(path.read_text(encoding="utf-8"), Loader=_LineLoader)
    except yaml.MarkedYAMLError as exc:
        # The context mark points at where the broken construct starts, which is what to fix.
        mark = exc.context_mark or exc.problem_mark
        what = f"{exc.context}: {exc.problem}" if exc.context else str(exc.problem)
        raise PackErrors(
            [PackError(str(path), mark.line + 1 if mark else None, "(yaml)", what)]
        ) from None
    except OSError as exc:
        raise PackErrors([PackError(str(path), None, "(file)", exc.strerror or str(exc))]) from None


def _pack_files(source: Path) -> tuple[Path, list[Path]]:
    """A pack is a directory (pack.yaml + policies/*.yaml) or a single YAML file."""
    if source.is_dir():
        head = source / "pack.yaml"
        if not head.exists():
            raise PackErrors([PackError(str(source), None, "(file)", "no pack.yaml in directory")])
        return head, sorted((source / "policies").glob("*.yaml"))
    return source, []


def load_pack(source: str | Path | None = None) -> LoadedPack:
    """Load and validate a pack; raise PackErrors listing every problem with file:line field."""
    path = Path(source) if source is not None else DEFAULT_PACK
    if not path.exists():
        raise PackErrors([PackError(str(path), None, "(file)", "no such file or directory")])
    head_path, policy_paths = _pack_files(path)
    head = _read_yaml(head_path)
    if not isinstance(head, dict):
        raise PackErrors([PackError(str(head_path), 1, "(root)", "a pack must be a YAML mapping")])
    origin: dict[str, tuple[Path, Any]] = {}
    policies = head.get("policies") or {}
    if not isinstance(policies, dict):
        raise PackErrors(
            [
                PackError(
                    str(head_path), _line_of(head, ("policies",)), "policies", "must be a mapping"
                )
            ]
        )
    for name in policies:
        if name not in ("__lines__", "__line__"):
            origin[name] = (head_path, head)
    errors: list[PackError] = []
    for policy_path in policy_paths:
        doc = _read_yaml(policy_path)
        if not isinstance(doc, dict) or not isinstance(doc.get("policies"), dict):
            errors.append(
                PackError(str(policy_path), 1, "policies", "file must hold a `policies` mapping")
            )
            continue
        for name, body in doc["policies"].items():
            if name in ("__lines__", "__line__"):
                continue
            if name in origin:
                errors.append(
                    PackError(
                        str(policy_path),
                        _line_of(doc, ("policies", name)),
                        f"policies.{name}",
                        f"defined twice (also in {origin[name][0].name})",
                    )
                )
                continue
            policies[name] = body
            policies.setdefault("__lines__", {})[name] = _line_of(doc, ("policies", name))
            origin[name] = (policy_path, doc)
    head["policies"] = policies
    if errors:
        raise PackErrors(errors)
    try:
        pack = Pack.model_validate(_strip(head))
    except ValidationError as exc:
        for err in exc.errors():
            loc = tuple(err["loc"])
            file_path, doc = head_path, head
            if len(loc) >= 2 and loc[0] == "policies" and str(loc[1]) in origin:
                file_path, doc = origin[str(loc[1])]
            field = ".".join(str(p) for p in loc) or "(root)"
            errors.append(PackError(str(file_path), _line_of(doc, loc), field, _message(err)))
        errors.extend(_check_detectors(policies, origin))
        raise PackErrors(errors) from None
    errors.extend(_check_detectors(policies, origin))
    if errors:
        raise PackErrors(errors)
    return LoadedPack(pack=pack, source=path, files=[head_path, *policy_paths])


def _check_detectors(
    policies: dict[str, Any], origin: dict[str, tuple[Path, Any]]
) -> list[PackError]:
    """Check detector names and params on the raw data, so they are reported with other errors."""
    import difflib

    from trustwatch.detectors.base import DETECTORS, detector_factory

    errors: list[PackError] = []
    for name, body in policies.items():
        if name in ("__lines__", "__line__") or not isinstance(body, dict):
            continue
        uses = body.get("detectors")
        if not isinstance(uses, list):
            continue
        file_path, doc = origin[name]
        seen: set[str] = set()
        for i, use in enumerate(uses):
            if not isinstance(use, dict) or not isinstance(use.get("use"), str):
                continue
            loc: tuple[int | str, ...] = ("policies", name, "detectors", i)
            field = f"policies.{name}.detectors.{i}"
            cls = detector_factory(use["use"])
            if cls is None:
                close = difflib.get_close_matches(use["use"], sorted(DETECTORS), n=1)
                hint = f"did you mean {close[0]!r}? " if close else ""
                errors.append(
                    PackError(
                        str(file_path),
                        _line_of(doc, (*loc, "use")),
                        f"{field}.use",
                        f"unknown detector {use['use']!r}; {hint}"
                        "`trustwatch policy detectors` lists them",
                    )
                )
                continue
            key = str(use.get("id") or use["use"])
            if key in seen:
                errors.append(
                    PackError(
                        str(file_path),
                        _line_of(doc, loc),
                        f"{field}.id",
                        f"detector {key!r} used twice in one policy; give it an `id`",
                    )
                )
            seen.add(key)
            try:
                cls.Params.model_validate(_strip(use.get("params") or {}))
            except ValidationError as exc:
                for err in exc.errors():
                    sub = tuple(err["loc"])
                    errors.append(
                        PackError(
                            str(file_path),
                            _line_of(doc, (*loc, "params", *sub)),
                            ".".join([field, "params", *(str(p) for p in sub)]),
                            _message(err),
                        )
                    )
    return errors
