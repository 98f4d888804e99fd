"""`trustwatch train --finetune`: only transformer models fine-tune, and the error says which."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from trustwatch.cli import main


def test_cli_finetune_names_the_model_that_cannot_fine_tune(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        main, ["train", "sms_spam", "--finetune", "--models-dir", str(tmp_path)]
    )
    assert result.exit_code != 0
    assert "sms_spam: only transformer models fine-tune (family linear)" in result.output
    assert not any(tmp_path.iterdir())
