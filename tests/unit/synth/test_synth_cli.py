"""``trustwatch synth`` and the example file the README's scan reads."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

from click.testing import CliRunner

from trustwatch.cli import main
from trustwatch.errors import InvalidEventError
from trustwatch.events import parse_event
from trustwatch.synth import MALFORMED_KINDS, malformed_lines

EXAMPLE = Path(__file__).parents[3] / "examples" / "marketplace.jsonl"


def _rejects(lines: list[str]) -> list[str]:
    reasons = []
    for line in lines:
        try:
            parse_event(line)
        except InvalidEventError as exc:
            reasons.append(exc.reason)
    return reasons


def test_synth_writes_n_events_plus_the_malformed_lines_asked_for(tmp_path: Path) -> None:
    out = tmp_path / "events.jsonl"
    result = CliRunner().invoke(
        main, ["synth", "-n", "200", "--seed", "7", "--malformed", "4", "-o", str(out), "--stats"]
    )
    assert result.exit_code == 0, result.output
    lines = out.read_text(encoding="utf-8").splitlines()
    assert len(lines) == 204
    assert len(_rejects(lines)) == 4
    assert "synthetic data" in result.output


def test_synth_to_stdout_is_the_same_as_the_library_for_a_seed() -> None:
    from trustwatch.synth import generate

    result = CliRunner().invoke(main, ["synth", "-n", "50", "--seed", "3", "--policy", "spam"])
    assert result.exit_code == 0
    events = [json.loads(line) for line in result.output.splitlines()]
    assert events == list(generate(50, seed=3, policies=["spam"]))


def test_each_malformed_kind_fails_the_contract_for_its_own_reason() -> None:
    lines = malformed_lines(len(MALFORMED_KINDS), seed=1)
    reasons = _rejects(lines)
    assert len(reasons) == len(MALFORMED_KINDS)
    assert any("JSON" in r for r in reasons)
    assert any(r.startswith("actor") for r in reasons)
    assert any(r.startswith("type") for r in reasons)


def test_example_file_has_300_labelled_events_and_3_rejects_for_the_readme_scan() -> None:
    lines = EXAMPLE.read_text(encoding="utf-8").splitlines()
    reasons = _rejects(lines)
    assert len(lines) - len(reasons) == 300
    assert len(reasons) == 3
    events = [json.loads(line) for line in lines if not _rejects([line])]
    labels = Counter(label for e in events for label in e["synthetic"]["labels"])
    assert set(labels) == {"off_platform", "phishing", "counterfeit", "prohibited", "spam"}
    assert sum(1 for e in events if e["synthetic"]["labels"]) / 300 > 0.3


def test_follow_streams_events_stamped_from_now(tmp_path: Path) -> None:
    from datetime import UTC, datetime, timedelta

    out = tmp_path / "live.jsonl"
    before = datetime.now(UTC) - timedelta(seconds=1)
    result = CliRunner().invoke(
        main, ["synth", "--follow", "-n", "20", "--speed", "100000", "--seed", "2", "-o", str(out)]
    )
    assert result.exit_code == 0, result.output
    events = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert len(events) == 20
    stamps = [datetime.fromisoformat(e["occurred_at"]) for e in events]
    assert stamps == sorted(stamps) and stamps[0] >= before
