"""Review console costs on the embedded SQLite store: opening cases from stored verdicts,
and the reviewer's round trip (claim next, open the case view, decide).

Baseline, measured in the same run: writing the same verdicts with the store's group
commit (``SqlStore.record_many``), the work every verdict costs anyway. The case opener
is cheap when it costs a small fraction of that.

    .venv/bin/python -m bench.review [--events 5000] [--runs 3] [--decisions 200]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path
from typing import Any

from bench.harness import percentile, table, write_results
from trustwatch.counters import InMemoryCounters
from trustwatch.enforcement import actions_for
from trustwatch.engine import Engine
from trustwatch.events import parse_event
from trustwatch.policy.pack import load_pack
from trustwatch.review.domain import DecisionInput, Outcome, Role
from trustwatch.review.service import ReviewService, severities_of
from trustwatch.store.sql import Recorded, SqlStore
from trustwatch.stream.bus import MemoryBus
from trustwatch.synth import generate
from trustwatch.verdicts import Action

BATCH = 250


def _fresh(tmp: Path, run: int) -> tuple[SqlStore, ReviewService]:
    store = SqlStore(f"sqlite:///{tmp / f'review-{run}.db'}")
    pack = load_pack(None).pack
    return store, ReviewService(store, severities=severities_of(pack), bus=MemoryBus())


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--events", type=int, default=5000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--decisions", type=int, default=200)
    args = parser.parse_args(argv)

    engine = Engine(load_pack(None), counters=InMemoryCounters())
    items = []
    for raw in generate(args.events, seed=7, positive_rate=0.35):
        event = parse_event(raw)
        verdict = engine.evaluate(event)
        items.append(Recorded(event, verdict, actions_for(event, verdict)))
    batches = [items[i : i + BATCH] for i in range(0, len(items), BATCH)]

    write_s: list[float] = []
    open_s: list[float] = []
    catch_up_s: list[float] = []
    cases = 0
    round_trips: list[float] = []
    with tempfile.TemporaryDirectory() as tmp_dir:
        tmp = Path(tmp_dir)
        for run in range(args.runs):
            # Streaming: each group commit, then the opener catches up.
            store, review = _fresh(tmp, run)
            w = o = 0.0
            for batch in batches:
                start = time.perf_counter()
                store.record_many(batch)
                w += time.perf_counter() - start
                start = time.perf_counter()
                review.sync_cases()
                o += time.perf_counter() - start
            write_s.append(w)
            open_s.append(o)
            store.close()
            # Catch-up: the opener meets every verdict at once (a console started late).
            store, review = _fresh(tmp, 100 + run)
            store.record_many(items)
            start = time.perf_counter()
            review.sync_cases()
            catch_up_s.append(time.perf_counter() - start)
            if run == 0:
                review.create_user(None, "bench", Role.MODERATOR, "bench password 123")
                me = review.authenticate("bench", "bench password 123")
                assert me is not None
                cases = len(review.queue(me, limit=100_000))
                for _ in range(min(args.decisions, cases)):
                    start = time.perf_counter()
                    case_id = review.claim_next(me)
                    if case_id is None:
                        break
                    review.case_view(me, case_id)
                    review.decide(
                        me, case_id, DecisionInput(Outcome.VIOLATION, Action.HOLD, "bench")
                    )
                    round_trips.append(time.perf_counter() - start)
            store.close()

    n = len(items)
    write_med, open_med, catch_med = (sorted(v)[len(v) // 2] for v in (write_s, open_s, catch_up_s))
    rows = [
        ["baseline: SqlStore.record_many (group commits of 250)", n / write_med, write_med],
        ["case opener, after each group commit", n / open_med, open_med],
        ["case opener, catching up on all verdicts at once", n / catch_med, catch_med],
    ]
    print(
        f"events {n}, cases opened {cases}, SQLite on local disk, median of {args.runs} runs; "
        f"opener cost = {open_med / write_med:.0%} of the verdict writes"
    )
    print(table(["path", "events/s", "seconds"], rows))
    rt_ms = [t * 1000 for t in round_trips]
    print(
        table(
            ["reviewer round trip (claim next + case view + decide)", "p50 ms", "p95 ms", "n"],
            [
                [
                    "with all cases open in one store",
                    percentile(rt_ms, 50),
                    percentile(rt_ms, 95),
                    len(rt_ms),
                ]
            ],
        )
    )
    result = {
        "events": n,
        "cases_opened": cases,
        "runs": args.runs,
        "baseline_record_many_seconds": write_s,
        "opener_streaming_seconds": open_s,
        "opener_catch_up_seconds": catch_up_s,
        "opener_share_of_writes": open_med / write_med,
        "round_trip_ms": {
            "p50": percentile(rt_ms, 50),
            "p95": percentile(rt_ms, 95),
            "n": len(rt_ms),
        },
    }
    write_results("review", result)
    return result


if __name__ == "__main__":
    main()
