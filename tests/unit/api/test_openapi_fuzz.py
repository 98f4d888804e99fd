"""Schemathesis over the published OpenAPI: no generated input may cause a 5xx."""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
import schemathesis
from api_fixtures import api_settings
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error

from trustwatch.api.app import create_app

_DATA_DIR = Path(tempfile.mkdtemp(prefix="trustwatch-fuzz-"))
APP = create_app(api_settings(_DATA_DIR))
_, _KEY = APP.state.service.store.create_api_key("fuzz", ["admin"])
schema = schemathesis.openapi.from_asgi("/openapi.json", APP)


@pytest.fixture(scope="module", autouse=True)
def _running_service() -> Iterator[None]:
    APP.state.service.start()
    yield
    APP.state.service.stop()


@schema.parametrize()
@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    derandomize=True,
)
def test_no_generated_request_causes_a_server_error(case: schemathesis.Case) -> None:
    case.call_and_validate(headers={"X-API-Key": _KEY}, checks=[not_a_server_error])
