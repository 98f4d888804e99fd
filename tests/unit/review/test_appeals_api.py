from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import event

from trustwatch.api.app import create_app
from trustwatch.review.domain import DecisionInput, Outcome, Role
from trustwatch.settings import Settings
from trustwatch.verdicts import Action

PASSWORD = "correct horse battery staple"
EVENT = {
    "id": "evt_1",
    "type": "message.sent",
    "occurred_at": "2026-11-02T10:15:00Z",
    "actor": {"id": "u_1"},
    "message": {"id": "m_1", "text": "cheaper if you pay direct, my paypal is paypal.me/janedoe"},
}


@pytest.fixture
def app(tmp_path: Path) -> Iterator[Any]:
    application = create_app(Settings(data_dir=tmp_path))
    with TestClient(application):
        yield application


def _key(app: Any, *scopes: str) -> dict[str, str]:
    _, key = app.state.service.store.create_api_key("marketplace", list(scopes))
    return {"Authorization": f"Bearer {key}"}


def test_the_marketplace_appeal_reopens_the_decided_case_for_another_reviewer(app: Any) -> None:
    client = TestClient(app)
    headers = _key(app, "check", "ingest")
    assert client.post("/v1/check", json=EVENT, headers=headers).json()["action"] == "hold"
    review = app.state.review
    review.sync_cases()
    review.create_user(None, "mo", Role.MODERATOR, PASSWORD)
    mo = review.authenticate("mo", PASSWORD)
    case_id = review.claim_next(mo)
    review.decide(mo, case_id, DecisionInput(Outcome.VIOLATION, Action.BLOCK, "payment handle"))

    response = client.post(
        "/v1/appeals",
        json={"event_id": "evt_1", "reason": "that is my shop's account", "filed_by": "u_1"},
        headers=headers,
    )
    assert response.status_code == 202
    assert response.json() == {"case_id": case_id, "status": "open"}
    [case] = review.queue(mo)
    assert (case.id, case.appeal, case.excluded_reviewer) == (case_id, True, "mo")
    [entry] = [e for e in app.state.service.store.audit_entries() if "appeal" in e.action]
    assert entry.actor.startswith("api_key:") and entry.details["filed_by"] == "u_1"

    again = client.post(
        "/v1/appeals",
        json={"event_id": "evt_1", "reason": "again", "filed_by": "u_1"},
        headers=headers,
    )
    assert again.status_code == 404


def test_an_appeal_needs_the_ingest_scope_and_a_decided_case(app: Any) -> None:
    client = TestClient(app)
    body = {"event_id": "evt_none", "reason": "why", "filed_by": "u_1"}
    assert client.post("/v1/appeals", json=body, headers=_key(app, "read")).status_code == 403
    missing = client.post("/v1/appeals", json=body, headers=_key(app, "ingest"))
    assert missing.status_code == 404
    assert "no decided case holds event 'evt_none'" in missing.json()["detail"]


def test_in_the_served_app_case_links_are_written_by_the_verdict_writer(app: Any) -> None:
    """Between its group commits, so no link transaction holds the lock a commit waits on."""
    client = TestClient(app)
    headers = _key(app, "check")
    writes: list[str] = []

    def on_begin(conn: Any) -> None:
        if conn.get_execution_options().get("tw_write"):
            writes.append(threading.current_thread().name)

    event.listen(app.state.service.store.engine, "begin", on_begin)
    assert client.post("/v1/check", json=EVENT, headers=headers).json()["action"] == "hold"
    review = app.state.review
    review.sync_cases()  # the background sync may have linked it already
    review.create_user(None, "mo", Role.MODERATOR, PASSWORD)
    event.remove(app.state.service.store.engine, "begin", on_begin)
    mo = review.authenticate("mo", PASSWORD)
    assert [c.entity.id for c in review.queue(mo)] == ["u_1"]
    # The verdict's group commit and the case's links; the user was created after.
    assert writes[:2] == ["verdict-writer", "verdict-writer"]
    assert set(writes[:-1]) == {"verdict-writer"}
