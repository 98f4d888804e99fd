from __future__ import annotations

from click.testing import CliRunner

from trustwatch.cli import main
from trustwatch.ml.registry import Registry
from trustwatch.ml.training import TrainResult


def test_models_list_show_and_promote(tiny_registry: tuple[Registry, TrainResult]) -> None:
    reg, result = tiny_registry
    runner = CliRunner()
    base = ["--models-dir", str(reg.base)]
    listed = runner.invoke(main, ["models", "list", *base])
    assert listed.exit_code == 0, listed.output
    assert result.entry.ref in listed.output
    shown = runner.invoke(main, ["models", "show", result.entry.ref, *base])
    assert shown.exit_code == 0
    assert '"family": "linear"' in shown.output
    promoted = runner.invoke(main, ["models", "promote", result.entry.ref, *base])
    assert promoted.exit_code == 0
    assert reg.get("sms_spam@promoted").version == result.entry.version
    again = runner.invoke(main, ["models", "list", *base])
    assert f"* {result.entry.ref}" in again.output


def test_train_card_records_data_thresholds_and_hashes(
    tiny_registry: tuple[Registry, TrainResult],
) -> None:
    _, result = tiny_registry
    card = result.entry.card
    assert {d["name"] for d in card["data"]} >= {"sms_spam_uci", "sms_phishing_mendeley"}
    assert all(d["splits"] == ["train", "val"] for d in card["data"])
    assert set(card["thresholds"]) == {"precision_95", "precision_99", "best_f1"}
    assert "linear.json.gz" in card["hashes"]
    assert 0.0 < card["metrics"]["oof_pr_auc"] <= 1.0
