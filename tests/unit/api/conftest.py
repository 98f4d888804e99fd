"""An app on a temporary SQLite store, and keys with each scope."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from api_fixtures import api_settings
from fastapi import FastAPI
from fastapi.testclient import TestClient

from trustwatch.api.app import create_app


@pytest.fixture
def app(tmp_path: Path) -> FastAPI:
    return create_app(api_settings(tmp_path))


@pytest.fixture
def client(app: FastAPI) -> Iterator[TestClient]:
    with TestClient(app) as c:
        yield c


@pytest.fixture
def key_for(app: FastAPI) -> Callable[..., dict[str, str]]:
    """Headers carrying a new key with the given scopes."""

    def make(*scopes: str, rate_limit: float | None = None) -> dict[str, str]:
        _, key = app.state.service.store.create_api_key(
            "test", list(scopes), rate_limit_per_s=rate_limit
        )
        return {"Authorization": f"Bearer {key}"}

    return make


@pytest.fixture
def admin(key_for: Callable[..., dict[str, str]]) -> dict[str, str]:
    return key_for("admin")
