"""Batch scanning over files: JSONL, CSV or Parquet in; verdict JSONL or Parquet out.

Bad records go to a rejects file with their line number and reason; the run goes on.
"""

from __future__ import annotations

import contextlib
import csv
import json
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from trustwatch.engine import Engine
from trustwatch.errors import InvalidEventError, TrustwatchError
from trustwatch.verdicts import Verdict


@dataclass
class Record:
    """One input record: its 1-based line (or row) number and raw payload."""

    line: int
    raw: str | dict[str, Any]


@dataclass
class ScanStats:
    events: int = 0
    rejects: int = 0
    seconds: float = 0.0
    actions: Counter[str] = field(default_factory=Counter)
    by_policy: dict[str, Counter[str]] = field(default_factory=dict)

    @property
    def events_per_second(self) -> float:
        return self.events / self.seconds if self.seconds > 0 else 0.0

    def add(self, verdict: Verdict) -> None:
        self.events += 1
        self.actions[verdict.action.value] += 1
        for decision in verdict.policies:
            self.by_policy.setdefault(decision.policy, Counter())[decision.action.value] += 1


def _unflatten(row: dict[str, Any]) -> dict[str, Any]:
    """CSV/Parquet columns like ``actor.id`` become nested objects; empty cells are dropped."""
    if "event" in row and isinstance(row["event"], str) and len(row) == 1:
        return json.loads(row["event"])
    out: dict[str, Any] = {}
    for key, value in row.items():
        if value is None or value == "":
            continue
        node = out
        parts = key.split(".")
        for part in parts[:-1]:
            node = node.setdefault(part, {})
        node[parts[-1]] = value
    listing = out.get("listing")
    if isinstance(listing, dict):
        price = listing.get("price")
        if isinstance(price, dict) and isinstance(price.get("amount"), str):
            with contextlib.suppress(ValueError):
                price["amount"] = float(price["amount"])
    return out


def input_format(path: Path) -> str:
    name = path.name.lower()
    for suffix, fmt in (
        (".jsonl", "jsonl"),
        (".ndjson", "jsonl"),
        (".json", "jsonl"),
        (".csv", "csv"),
        (".parquet", "parquet"),
    ):
        if name.endswith(suffix) or name.endswith(suffix + ".gz"):
            return fmt
    raise TrustwatchError(f"{path}: unknown input format; use .jsonl, .csv or .parquet")


def read_records(path: Path) -> Iterator[Record]:
    fmt = input_format(path)
    if fmt == "jsonl":
        with _open_text(path) as fh:
            for n, line in enumerate(fh, start=1):
                if line.strip():
                    yield Record(n, line)
    elif fmt == "csv":
        with _open_text(path) as fh:
            reader = csv.DictReader(fh)
            for n, row in enumerate(reader, start=2):
                yield Record(n, _unflatten(dict(row)))
    else:
        import pyarrow.parquet as pq

        table = pq.ParquetFile(path)
        n = 0
        for batch in table.iter_batches(batch_size=4096):
            for row in batch.to_pylist():
                n += 1
                yield Record(n, _unflatten(row) if any("." in k for k in row) else row)


def _open_text(path: Path) -> IO[str]:
    if path.name.endswith(".gz"):
        import gzip

        return gzip.open(path, "rt", encoding="utf-8")
    return path.open(encoding="utf-8")


class VerdictWriter:
    """Writes verdicts as JSONL, or as Parquet (policies kept as a nested list)."""

    def __init__(self, path: Path | None, stream: IO[str] | None = None) -> None:
        self.path = path
        self.parquet = path is not None and path.suffix == ".parquet"
        self._rows: list[dict[str, Any]] = []
        self._fh: IO[str] | None = stream
        if path is not None:
            path.parent.mkdir(parents=True, exist_ok=True)
        if path is not None and not self.parquet:
            self._fh = path.open("w", encoding="utf-8")

    def write(self, verdict: Verdict) -> None:
        if self.parquet:
            row = verdict.model_dump(mode="json")
            for p in row["policies"]:
                for s in p["signals"]:
                    s["details"] = json.dumps(s["details"], sort_keys=True)
            row["model_versions"] = json.dumps(row["model_versions"], sort_keys=True)
            self._rows.append(row)
        elif self._fh is not None:
            self._fh.write(verdict.model_dump_json() + "\n")

    def close(self) -> None:
        if self.parquet and self.path is not None:
            import pyarrow as pa
            import pyarrow.parquet as pq

            pq.write_table(pa.Table.from_pylist(self._rows), self.path)
        elif self._fh is not None and self.path is not None:
            self._fh.close()


def scan(
    engine: Engine,
    source: Path,
    writer: VerdictWriter,
    rejects_path: Path,
    *,
    progress: Any = None,
) -> ScanStats:
    """Evaluate every record of ``source``; malformed ones go to ``rejects_path``."""
    stats = ScanStats()
    started = time.perf_counter()
    rejects: IO[str] | None = None
    try:
        for record in read_records(source):
            try:
                verdict = engine.evaluate(record.raw)
            except InvalidEventError as exc:
                rejects = _reject(rejects, rejects_path, record, exc.reason)
                stats.rejects += 1
            except Exception as exc:  # a bug must not abort a long run; the record is kept
                reason = f"internal error: {type(exc).__name__}: {exc}"
                rejects = _reject(rejects, rejects_path, record, reason)
                stats.rejects += 1
            else:
                writer.write(verdict)
                stats.add(verdict)
            if progress is not None:
                progress()
    finally:
        writer.close()
        if rejects is not None:
            rejects.close()
    stats.seconds = time.perf_counter() - started
    return stats


def _reject(rejects: IO[str] | None, path: Path, record: Record, reason: str) -> IO[str]:
    """Append one record to the rejects file (opened on first use) with its line and reason."""
    if rejects is None:
        path.parent.mkdir(parents=True, exist_ok=True)
        rejects = path.open("w", encoding="utf-8")
    raw = record.raw if isinstance(record.raw, str) else json.dumps(record.raw, default=str)
    rejects.write(
        json.dumps({"line": record.line, "reason": reason, "raw": raw.rstrip("\n")}) + "\n"
    )
    return rejects
