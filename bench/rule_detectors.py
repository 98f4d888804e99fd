"""Cost of each off_platform, phishing and spam rule detector per event, pinned to one core.

Normalization and entity extraction are shared by every detector, so they are computed
once up front and reported on their own line; each detector line is its own work only.
Baseline, measured in the same run: the generic ``phrase_list`` detector with the spam
pack's 24 phrases (one regex alternation over every view).

    .venv/bin/python -m bench.rule_detectors [--events 3000] [--runs 5]
"""

from __future__ import annotations

import argparse
import os
import statistics
from typing import Any

from bench.harness import median_seconds, table, write_results
from trustwatch.counters import InMemoryCounters
from trustwatch.detectors.base import Context, Detector, Item, detector_factory
from trustwatch.events import parse_event
from trustwatch.synth import generate
from trustwatch.verdicts import Mode

DETECTORS = (
    "payment_off_platform",
    "contact_off_platform",
    "phishing_links",
    "phishing_language",
    "spam_velocity",
    "keyword_stuffing",
)
BASELINE_PHRASES = [
    "click here to win", "you have won", "claim your prize", "free followers", "free likes",
    "buy followers", "follow for follow", "follow4follow", "f4f", "like for like", "l4l",
    "sub4sub", "gain followers", "dm for promo", "promo for promo", "earn money from home",
    "work from home opportunity", "make money fast", "guaranteed returns",
    "investment opportunity", "double your money", "passive income", "freefollowers",
    "followforfollow",
]  # fmt: skip


def _build(name: str, params: dict[str, Any] | None = None) -> Detector:
    cls: Any = detector_factory(name)
    return cls(cls.Params.model_validate(params or {}))  # type: ignore[no-any-return]


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--events", type=int, default=3000)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args(argv)
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})

    events = [parse_event(e) for e in generate(args.events, seed=7, positive_rate=0.35)]
    messages = sum(1 for e in events if e.type == "message.sent")
    lengths = [sum(len(t) for t in e.text_fields().values()) for e in events]

    def prepared() -> list[Item]:
        items = [Item(e) for e in events]
        for it in items:
            for f in it.fields:
                it.entities(f)
        return items

    shared_s, _ = median_seconds(prepared, runs=args.runs)
    items = prepared()
    n = len(items)
    rows: list[list[Any]] = [["normalize + entities (shared)", shared_s / n * 1e6, "-"]]
    result: dict[str, Any] = {
        "events": n,
        "message_share": messages / n,
        "median_text_chars": statistics.median(lengths),
        "runs": args.runs,
        "shared_us_per_event": shared_s / n * 1e6,
        "detectors": {},
    }
    for name in (*DETECTORS, "baseline"):
        det = (
            _build("phrase_list", {"phrases": BASELINE_PHRASES})
            if name == "baseline"
            else _build(name)
        )

        def run(det: Detector = det) -> int:
            ctx = Context(Mode.LIVE, events[0].occurred_at, InMemoryCounters())
            fired = 0
            for it in items:
                # Work detectors share through the item (anchor pass, lexicon scans) is not
                # left over from the previous run or detector: each pays for it in full.
                it.memo.clear()
                ctx.now = it.event.occurred_at
                fired += bool(det.detect(it, ctx))
            return fired

        fired = run()
        seconds, times = median_seconds(run, runs=args.runs)
        label = "baseline: phrase_list (24 phrases)" if name == "baseline" else name
        rows.append([label, seconds / n * 1e6, f"{fired / n:.1%}"])
        result["detectors"][name] = {
            "us_per_event": seconds / n * 1e6,
            "fired_share": fired / n,
            "run_seconds": times,
        }
    print(
        f"events {n} ({messages / n:.0%} messages, median {statistics.median(lengths)} chars), "
        f"one core, median of {args.runs} runs"
    )
    print(table(["detector", "µs/event", "fired"], rows))
    write_results("rule_detectors", result)
    return result


if __name__ == "__main__":
    main()
