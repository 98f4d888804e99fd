"""MLflow tracking: a training run lands in a SQLite backend store with its params,
metrics, card and artifact hash."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from click.testing import CliRunner

pytest.importorskip("mlflow")

from trustwatch.cli import main
from trustwatch.errors import ConfigError
from trustwatch.ml import tracking
from trustwatch.ml.registry import Registry


def test_the_flag_wins_over_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(tracking.ENV, raising=False)
    assert tracking.resolve_uri(None) is None
    monkeypatch.setenv(tracking.ENV, "sqlite:///env.db")
    assert tracking.resolve_uri(None) == "sqlite:///env.db"
    assert tracking.resolve_uri("sqlite:///flag.db") == "sqlite:///flag.db"


def test_artifact_digest_changes_with_any_file_hash() -> None:
    a = tracking.artifact_digest({"model.json": "aa", "card.json": "bb"})
    assert a == tracking.artifact_digest({"card.json": "bb", "model.json": "aa"})
    assert a != tracking.artifact_digest({"model.json": "ab", "card.json": "bb"})


@pytest.mark.slow
@pytest.mark.data
def test_train_with_mlflow_writes_the_run_to_the_sqlite_store(tmp_path: Path) -> None:
    db = tmp_path / "mlflow.db"
    models = tmp_path / "models"
    uri = f"sqlite:///{db}"
    result = CliRunner().invoke(
        main,
        ["train", "sms_spam", "--limit", "150", "--models-dir", str(models), "--mlflow", uri],
    )
    assert result.exit_code == 0, result.output
    entry = Registry(models).get("sms_spam@1")

    with sqlite3.connect(db) as con:
        runs = con.execute("SELECT run_uuid, name, status FROM runs").fetchall()
        assert [(r[1], r[2]) for r in runs] == [("sms_spam@1", "FINISHED")]
        run_id = runs[0][0]
        params = dict(con.execute("SELECT key, value FROM params WHERE run_uuid = ?", (run_id,)))
        metrics = dict(con.execute("SELECT key, value FROM metrics WHERE run_uuid = ?", (run_id,)))
        tags = dict(con.execute("SELECT key, value FROM tags WHERE run_uuid = ?", (run_id,)))
    assert params["model"] == "sms_spam"
    assert params["limit"] == "150"
    assert params["config.C"] == str(entry.card["config"]["C"])
    assert metrics["oof_f1_at_0.5"] == pytest.approx(entry.card["metrics"]["oof_f1@0.5"])
    assert metrics["threshold.precision_95.threshold"] == pytest.approx(
        entry.card["thresholds"]["precision_95"]["threshold"]
    )
    assert tags["trustwatch.artifact_sha256"] == tracking.artifact_digest(entry.card["hashes"])
    assert tags["trustwatch.sha256.linear.json.gz"] == entry.card["hashes"]["linear.json.gz"]

    from mlflow.tracking import MlflowClient

    client = MlflowClient(tracking_uri=uri)
    card = client.download_artifacts(run_id, "card.json", str(tmp_path))
    assert '"sms_spam"' in Path(card).read_text(encoding="utf-8")
    assert Path(card).resolve() != (tmp_path / "mlruns").resolve()
    assert (tmp_path / "mlflow-artifacts").is_dir()


def test_a_store_that_cannot_be_opened_is_a_config_error_naming_it(tmp_path: Path) -> None:
    from trustwatch.ml.registry import ModelEntry

    (tmp_path / "blocker").write_text("a file where the store's folder should be")
    uri = f"sqlite:///{tmp_path}/blocker/mlflow.db"
    entry = ModelEntry("m", 1, tmp_path, {"name": "m", "version": 1, "hashes": {}})
    with pytest.raises(ConfigError, match=r"MLflow tracking store .*blocker.* m@1 is registered"):
        tracking.log_training(entry, uri)
