"""Engine throughput on a realistic mix of messages and listings, pinned to one core.

Baseline, measured in the same run: a naive loop that searches every lexicon term with its
own precompiled regex over every lower-cased text field (what a first rules engine does).

    .venv/bin/python -m bench.engine [--events 5000] [--runs 5]
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
from typing import Any

from bench.harness import median_seconds, percentile, table, write_results
from trustwatch.counters import InMemoryCounters
from trustwatch.engine import Engine
from trustwatch.events import parse_event
from trustwatch.lexicon import DATA_DIR, LexiconError, load_lexicon
from trustwatch.policy.pack import load_pack
from trustwatch.synth import generate


def _lexicon_terms() -> list[str]:
    terms: set[str] = set()
    names = {p.stem for p in DATA_DIR.iterdir() if not p.name.startswith((".", "_"))}
    for name in sorted(names):
        try:
            lexicon = load_lexicon(name)
        except LexiconError:  # data that is not a lexicon (e.g. the recall list)
            continue
        for info in lexicon.terms:
            for phrase in (info.term, *info.aliases):
                terms.add(phrase.rstrip("*").lower())
    return sorted(t for t in terms if t)


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--events", type=int, default=5000)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args(argv)
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})

    raw = list(generate(args.events, seed=42, positive_rate=0.35))
    events = [parse_event(e) for e in raw]
    positives = sum(1 for e in raw if e["synthetic"]["labels"])
    lengths = [sum(len(t) for t in e.text_fields().values()) for e in events]
    loaded = load_pack(None)

    def run_engine() -> list[float]:
        engine = Engine(loaded, counters=InMemoryCounters())
        return [engine.evaluate(e).latency_ms for e in events]

    latencies = run_engine()
    engine_s, engine_runs = median_seconds(run_engine, runs=args.runs)

    patterns = [re.compile(r"\b" + re.escape(t) + r"\b") for t in _lexicon_terms()]
    texts = [[t.lower() for t in e.text_fields().values()] for e in events]

    def run_naive() -> int:
        found = 0
        for fields in texts:
            for text in fields:
                for pattern in patterns:
                    if pattern.search(text):
                        found += 1
        return found

    naive_s, naive_runs = median_seconds(run_naive, runs=max(1, args.runs // 2))
    n = len(events)
    rows = [
        [
            "trustwatch engine (all policies)",
            n / engine_s,
            engine_s / n * 1e6,
            percentile(latencies, 50) * 1000,
            percentile(latencies, 99) * 1000,
        ],
        [
            f"baseline: naive regex loop ({len(patterns)} terms)",
            n / naive_s,
            naive_s / n * 1e6,
            "-",
            "-",
        ],
    ]
    print(
        f"events {n} ({positives / n:.0%} positives, median {statistics.median(lengths)} chars), "
        f"one core, median of {args.runs} runs"
    )
    print(table(["path", "events/s", "µs/event", "p50 µs", "p99 µs"], rows))
    result = {
        "events": n,
        "positive_share": positives / n,
        "median_text_chars": statistics.median(lengths),
        "runs": args.runs,
        "engine": {
            "events_per_s": n / engine_s,
            "us_per_event": engine_s / n * 1e6,
            "p50_us": percentile(latencies, 50) * 1000,
            "p99_us": percentile(latencies, 99) * 1000,
            "run_seconds": engine_runs,
        },
        "baseline_naive_regex": {
            "events_per_s": n / naive_s,
            "us_per_event": naive_s / n * 1e6,
            "terms": len(patterns),
            "run_seconds": naive_runs,
        },
        "pack": loaded.pack.ref,
    }
    write_results("engine", result)
    return result


if __name__ == "__main__":
    main()
