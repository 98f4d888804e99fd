"""POST /v1/check answered by the middleware's direct route: the same answers, errors,
headers and metrics as any routed endpoint."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from api_fixtures import api_settings, message
from fastapi import FastAPI
from fastapi.testclient import TestClient
from prometheus_client import REGISTRY

from trustwatch.api.app import create_app
from trustwatch.api.problems import install_problem_handlers
from trustwatch.api.routes import decisions
from trustwatch.api.service import CheckResponse, check_response
from trustwatch.enforcement import actions_for
from trustwatch.events import Event, parse_event
from trustwatch.verdicts import Verdict

Keys = Callable[..., dict[str, str]]


def _count(route: str, status: str) -> float:
    value = REGISTRY.get_sample_value(
        "trustwatch_http_request_seconds_count",
        {"route": route, "method": "POST", "status": status},
    )
    return value or 0.0


def test_check_carries_request_id_and_is_counted_under_its_route(
    client: TestClient, key_for: Keys
) -> None:
    before = _count("/v1/check", "200")
    r = client.post(
        "/v1/check",
        json=message("evt_h1", "hello"),
        headers={**key_for("check"), "X-Request-ID": "req-hot"},
    )
    assert r.status_code == 200 and r.headers["content-type"] == "application/json"
    assert r.headers["x-request-id"] == "req-hot"
    assert int(r.headers["content-length"]) == len(r.content)
    assert _count("/v1/check", "200") == before + 1


def test_a_body_sent_in_chunks_is_read_whole(client: TestClient, key_for: Keys) -> None:
    raw = json.dumps(message("evt_chunks", "click here to win")).encode()

    def chunks() -> Iterator[bytes]:
        for i in range(0, len(raw), 16):
            yield raw[i : i + 16]

    r = client.post(
        "/v1/check",
        content=chunks(),
        headers={**key_for("check"), "content-type": "application/json"},
    )
    assert r.status_code == 200 and r.json()["action"] == "block"


def test_chunked_body_over_the_limit_is_a_413_problem(tmp_path: Path) -> None:
    app = create_app(api_settings(tmp_path, max_request_bytes=500))
    with TestClient(app) as client:
        _, key = app.state.service.store.create_api_key("k", ["check"])
        raw = json.dumps(message("evt_big", "x" * 2000)).encode()
        r = client.post(
            "/v1/check",
            content=iter([raw[:400], raw[400:]]),
            headers={"X-API-Key": key, "content-type": "application/json"},
        )
        assert r.status_code == 413
        assert r.headers["content-type"].startswith("application/problem+json")


def test_check_rate_limit_is_a_429_problem(tmp_path: Path) -> None:
    app = create_app(api_settings(tmp_path, rate_limit_burst=2))
    with TestClient(app) as client:
        _, key = app.state.service.store.create_api_key("slow", ["check"], rate_limit_per_s=0.5)
        statuses = [
            client.post(
                "/v1/check", json=message(f"evt_rl{i}", "hi"), headers={"X-API-Key": key}
            ).status_code
            for i in range(3)
        ]
        assert statuses == [200, 200, 429]


def test_an_unexpected_error_is_a_500_problem_and_counted(
    app: FastAPI, key_for: Keys, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(event: Event) -> Verdict:
        raise RuntimeError("detector crashed")

    with TestClient(app, raise_server_exceptions=False) as client:
        headers = key_for("check")
        monkeypatch.setattr(app.state.service.live.engine, "evaluate", broken)
        before = _count("/v1/check", "500")
        r = client.post("/v1/check", json=message("evt_boom", "hi"), headers=headers)
        assert r.status_code == 500
        assert r.headers["content-type"].startswith("application/problem+json")
        assert r.json()["type"].endswith("/internal") and "x-request-id" in r.headers
        assert _count("/v1/check", "500") == before + 1


def test_the_routed_endpoint_answers_like_the_direct_one(
    app: FastAPI, client: TestClient, key_for: Keys
) -> None:
    """Where the routers are mounted without the middleware, the route still decides."""
    headers = key_for("check")
    event = message("evt_twice", "click here to win")
    direct: dict[str, Any] = client.post("/v1/check", json=event, headers=headers).json()
    bare = FastAPI()
    bare.state.service = app.state.service
    install_problem_handlers(bare)
    bare.include_router(decisions.router)
    with TestClient(bare) as routed_client:
        routed = routed_client.post("/v1/check", json=event, headers=headers)
        assert routed.status_code == 200 and routed.json() == direct
        missing = routed_client.post("/v1/check", json=event)
        assert missing.status_code == 401


def test_the_reply_is_the_check_response_model_serialised(
    app: FastAPI, client: TestClient, key_for: Keys
) -> None:
    """The reply is built around the verdict's stored JSON; it must equal the model's."""
    headers = key_for("check")
    for event in (message("evt_m1", "click here to win"), message("evt_m2", "hello")):
        raw = client.post("/v1/check", json=event, headers=headers).content
        reply = CheckResponse.model_validate_json(raw)
        assert raw == reply.model_dump_json().encode()
        stored = app.state.service.store.get_verdict(event["id"])
        assert stored is not None
        actions = actions_for(parse_event(event), stored)
        assert check_response(stored.model_dump_json(), actions) == raw
