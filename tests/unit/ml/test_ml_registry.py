from __future__ import annotations

from pathlib import Path

import pytest

from trustwatch.errors import ConfigError
from trustwatch.ml.registry import Registry, parse_ref


def _register(reg: Registry, name: str = "demo") -> str:
    version, path = reg.stage(name)
    (path / "weights.bin").write_bytes(b"abc")
    return reg.commit(name, version, {"family": "linear", "metrics": {"f": 1}}).ref


def test_versions_increase_and_cards_hash_their_artifacts(tmp_path: Path) -> None:
    reg = Registry(tmp_path)
    assert _register(reg) == "demo@1"
    assert _register(reg) == "demo@2"
    entry = reg.get("demo@latest")
    assert entry.version == 2
    assert set(entry.card["hashes"]) == {"weights.bin"}
    assert (entry.path / "README.md").read_text().startswith("# demo@2")
    entry.verify()


def test_promote_marks_a_version_and_refuses_tampered_artifacts(tmp_path: Path) -> None:
    reg = Registry(tmp_path)
    _register(reg)
    _register(reg)
    reg.promote("demo@1")
    assert reg.get("demo@promoted").version == 1
    (tmp_path / "demo" / "2" / "weights.bin").write_bytes(b"changed")
    with pytest.raises(ConfigError, match="sha256"):
        reg.promote("demo@2")


def test_bad_references_say_what_is_expected(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="name@version"):
        parse_ref("demo")
    with pytest.raises(ConfigError, match="trustwatch train"):
        Registry(tmp_path).get("missing@1")
    reg = Registry(tmp_path)
    _register(reg)
    with pytest.raises(ConfigError, match="no promoted version"):
        reg.get("demo@promoted")
