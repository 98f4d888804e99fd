"""Shared benchmark plumbing: hardware description, medians over repeated runs, JSON results."""

from __future__ import annotations

import json
import os
import platform
import statistics
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml

from trustwatch.detectors.base import COST_LINEAR_MODEL, detector_factory
from trustwatch.policy.pack import load_pack

RESULTS = Path(__file__).resolve().parent / "results"


def hardware() -> dict[str, Any]:
    model = platform.processor() or "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return {
        "cpu": model,
        "cores": os.cpu_count(),
        "python": platform.python_version(),
        "machine": platform.machine(),
    }


def median_seconds(
    fn: Callable[[], object], runs: int = 5, warmup: int = 1
) -> tuple[float, list[float]]:
    """Run ``fn`` ``warmup`` times untimed, then ``runs`` times; return the median and all times."""
    for _ in range(warmup):
        fn()
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times), times


def percentile(values: list[float], q: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(q / 100 * (len(ordered) - 1))))
    return ordered[index]


def table(headers: list[str], rows: list[list[Any]]) -> str:
    cells = [[str(h) for h in headers]] + [[_fmt(c) for c in row] for row in rows]
    widths = [max(len(r[i]) for r in cells) for i in range(len(headers))]
    lines = [
        "  ".join(
            c.rjust(w) if i else c.ljust(w) for i, (c, w) in enumerate(zip(r, widths, strict=True))
        )
        for r in cells
    ]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


def _fmt(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:,.3f}" if value < 100 else f"{value:,.0f}"
    return str(value)


def write_results(name: str, payload: dict[str, Any]) -> Path:
    RESULTS.mkdir(parents=True, exist_ok=True)
    path = RESULTS / f"{name}.json"
    payload = {"benchmark": name, "hardware": hardware(), **payload}
    path.write_text(json.dumps(payload, indent=2, sort_keys=True) + "\n")
    return path


def rules_only_pack(dest: Path) -> Path:
    """The default pack with every learned detector (cost >= a linear model) removed."""
    pack = load_pack(None).pack.model_dump(mode="json")
    for policy in pack["policies"].values():
        kept = []
        for use in policy["detectors"]:
            cls = detector_factory(use["use"])
            if cls is not None and cls.cost < COST_LINEAR_MODEL:
                kept.append(use)
        policy["detectors"] = kept or policy["detectors"][:1]
    path = dest / "rules_only.yaml"
    path.write_text(yaml.safe_dump(pack, sort_keys=False, allow_unicode=True))
    return path
