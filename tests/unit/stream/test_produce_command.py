"""``trustwatch produce``: every line onto the events topic, keyed by actor id."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from trustwatch.cli import main
from trustwatch.stream.bus import Topics, partition_for
from trustwatch.stream.sqlite_bus import SqliteBus


def test_produce_puts_every_line_on_the_bus_keyed_by_actor(tmp_path: Path) -> None:
    source = tmp_path / "events.jsonl"
    good = {"id": "e1", "type": "message.sent", "actor": {"id": "u_42"}}
    source.write_text(json.dumps(good) + "\n{not json\n\n")
    bus_path = tmp_path / "bus.db"
    result = CliRunner().invoke(
        main, ["produce", str(source), "--bus", f"sqlite:///{bus_path}", "--topic-prefix", "cli"]
    )
    assert result.exit_code == 0, result.output
    records = SqliteBus(bus_path).read_all(Topics.with_prefix("cli").events)
    by_value = {r.value: r for r in records}
    assert set(by_value) == {json.dumps(good).encode(), b"{not json"}
    assert by_value[json.dumps(good).encode()].key == "u_42"
    assert by_value[json.dumps(good).encode()].partition == partition_for("u_42", 8)
    assert by_value[b"{not json"].key is None
