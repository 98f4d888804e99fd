"""The HTTP API through TestClient: decisions, auth, limits, packs, audit, operations."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from api_fixtures import PACK_V1, PACK_V2, api_settings, listing, message
from fastapi import FastAPI
from fastapi.testclient import TestClient

from trustwatch.api.app import create_app

Keys = Callable[..., dict[str, str]]
PROBLEM = "application/problem+json"


def _problem(response: Any, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith(PROBLEM)
    body: dict[str, Any] = response.json()
    assert body["status"] == status and body["detail"]
    return body


def test_check_returns_verdict_and_enforcement_and_stores_it(
    client: TestClient, key_for: Keys
) -> None:
    headers = key_for("check", "read")
    r = client.post("/v1/check", json=message("evt_1", "click here to win"), headers=headers)
    assert r.status_code == 200
    verdict = r.json()
    assert (verdict["event_id"], verdict["action"]) == ("evt_1", "block")
    assert verdict["pack_version"] == "testpack@1"
    assert verdict["enforcement"][0]["operation"] == "block_message"
    stored = client.get("/v1/verdicts/evt_1", headers=headers).json()
    assert stored["action"] == "block" and stored["policies"] == verdict["policies"]


def test_check_is_idempotent_by_event_id(client: TestClient, key_for: Keys) -> None:
    headers = key_for("check")
    first = client.post("/v1/check", json=message("evt_2", "click here to win"), headers=headers)
    again = client.post("/v1/check", json=message("evt_2", "hello there"), headers=headers)
    assert again.status_code == 200
    assert again.json()["action"] == first.json()["action"] == "block"


def test_user_report_is_checked_and_lands_in_the_listing_history(
    client: TestClient, key_for: Keys
) -> None:
    headers = key_for("check", "read")
    client.post("/v1/check", json=listing("evt_l", "l_7", "vintage jacket"), headers=headers)
    report = {
        "id": "evt_r",
        "type": "report.filed",
        "occurred_at": "2026-11-02T11:00:00Z",
        "actor": {"id": "u_reporter"},
        "report": {
            "id": "r_1",
            "target_type": "listing",
            "target_id": "l_7",
            "text": "seller says click here to win",
        },
    }
    r = client.post("/v1/check", json=report, headers=headers)
    assert r.status_code == 200 and r.json()["action"] == "block"
    history = client.get("/v1/entities/listing/l_7/history", headers=headers).json()
    assert {v["event_id"] for v in history["verdicts"]} == {"evt_l", "evt_r"}
    assert [a["operation"] for a in history["actions"]] == ["queue_for_review"]


def test_user_history_has_their_verdicts_and_actions(client: TestClient, key_for: Keys) -> None:
    headers = key_for("check", "read")
    client.post(
        "/v1/check", json=message("evt_u1", "click here to win", actor="u_9"), headers=headers
    )
    client.post("/v1/check", json=message("evt_u2", "hello", actor="u_9"), headers=headers)
    history = client.get("/v1/entities/user/u_9/history", headers=headers).json()
    assert {v["event_id"] for v in history["verdicts"]} == {"evt_u1", "evt_u2"}
    assert [a["event_id"] for a in history["actions"]] == ["evt_u1"]
    bad_kind = client.get("/v1/entities/planet/x/history", headers=headers)
    assert _problem(bad_kind, 422)["errors"][0]["location"] == "path.kind"


def test_invalid_event_is_a_problem_naming_the_field(client: TestClient, key_for: Keys) -> None:
    headers = key_for("check")
    body = message("evt_bad", "hi")
    del body["message"]["text"]
    problem = _problem(client.post("/v1/check", json=body, headers=headers), 422)
    assert problem["type"].endswith("/invalid-event")
    assert "message.text" in problem["detail"]
    not_json = client.post("/v1/check", content=b"{nope", headers=headers)
    assert "not valid JSON" in _problem(not_json, 422)["detail"]


def test_missing_unknown_and_underscoped_keys_are_refused(
    client: TestClient, key_for: Keys
) -> None:
    event = message("evt_a", "hi")
    assert "Authorization: Bearer" in _problem(client.post("/v1/check", json=event), 401)["detail"]
    unknown = client.post("/v1/check", json=event, headers={"X-API-Key": "tw_nope_nope"})
    assert "trustwatch keys create" in _problem(unknown, 401)["detail"]
    reader = key_for("read")
    assert (
        "`check` scope"
        in _problem(client.post("/v1/check", json=event, headers=reader), 403)["detail"]
    )
    assert client.post("/v1/check", json=event, headers=key_for("admin")).status_code == 200


def test_revoked_key_stops_working_once_the_cache_expires(tmp_path: Path) -> None:
    app = create_app(api_settings(tmp_path, key_cache_ttl_s=0))
    with TestClient(app) as client:
        record, key = app.state.service.store.create_api_key("gone", ["read"])
        headers = {"X-API-Key": key}
        assert client.get("/v1/packs", headers=headers).status_code == 200
        app.state.service.store.revoke_api_key(record.id)
        _problem(client.get("/v1/packs", headers=headers), 401)


def test_rate_limit_answers_429_with_retry_after(tmp_path: Path) -> None:
    app = create_app(api_settings(tmp_path, rate_limit_burst=3))
    with TestClient(app) as client:
        _, key = app.state.service.store.create_api_key("slow", ["read"], rate_limit_per_s=0.5)
        headers = {"X-API-Key": key}
        statuses = [client.get("/v1/packs", headers=headers).status_code for _ in range(4)]
        assert statuses == [200, 200, 200, 429]
        limited = client.get("/v1/packs", headers=headers)
        assert int(limited.headers["retry-after"]) >= 1
        assert "limited to 0.5 requests/s" in _problem(limited, 429)["detail"]


def test_request_larger_than_the_limit_is_refused(tmp_path: Path) -> None:
    app = create_app(api_settings(tmp_path, max_request_bytes=1000))
    with TestClient(app) as client:
        _, key = app.state.service.store.create_api_key("k", ["check"])
        big = message("evt_big", "x" * 2000)
        r = client.post("/v1/check", json=big, headers={"X-API-Key": key})
        assert "larger than 1000 bytes" in _problem(r, 413)["detail"]


def test_events_batch_is_accepted_and_decided_by_the_embedded_worker(tmp_path: Path) -> None:
    app = create_app(api_settings(tmp_path), embedded_worker=True)
    with TestClient(app) as client:
        _, key = app.state.service.store.create_api_key("ingest", ["ingest", "read"])
        headers = {"X-API-Key": key}
        batch = [message("evt_q1", "click here to win"), message("evt_q2", "hello")]
        r = client.post("/v1/events", json={"events": batch}, headers=headers)
        assert r.status_code == 202 and r.json() == {"accepted": 2, "ids": ["evt_q1", "evt_q2"]}
        deadline = time.monotonic() + 20
        found = client.get("/v1/verdicts/evt_q1", headers=headers)
        while found.status_code == 404 and time.monotonic() < deadline:
            time.sleep(0.05)
            found = client.get("/v1/verdicts/evt_q1", headers=headers)
        assert found.status_code == 200 and found.json()["action"] == "block"
        metrics = client.get("/metrics").text
        assert "trustwatch_stream_consumer_lag{" in metrics
        assert 'trustwatch_detector_calls_total{detector="phrase_list",entry="worker"}' in metrics


def test_events_batch_with_an_invalid_event_accepts_nothing(
    app: FastAPI, client: TestClient, key_for: Keys
) -> None:
    headers = key_for("ingest")
    batch = [message("evt_ok", "hi"), {"id": "evt_broken", "type": "message.sent"}]
    problem = _problem(client.post("/v1/events", json=batch, headers=headers), 422)
    assert problem["errors"][0]["index"] == 1
    bus = app.state.service.open_bus()
    assert bus.read_all(bus.topics.events) == []
    one = client.post("/v1/events", json=message("evt_one", "hi"), headers=headers)
    assert one.status_code == 202
    assert len(bus.read_all(bus.topics.events)) == 1


def test_verdict_of_an_unknown_event_is_a_404_problem(client: TestClient, key_for: Keys) -> None:
    _problem(client.get("/v1/verdicts/evt_never", headers=key_for("read")), 404)


def test_pack_validation_reports_line_and_field(client: TestClient, key_for: Keys) -> None:
    headers = key_for("read")
    ok = client.post("/v1/packs/validate", json={"yaml": PACK_V2}, headers=headers)
    assert ok.json() == {"valid": True, "ref": "testpack@2", "policies": ["spam", "zebra"]}
    broken = PACK_V1.replace("action: review", "action: shout")
    problem = _problem(
        client.post(
            "/v1/packs/validate",
            content=broken.encode(),
            headers={**headers, "content-type": "application/yaml"},
        ),
        422,
    )
    error = problem["errors"][0]
    assert error["file"] == "pack.yaml" and error["line"] == 13
    assert error["field"].startswith("policies.spam.actions")


def test_uploaded_pack_runs_in_shadow_until_promoted(
    client: TestClient, key_for: Keys, admin: dict[str, str]
) -> None:
    checker = key_for("check", "read")
    uploaded = client.post("/v1/packs", json={"yaml": PACK_V2}, headers=admin)
    assert uploaded.status_code == 201 and uploaded.json()["status"] == "shadow"
    before = client.post("/v1/check", json=message("evt_z1", "zebra crossing"), headers=checker)
    assert before.json()["action"] == "allow"
    deadline = time.monotonic() + 10
    shadow: list[dict[str, Any]] = []
    while not shadow and time.monotonic() < deadline:
        shadow = client.get("/v1/verdicts/evt_z1", headers=checker).json()["shadow"]
    assert shadow[0]["pack_version"] == "testpack@2"
    zebra = next(p for p in shadow[0]["policies"] if p["policy"] == "zebra")
    assert (zebra["action"], zebra["mode"]) == ("block", "shadow")

    promoted = client.post("/v1/packs/testpack/versions/2/promote", headers=admin)
    assert promoted.status_code == 200 and promoted.json()["status"] == "live"
    after = client.post("/v1/check", json=message("evt_z2", "zebra crossing"), headers=checker)
    assert (after.json()["action"], after.json()["pack_version"]) == ("block", "testpack@2")
    listed = client.get("/v1/packs", headers=checker).json()
    assert listed["live"] == {"ref": "testpack@2", "origin": "uploaded"}

    audit = client.get("/v1/audit", headers=admin).json()["entries"]
    assert [e["action"] for e in audit][-2:] == ["pack.uploaded", "pack.promoted"]
    assert client.get("/v1/audit/verify", headers=admin).json()["ok"] is True


def test_pack_upload_conflicts_and_scope(
    client: TestClient, key_for: Keys, admin: dict[str, str]
) -> None:
    same_as_live = client.post("/v1/packs", json={"yaml": PACK_V1}, headers=admin)
    assert "not newer" in _problem(same_as_live, 409)["detail"]
    assert client.post("/v1/packs", json={"yaml": PACK_V2}, headers=admin).status_code == 201
    _problem(client.post("/v1/packs", json={"yaml": PACK_V2}, headers=admin), 409)
    reader = key_for("read")
    _problem(client.post("/v1/packs/testpack/versions/2/promote", headers=reader), 403)
    _problem(client.post("/v1/packs/testpack/versions/9/promote", headers=admin), 404)
    got = client.get("/v1/packs/testpack/versions/2", headers=reader).json()
    assert got["yaml"] == PACK_V2 and got["status"] == "shadow"


def test_promoted_pack_is_live_after_a_restart(tmp_path: Path) -> None:
    settings = api_settings(tmp_path)
    app = create_app(settings)
    with TestClient(app) as client:
        _, key = app.state.service.store.create_api_key("a", ["admin"])
        headers = {"X-API-Key": key}
        client.post("/v1/packs", json={"yaml": PACK_V2}, headers=headers)
        client.post("/v1/packs/testpack/versions/2/promote", headers=headers)
    restarted = create_app(settings)
    assert restarted.state.service.live.ref == "testpack@2"


def test_operations_endpoints(client: TestClient, key_for: Keys) -> None:
    assert client.get("/healthz").json() == {"status": "ok"}
    ready = client.get("/readyz").json()
    assert ready["ready"] is True and ready["checks"]["pack"] == "testpack@1"
    client.post("/v1/check", json=message("evt_m", "click here to win"), headers=key_for("check"))
    metrics = client.get("/metrics").text
    assert 'trustwatch_http_request_seconds_count{method="POST",route="/v1/check"' in metrics
    assert 'trustwatch_enforcement_actions_total{action="block",policy="spam"}' in metrics
    assert 'trustwatch_detector_seconds_total{detector="phrase_list",entry="api"}' in metrics
    schema = client.get("/v1/schemas/message.sent").json()
    assert schema["properties"]["type"]["const"] == "message.sent"
    assert "message.sent" in _problem(client.get("/v1/schemas/nope"), 404)["detail"]
    assert client.get("/v1/schemas").json()["types"][0] == "message.sent"


def test_openapi_documents_the_event_body(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    body = spec["paths"]["/v1/check"]["post"]["requestBody"]["content"]["application/json"]
    assert body["schema"] == {"$ref": "#/components/schemas/Event"}
    assert "Actor" in spec["components"]["schemas"]


def test_every_response_carries_a_request_id(client: TestClient) -> None:
    r = client.get("/healthz", headers={"X-Request-ID": "req-123"})
    assert r.headers["x-request-id"] == "req-123"
    assert len(client.get("/nowhere").headers["x-request-id"]) == 32


def test_logs_never_carry_message_text(
    client: TestClient, key_for: Keys, caplog: pytest.LogCaptureFixture
) -> None:
    secret = "my bank is 12345678 click here to win"
    with caplog.at_level(logging.DEBUG):
        client.post("/v1/check", json=message("evt_log", secret), headers=key_for("check"))
    assert any(r.name == "trustwatch.access" for r in caplog.records)
    assert all(secret not in str(r.__dict__) for r in caplog.records)


def test_a_stored_shadow_pack_that_no_longer_loads_does_not_stop_the_service(
    tmp_path: Path,
) -> None:
    settings = api_settings(tmp_path)
    first = create_app(settings)
    broken = PACK_V2.replace("use: phrase_list", "use: detector_that_was_removed")
    first.state.service.store.add_pack_version("testpack", 2, broken, actor="test")
    app = create_app(settings)
    assert app.state.service.live.ref == "testpack@1"
    assert app.state.service.writer.shadow_engines == ()


def test_message_text_is_logged_only_when_configured(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    app = create_app(api_settings(tmp_path, log_message_text=True))
    with TestClient(app) as client:
        _, key = app.state.service.store.create_api_key("k", ["check"])
        with caplog.at_level(logging.INFO):
            client.post(
                "/v1/check", json=message("evt_t", "meet me at noon"), headers={"X-API-Key": key}
            )
    verdicts = [r for r in caplog.records if r.getMessage() == "verdict"]
    assert getattr(verdicts[0], "message.text") == "meet me at noon"
