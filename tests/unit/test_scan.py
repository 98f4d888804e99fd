import csv
import json

import pyarrow as pa
import pyarrow.parquet as pq
from click.testing import CliRunner

from trustwatch.cli import main
from trustwatch.cli.scan import EXIT_REJECTS


def _event(i, text="is this still available?"):
    return {
        "id": f"evt_{i}",
        "type": "message.sent",
        "occurred_at": "2026-11-02T10:15:00Z",
        "actor": {"id": f"u_{i}"},
        "message": {"id": f"m_{i}", "text": text},
    }


def test_jsonl_scan_writes_one_verdict_per_event_and_rejects_bad_lines(tmp_path):
    src = tmp_path / "in.jsonl"
    lines = [json.dumps(_event(1)), "{broken", json.dumps(_event(2)), json.dumps({"id": "x"})]
    src.write_text("\n".join(lines) + "\n")
    out = tmp_path / "verdicts.jsonl"
    result = CliRunner().invoke(main, ["scan", str(src), "-o", str(out)])
    assert result.exit_code == EXIT_REJECTS, result.output
    verdicts = [json.loads(line) for line in out.read_text().splitlines()]
    assert [v["event_id"] for v in verdicts] == ["evt_1", "evt_2"]
    assert all(v["pack_version"].startswith("marketplace@") for v in verdicts)
    rejects = [json.loads(line) for line in (tmp_path / "verdicts.jsonl.rejects.jsonl").open()]
    assert [r["line"] for r in rejects] == [2, 4]
    assert "not valid JSON" in rejects[0]["reason"]
    assert "type" in rejects[1]["reason"]
    assert "events 2 · rejects 2" in result.output


def test_clean_scan_exits_zero_and_creates_the_output_folder(tmp_path):
    src = tmp_path / "in.jsonl"
    src.write_text(json.dumps(_event(1)) + "\n")
    out = tmp_path / "new" / "v.jsonl"
    result = CliRunner().invoke(main, ["scan", str(src), "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert out.exists()


def test_csv_with_dotted_columns_is_read_as_nested_events(tmp_path):
    src = tmp_path / "in.csv"
    with src.open("w", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(["id", "type", "occurred_at", "actor.id", "message.id", "message.text"])
        writer.writerow(["evt_1", "message.sent", "2026-11-02T10:15:00Z", "u_1", "m_1", "hello"])
        writer.writerow(["evt_2", "message.sent", "2026-11-02T10:15:00Z", "", "m_2", "no actor"])
    out = tmp_path / "v.jsonl"
    result = CliRunner().invoke(
        main, ["scan", str(src), "-o", str(out), "--rejects", str(tmp_path / "r.jsonl")]
    )
    assert result.exit_code == EXIT_REJECTS
    assert json.loads(out.read_text())["event_id"] == "evt_1"
    reject = json.loads((tmp_path / "r.jsonl").read_text())
    assert reject["line"] == 3 and "actor" in reject["reason"]


def test_parquet_in_and_parquet_out(tmp_path):
    src = tmp_path / "in.parquet"
    pq.write_table(pa.Table.from_pylist([_event(1), _event(2, "hi there")]), src)
    out = tmp_path / "v.parquet"
    result = CliRunner().invoke(main, ["scan", str(src), "-o", str(out)])
    assert result.exit_code == 0, result.output
    rows = pq.read_table(out).to_pylist()
    assert [r["event_id"] for r in rows] == ["evt_1", "evt_2"]
    assert rows[0]["policies"][0]["policy"]


def test_unknown_input_format_is_a_clear_error(tmp_path):
    src = tmp_path / "in.xml"
    src.write_text("<event/>")
    result = CliRunner().invoke(main, ["scan", str(src)])
    assert result.exit_code == 1
    assert "unknown input format" in result.output
