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
from trustwatch.detectors.base import COST_LINEAR_MODEL, detector_factory
from trustwatch.engine import Engine
from trustwatch.events import parse_event
from trustwatch.lexicon import DATA_DIR, LexiconError, load_lexicon
from trustwatch.ml.features import kernel_enabled
from trustwatch.ml.serving import forget_recent, memo_counts
from trustwatch.policy.pack import Pack, load_pack
from trustwatch.synth import generate


def _detector_cost(name: str) -> float:
    factory = detector_factory(name)
    return COST_LINEAR_MODEL if factory is None else factory.cost


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
    # The same pack without its learned detectors: what the rule engine itself costs.
    rules_only = loaded.pack.model_copy(deep=True)
    for policy in rules_only.policies.values():
        policy.detectors = [
            d for d in policy.detectors if _detector_cost(d.use) < COST_LINEAR_MODEL
        ]

    def run_engine(pack: Pack = loaded.pack) -> list[float]:
        # Each run starts with empty model memos: only repeats within the stream hit.
        forget_recent()
        engine = Engine(pack, counters=InMemoryCounters())
        return [engine.evaluate(e).latency_ms for e in events]

    latencies = run_engine()
    memo_hits, memo_misses = memo_counts()
    engine_s, engine_runs = median_seconds(run_engine, runs=args.runs)
    rules_latencies = run_engine(rules_only)
    rules_s, rules_runs = median_seconds(lambda: run_engine(rules_only), runs=args.runs)

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
            "trustwatch engine, rule detectors only",
            n / rules_s,
            rules_s / n * 1e6,
            percentile(rules_latencies, 50) * 1000,
            percentile(rules_latencies, 99) * 1000,
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
    print(f"model memo: {memo_hits / max(memo_hits + memo_misses, 1):.1%} of model inputs hit")
    # The compiled gram kernel (setup.py) or its numpy twin (TRUSTWATCH_GRAM_KERNEL=0).
    print(f"gram features: {'compiled kernel' if kernel_enabled() else 'numpy'}")
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
        "engine_rules_only": {
            "events_per_s": n / rules_s,
            "us_per_event": rules_s / n * 1e6,
            "p50_us": percentile(rules_latencies, 50) * 1000,
            "p99_us": percentile(rules_latencies, 99) * 1000,
            "run_seconds": rules_runs,
            "detectors": sorted({d.use for p in rules_only.policies.values() for d in p.detectors}),
        },
        "baseline_naive_regex": {
            "events_per_s": n / naive_s,
            "us_per_event": naive_s / n * 1e6,
            "terms": len(patterns),
            "run_seconds": naive_runs,
        },
        "pack": loaded.pack.ref,
        # Share of model inputs (texts, links) served from the memo of recent inputs in one
        # pass over the stream; TRUSTWATCH_ML_MEMO=0 measures without it.
        "model_memo_hit_rate": memo_hits / max(memo_hits + memo_misses, 1),
        "gram_kernel": kernel_enabled(),
    }
    write_results("engine", result)
    return result


if __name__ == "__main__":
    main()
