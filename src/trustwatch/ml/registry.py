"""The model registry: versioned artifacts on disk, each with a model card.

Layout: ``<root>/<name>/<version>/card.json`` plus the artifact files the card hashes;
``<root>/<name>/promoted`` holds the promoted version. Packs name ``name@version``,
``name@promoted`` or ``name@latest``. The root is ``TRUSTWATCH_MODELS_DIR`` or the
``models`` directory shipped inside the package.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from trustwatch.errors import ConfigError

PACKAGED = Path(__file__).resolve().parent.parent / "models"
CARD = "card.json"
_REF = re.compile(r"^(?P<name>[a-z][a-z0-9_]*)@(?P<version>\d+|latest|promoted)$")


def root() -> Path:
    configured = os.environ.get("TRUSTWATCH_MODELS_DIR")
    return Path(configured) if configured else PACKAGED


def parse_ref(ref: str) -> tuple[str, str]:
    """``name@version`` (or ``@latest`` / ``@promoted``) split in two; a clear error otherwise."""
    m = _REF.match(ref)
    if m is None:
        raise ConfigError(
            f"model reference {ref!r} is not name@version (e.g. sms_spam@3, sms_spam@promoted)"
        )
    return m["name"], m["version"]


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


@dataclass(frozen=True)
class ModelEntry:
    name: str
    version: int
    path: Path
    card: dict[str, Any]

    @property
    def ref(self) -> str:
        return f"{self.name}@{self.version}"

    def verify(self) -> None:
        """Raise when an artifact file is missing or its content hash differs from the card."""
        for file, expected in self.card.get("hashes", {}).items():
            target = self.path / file
            if not target.exists():
                raise ConfigError(f"{self.ref}: artifact {file} is missing from {self.path}")
            if sha256_file(target) != expected:
                raise ConfigError(f"{self.ref}: {file} does not match its card's sha256")


class Registry:
    def __init__(self, base: Path | None = None) -> None:
        self.base = base if base is not None else root()

    def names(self) -> list[str]:
        if not self.base.is_dir():
            return []
        return sorted(p.name for p in self.base.iterdir() if p.is_dir() and self.versions(p.name))

    def versions(self, name: str) -> list[int]:
        folder = self.base / name
        if not folder.is_dir():
            return []
        return sorted(
            int(p.name) for p in folder.iterdir() if p.name.isdigit() and (p / CARD).exists()
        )

    def promoted(self, name: str) -> int | None:
        marker = self.base / name / "promoted"
        if not marker.exists():
            return None
        return int(marker.read_text(encoding="utf-8").strip())

    def get(self, ref: str) -> ModelEntry:
        name, version = parse_ref(ref)
        versions = self.versions(name)
        if not versions:
            known = ", ".join(self.names()) or "none"
            raise ConfigError(
                f"no model named {name!r} in {self.base} (known: {known}); run `trustwatch train`"
            )
        if version == "latest":
            number = versions[-1]
        elif version == "promoted":
            found = self.promoted(name)
            if found is None:
                raise ConfigError(f"{name} has no promoted version; `trustwatch models promote`")
            number = found
        else:
            number = int(version)
            if number not in versions:
                raise ConfigError(f"{name}@{number} not found; versions: {versions}")
        path = self.base / name / str(number)
        card = json.loads((path / CARD).read_text(encoding="utf-8"))
        return ModelEntry(name, number, path, card)

    def stage(self, name: str) -> tuple[int, Path]:
        """A fresh directory for the next version of ``name`` (not registered until ``commit``)."""
        version = (self.versions(name) or [0])[-1] + 1
        path = self.base / name / str(version)
        if path.exists():
            shutil.rmtree(path)
        path.mkdir(parents=True)
        return version, path

    def commit(self, name: str, version: int, card: dict[str, Any]) -> ModelEntry:
        """Hash every artifact in the staged directory into the card, and write the card."""
        path = self.base / name / str(version)
        hashes = {
            p.name: sha256_file(p) for p in sorted(path.iterdir()) if p.is_file() and p.name != CARD
        }
        full = {
            "name": name,
            "version": version,
            "created_at": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
            **card,
            "hashes": hashes,
        }
        (path / CARD).write_text(json.dumps(full, indent=2, sort_keys=True) + "\n", "utf-8")
        (path / "README.md").write_text(render_card(full), encoding="utf-8")
        return ModelEntry(name, version, path, full)

    def promote(self, ref: str) -> ModelEntry:
        entry = self.get(ref)
        entry.verify()
        (self.base / entry.name / "promoted").write_text(f"{entry.version}\n", encoding="utf-8")
        return entry


def render_card(card: dict[str, Any]) -> str:
    """The model card as Markdown, for people; ``card.json`` is the source of truth."""
    lines = [f"# {card['name']}@{card['version']}", "", card.get("description", ""), ""]
    lines += [f"- family: `{card.get('family')}`", f"- created: {card.get('created_at')}"]
    if card.get("synthetic"):
        lines.append("- **trained and measured on SYNTHETIC data**")
    lines += ["", "## Data", ""]
    for ds in card.get("data", []):
        lines.append(f"- `{ds['name']}`: {json.dumps(ds.get('counts', {}), sort_keys=True)}")
    lines += ["", "## Metrics (out-of-fold on the training splits; the test split is in reports/)"]
    lines.append("")
    for key, value in sorted(card.get("metrics", {}).items()):
        lines.append(f"- {key}: {value}")
    lines += ["", "## Thresholds", ""]
    for key, value in sorted(card.get("thresholds", {}).items()):
        lines.append(f"- {key}: {json.dumps(value, sort_keys=True)}")
    lines += ["", "## Config", "", "```json", json.dumps(card.get("config", {}), indent=2)]
    lines += ["```", "", "## Content hashes (sha256)", ""]
    for file, digest in sorted(card.get("hashes", {}).items()):
        lines.append(f"- `{file}`: `{digest}`")
    return "\n".join(lines) + "\n"
