"""Optional MLflow tracking of ``trustwatch train`` runs (the ``tracking`` extra).

The registry stays the source of truth for what is served; MLflow is the ML scientist's
log of runs to compare and search: each registered version becomes one run with its
config as params, its card's metrics and thresholds as metrics, the card itself as an
artifact and the content hashes as tags. A ``sqlite:///path/mlflow.db`` URI keeps the
backend store in one file, with run artifacts in ``mlflow-artifacts/`` beside it.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import time
from pathlib import Path
from typing import Any

from trustwatch.errors import ConfigError
from trustwatch.ml.registry import ModelEntry

ENV = "TRUSTWATCH_MLFLOW_URI"
EXPERIMENT = "trustwatch"
_UNSAFE = re.compile(r"[^A-Za-z0-9_\-. /]")


def resolve_uri(uri: str | None) -> str | None:
    """The tracking URI asked for (``--mlflow``), else ``TRUSTWATCH_MLFLOW_URI``, else None."""
    return uri or os.environ.get(ENV) or None


def _key(name: str) -> str:
    # MLflow keys allow letters, digits, _ - . space and /; card keys use "@" (oof_f1@0.5).
    return _UNSAFE.sub("_", name.replace("@", "_at_"))


def _numbers(prefix: str, value: Any) -> dict[str, float]:
    """Numeric leaves of a (nested) card section, with dotted keys."""
    if isinstance(value, bool):
        return {}
    if isinstance(value, int | float):
        return {} if value != value else {_key(prefix): float(value)}  # NaN is not logged
    if isinstance(value, dict):
        out: dict[str, float] = {}
        for k, v in value.items():
            out.update(_numbers(f"{prefix}.{k}" if prefix else str(k), v))
        return out
    return {}


def _params(card: dict[str, Any]) -> dict[str, str]:
    params = {
        "model": card["name"],
        "version": str(card["version"]),
        "family": str(card.get("family")),
        "policy": str(card.get("policy")),
        "limit": str(card.get("limit")),
    }
    if card.get("variant"):
        params["variant"] = str(card["variant"])
    for k, v in card.get("config", {}).items():
        params[_key(f"config.{k}")] = json.dumps(v) if not isinstance(v, str) else v
    for ds in card.get("data", []):
        params[_key(f"data.{ds['name']}")] = json.dumps(ds.get("counts", {}), sort_keys=True)
    return {k: v[:6000] for k, v in params.items()}


def artifact_digest(hashes: dict[str, str]) -> str:
    """One sha256 over the card's per-file hashes: names the whole artifact."""
    text = "\n".join(f"{name} {digest}" for name, digest in sorted(hashes.items()))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _artifact_root(uri: str) -> str | None:
    if not uri.startswith("sqlite:///"):
        return None
    db = Path(uri[len("sqlite:///") :]).resolve()
    return (db.parent / "mlflow-artifacts").as_uri()


def log_training(entry: ModelEntry, uri: str, experiment: str = EXPERIMENT) -> str:
    """Record one registered model version as a finished MLflow run; returns the run id."""
    try:
        from mlflow.entities import Metric, Param, RunTag
        from mlflow.tracking import MlflowClient
    except ImportError as exc:
        raise ConfigError(
            "MLflow tracking needs the tracking extra: pip install -e '.[tracking]'"
        ) from exc
    from mlflow.exceptions import MlflowException

    card = entry.card
    try:
        client = MlflowClient(tracking_uri=uri)
        found = client.get_experiment_by_name(experiment)
        experiment_id = (
            found.experiment_id
            if found is not None
            else client.create_experiment(experiment, artifact_location=_artifact_root(uri))
        )
    except (MlflowException, OSError) as exc:
        raise ConfigError(
            f"MLflow tracking store {uri} cannot be opened ({exc}); "
            f"{entry.ref} is registered but not tracked"
        ) from exc
    hashes: dict[str, str] = card.get("hashes", {})
    tags = {
        "trustwatch.model_ref": entry.ref,
        "trustwatch.artifact_sha256": artifact_digest(hashes),
        "trustwatch.synthetic": str(bool(card.get("synthetic"))).lower(),
        **{_key(f"trustwatch.sha256.{name}"): digest for name, digest in hashes.items()},
    }
    run = client.create_run(experiment_id, run_name=entry.ref, tags=tags)
    run_id: str = run.info.run_id
    metrics = {
        **_numbers("", card.get("metrics", {})),
        **_numbers("threshold", card.get("thresholds", {})),
    }
    if card.get("train_seconds") is not None:
        metrics["train_seconds"] = float(card["train_seconds"])
    now = int(time.time() * 1000)
    client.log_batch(
        run_id,
        metrics=[Metric(k, v, now, 0) for k, v in sorted(metrics.items())],
        params=[Param(k, v) for k, v in sorted(_params(card).items())],
        tags=[RunTag("mlflow.note.content", card.get("description", ""))],
    )
    client.log_dict(run_id, card, "card.json")
    client.set_terminated(run_id)
    return run_id
