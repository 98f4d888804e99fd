"""The service's CLI commands: keys and demo."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from trustwatch.cli import main
from trustwatch.settings import Settings
from trustwatch.store.sql import SqlStore, hash_api_key


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("TRUSTWATCH_DATA_DIR", str(tmp_path))
    return tmp_path


def test_keys_create_prints_the_key_on_its_last_line(data_dir: Path) -> None:
    result = CliRunner().invoke(main, ["keys", "create", "--name", "web", "--scopes", "check,read"])
    assert result.exit_code == 0, result.output
    key = result.output.strip().splitlines()[-1]
    store = SqlStore(Settings(data_dir=data_dir).store_url)
    found = store.find_api_key(hash_api_key(key))
    assert found is not None and found.scopes == {"check", "read"}
    listed = CliRunner().invoke(main, ["keys", "list"])
    assert f"{found.id}  web  check,read  live" in listed.output
    assert key not in listed.output
    revoked = CliRunner().invoke(main, ["keys", "revoke", found.id])
    assert revoked.exit_code == 0 and store.find_api_key(hash_api_key(key)) is None
    store.close()


def test_keys_create_refuses_an_unknown_scope(data_dir: Path) -> None:
    result = CliRunner().invoke(main, ["keys", "create", "--name", "x", "--scopes", "root"])
    assert result.exit_code == 2
    assert "choose from check, ingest, read, admin" in result.output


def test_demo_feeds_a_local_server_and_summarises(data_dir: Path) -> None:
    result = CliRunner().invoke(
        main, ["demo", "--local", "-n", "40", "--rate", "1000", "--async-share", "0.25", "-q"]
    )
    assert result.exit_code == 0, result.output
    assert "sent 40 synthetic events" in result.output
    decided = next(line for line in result.output.splitlines() if line.startswith("worker:"))
    done, sent = decided.split()[1].split("/")
    assert done == sent and int(sent) > 0
