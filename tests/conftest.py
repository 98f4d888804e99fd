"""Shared fixtures."""

from __future__ import annotations

import importlib.util
import os
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from hypothesis import settings

ROOT = Path(__file__).resolve().parents[1]

# The test command is a gate: property tests draw the same examples on every run, so a red
# build always reproduces. `HYPOTHESIS_PROFILE=explore` draws new ones each run (to hunt).
settings.register_profile("gate", derandomize=True, print_blob=True)
settings.register_profile("explore", print_blob=True)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "gate"))


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Tests that read the public datasets (marked ``data``, or built on ``tiny_registry``,
    which trains on them) run where the data is, and are skipped, saying where it was
    looked for, in a checkout that has none beside it."""
    from trustwatch.ml.datasets import data_dir

    where = data_dir()
    if where.is_dir():
        return
    skip = pytest.mark.skip(
        reason=f"public datasets not found at {where} (set TRUSTWATCH_DATA_DIR)"
    )
    for item in items:
        if "data" in item.keywords or "tiny_registry" in getattr(item, "fixturenames", ()):
            item.add_marker(skip)


@pytest.fixture
def make_message():
    def build(
        text: str,
        *,
        actor: str = "u_1",
        recipient: str = "u_2",
        event_id: str = "evt_t",
        at: str = "2026-11-02T10:15:00Z",
    ) -> dict[str, Any]:
        return {
            "id": event_id,
            "type": "message.sent",
            "occurred_at": at,
            "actor": {"id": actor},
            "message": {
                "id": "m_" + event_id,
                "recipient_id": recipient,
                "conversation_id": "c_1",
                "text": text,
            },
        }

    return build


@pytest.fixture(scope="session")
def recalls_builder() -> ModuleType:
    """scripts/build_recalls.py as a module (scripts/ is not a package), for its build()."""
    spec = importlib.util.spec_from_file_location(
        "build_recalls", ROOT / "scripts/build_recalls.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def pytest_addoption(parser):
    parser.addoption("--update-golden", action="store_true", help="rewrite golden files")
