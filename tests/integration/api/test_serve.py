"""``trustwatch serve`` as a real process, keys from the real CLI; the API on PostgreSQL."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, text

from trustwatch.api.app import create_app
from trustwatch.settings import Settings

TRUSTWATCH = [str(Path(sys.executable).parent / "trustwatch")]


def _event(event_id: str, text_: str, actor: str = "u_1") -> dict[str, Any]:
    return {
        "id": event_id,
        "type": "message.sent",
        "occurred_at": "2026-11-02T10:15:00Z",
        "actor": {"id": actor},
        "message": {"id": f"m_{event_id}", "text": text_},
    }


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[str, dict[str, str]]]:
    env = {**os.environ, "TRUSTWATCH_DATA_DIR": str(tmp_path)}
    env.pop("TRUSTWATCH_APP_EXTENSIONS", None)
    port = _free_port()
    proc = subprocess.Popen(
        [*TRUSTWATCH, "serve", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{base}/readyz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.1)
        created = subprocess.run(
            [*TRUSTWATCH, "keys", "create", "--name", "itest", "--scopes", "check,ingest,read"],
            env=env,
            capture_output=True,
            text=True,
            check=True,
        )
        key = created.stdout.strip().splitlines()[-1]
        yield base, {"Authorization": f"Bearer {key}"}
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=30)
        finally:
            if proc.poll() is None:
                proc.kill()
    assert proc.returncode == 0
    assert (tmp_path / "bootstrap.key").stat().st_mode & 0o077 == 0


def test_serve_checks_and_its_worker_decides_queued_events(
    served: tuple[str, dict[str, str]],
) -> None:
    base, headers = served
    with httpx.Client(base_url=base, headers=headers, timeout=10) as client:
        checked = client.post("/v1/check", json=_event("evt_s1", "hello, is this available?"))
        assert checked.status_code == 200 and checked.json()["event_id"] == "evt_s1"
        queued = client.post("/v1/events", json=[_event("evt_s2", "hi"), _event("evt_s3", "yo")])
        assert queued.status_code == 202
        deadline = time.monotonic() + 30
        missing = ["evt_s2", "evt_s3"]
        while missing and time.monotonic() < deadline:
            missing = [i for i in missing if client.get(f"/v1/verdicts/{i}").status_code != 200]
            time.sleep(0.1)
        assert missing == []
        assert "trustwatch_http_request_seconds" in client.get("/metrics").text
        # The shipped extensions (the review console) are mounted by a plain `serve`.
        assert client.get("/console/login").status_code == 200


@pytest.mark.postgres
def test_api_on_postgres(tmp_path: Path) -> None:
    name = f"tw_api_{uuid.uuid4().hex[:12]}"
    admin = create_engine(
        "postgresql+psycopg://postgres@127.0.0.1:5432/test", isolation_level="AUTOCOMMIT"
    )
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        settings = Settings(
            data_dir=tmp_path,
            database_url=f"postgresql+psycopg://postgres@127.0.0.1:5432/{name}",
            app_extensions=[],
        )
        app = create_app(settings)
        with TestClient(app) as client:
            _, key = app.state.service.store.create_api_key("pg", ["check", "read"])
            headers = {"X-API-Key": key}
            for _ in range(2):
                r = client.post("/v1/check", json=_event("evt_pg", "hello"), headers=headers)
                assert r.status_code == 200
            history = client.get("/v1/entities/user/u_1/history", headers=headers).json()
            assert [v["event_id"] for v in history["verdicts"]] == ["evt_pg"]
        app.state.service.store.close()
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
