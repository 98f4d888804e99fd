"""POST /v1/check latency at fixed request rates, against a running ``trustwatch serve``.

Open-loop load on loopback only (127.0.0.1): request ``i`` is due at ``start + i / rate``
and its latency counts from that moment, so a slow server is not hidden by a client
that waits (no coordinated omission). Bounded: ``rate x duration`` requests per run.
The servers (``trustwatch serve --no-worker`` on SQLite) are pinned to core 0 and the
load generator to core 1 (``--no-pin`` to let the OS decide). They run as plain
``trustwatch serve`` does, review console mounted (its case opener turns flagged verdicts
into cases every 0.1 s in the same process, its link transactions run by the verdict
writer between group commits); ``--no-console`` measures the API alone.
Trustwatch variants: ``durable reply`` (the default: the answer waits for the group commit
holding its verdict), ``write-behind`` (TRUSTWATCH_CHECK_WAIT_FOR_STORE=false: answered
first, committed moments later; a crash can lose the last few milliseconds of verdicts),
and ``durable reply, no console`` (what the console costs the API).

Baseline, measured in the same run with the same client: a bare FastAPI endpoint that
echoes the body under the same uvicorn (uvloop, httptools) — the ceiling for any
FastAPI handler on this machine.

The pack is the shipped default (``--pack shipped``) or the rules-only fast path
(``--pack rules-only``: the default pack without its learned detectors, given to the
servers as TRUSTWATCH_PACK_DIR; results go to ``api_load_fast_path.json``). Server CPU
is reported per request in all and for the event-loop thread alone (the request path;
the rest is the verdict writer and the console's case opener), with the time the
engine took per request (the server's own metric), so that loop CPU minus engine time
is what the HTTP stack and the API add.

    .venv/bin/python -m bench.api_load [--rates 100,250,500] [--duration 8] [--runs 3]
        [--no-console] [--pack shipped|rules-only] [--variants durable,write-behind,...]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request, Response

from bench.harness import percentile, rules_only_pack, table, write_results

HOST = "127.0.0.1"
CONNECTIONS = 64
TARGET_P99_MS = 25.0
TARGET_RATE = 500
CONSOLE = '["trustwatch.review.web"]'


def echo_app() -> FastAPI:
    app = FastAPI()

    @app.post("/echo")
    async def echo(request: Request) -> Response:
        return Response(await request.body(), media_type="application/json")

    @app.get("/healthz")
    async def healthz() -> dict[str, str]:
        return {"status": "ok"}

    return app


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        port: int = sock.getsockname()[1]
        return port


_NICE = 0
_PIN = True
_DATA_DIRS: list[Path] = []


def _pin(core: int) -> None:
    if _PIN and hasattr(os, "sched_setaffinity") and (os.cpu_count() or 1) >= 2:
        os.sched_setaffinity(0, {core})
    if _NICE:
        os.nice(_NICE)


def _start(cmd: list[str], env: dict[str, str], port: int) -> subprocess.Popen[bytes]:
    proc = subprocess.Popen(
        cmd,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        preexec_fn=lambda: _pin(0),
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with socket.create_connection((HOST, port), timeout=0.5) as sock:
                sock.sendall(f"GET /healthz HTTP/1.1\r\nHost: {HOST}\r\n\r\n".encode())
                if sock.recv(64).startswith(b"HTTP/1.1 200"):
                    return proc
        except OSError:
            time.sleep(0.1)
    proc.kill()
    raise RuntimeError(f"server on port {port} did not start: {' '.join(cmd)}")


def _cpu_seconds(pid: int, thread: int | None = None) -> float:
    """User + system CPU time of a process (or one of its threads) so far (Linux /proc),
    0.0 elsewhere."""
    path = f"/proc/{pid}/stat" if thread is None else f"/proc/{pid}/task/{thread}/stat"
    try:
        fields = Path(path).read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _scrape(port: int, prefixes: tuple[str, ...]) -> dict[str, float]:
    """Sums and counts of some server metrics, from its /metrics."""
    with socket.create_connection((HOST, port), timeout=5) as sock:
        sock.sendall(f"GET /metrics HTTP/1.1\r\nHost: {HOST}\r\nConnection: close\r\n\r\n".encode())
        raw = b""
        while chunk := sock.recv(65536):
            raw += chunk
    out: dict[str, float] = {}
    for line in raw.decode().splitlines():
        name, _, value = line.partition(" ")
        if name.startswith(prefixes) and name.endswith(("_sum", "_count")):
            out[name] = float(value)
    return out


def _engine_seconds(port: int) -> float:
    """The server's total time inside the engine for /v1/check so far (its /metrics)."""
    with socket.create_connection((HOST, port), timeout=5) as sock:
        sock.sendall(f"GET /metrics HTTP/1.1\r\nHost: {HOST}\r\nConnection: close\r\n\r\n".encode())
        raw = b""
        while chunk := sock.recv(65536):
            raw += chunk
    for line in raw.decode().splitlines():
        if line.startswith('trustwatch_engine_seconds_sum{entry="api"}'):
            return float(line.rsplit(" ", 1)[1])
    return 0.0


def _serve_trustwatch(
    bin_dir: Path, extra_env: dict[str, str]
) -> tuple[subprocess.Popen[bytes], int, str]:
    """``trustwatch serve`` on its own temporary data dir, with a key that is never limited."""
    from trustwatch.settings import Settings
    from trustwatch.store.sql import SCOPES, SqlStore

    data_dir = Path(tempfile.mkdtemp(prefix="trustwatch-bench-"))
    _DATA_DIRS.append(data_dir)
    store = SqlStore(Settings(data_dir=data_dir).store_url)
    _, key = store.create_api_key("bench", list(SCOPES), rate_limit_per_s=1e6)
    store.close()
    env = {
        **os.environ,
        "TRUSTWATCH_DATA_DIR": str(data_dir),
        "TRUSTWATCH_APP_EXTENSIONS": CONSOLE,
        **extra_env,
    }
    port = _free_port()
    cmd = [str(bin_dir / "trustwatch"), "serve", "--no-worker", "--port", str(port)]
    return _start(cmd, env, port), port, key


def _stop(proc: subprocess.Popen[bytes]) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=30)
    except subprocess.TimeoutExpired:
        proc.kill()


async def _request(
    reader: asyncio.StreamReader, writer: asyncio.StreamWriter, head: bytes, body: bytes
) -> int:
    writer.write(head + str(len(body)).encode() + b"\r\n\r\n" + body)
    await writer.drain()
    status_line = await reader.readuntil(b"\r\n")
    headers = await reader.readuntil(b"\r\n\r\n")
    length = 0
    for line in headers.split(b"\r\n"):
        if line.lower().startswith(b"content-length:"):
            length = int(line.split(b":", 1)[1])
    await reader.readexactly(length)
    return int(status_line.split(b" ", 2)[1])


async def _load(
    port: int, path: str, key: str | None, bodies: list[bytes], rate: float, pid: int = 0
) -> dict[str, Any]:
    """Send every body once, request i due at start + i/rate; latency from its due time."""
    auth = f"Authorization: Bearer {key}\r\n" if key else ""
    head = (
        f"POST {path} HTTP/1.1\r\nHost: {HOST}\r\nContent-Type: application/json\r\n{auth}"
        "Content-Length: "
    ).encode()
    queue: asyncio.Queue[tuple[float, bytes] | None] = asyncio.Queue()
    latencies: list[float] = []
    errors = 0

    async def connection() -> None:
        nonlocal errors
        reader, writer = await asyncio.open_connection(HOST, port)
        try:
            while (job := await queue.get()) is not None:
                due, body = job
                status = await _request(reader, writer, head, body)
                latencies.append((time.perf_counter() - due) * 1000.0)
                if status != 200:
                    errors += 1
        finally:
            writer.close()

    workers = [asyncio.create_task(connection()) for _ in range(CONNECTIONS)]
    await asyncio.sleep(0.2)
    engine_before = _engine_seconds(port) if key else 0.0
    cpu_before = _cpu_seconds(pid)
    # The main thread's id is the process id: the event loop, where requests are served.
    loop_before = _cpu_seconds(pid, pid)
    start = time.perf_counter()
    for i, body in enumerate(bodies):
        due = start + i / rate
        delay = due - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        queue.put_nowait((due, body))
    for _ in workers:
        queue.put_nowait(None)
    await asyncio.gather(*workers)
    elapsed = time.perf_counter() - start
    cpu = _cpu_seconds(pid) - cpu_before
    loop_cpu = _cpu_seconds(pid, pid) - loop_before
    engine = (_engine_seconds(port) - engine_before) if key else 0.0
    return {
        "server_engine_ms_per_request": engine * 1000.0 / len(bodies),
        "server_cpu_ms_per_request": cpu * 1000.0 / len(bodies),
        "server_loop_cpu_ms_per_request": loop_cpu * 1000.0 / len(bodies),
        "requests": len(bodies),
        "errors": errors,
        "throughput_rps": len(latencies) / elapsed,
        "p50_ms": percentile(latencies, 50),
        "p95_ms": percentile(latencies, 95),
        "p99_ms": percentile(latencies, 99),
    }


def _bodies(count: int, tag: str) -> list[bytes]:
    from trustwatch.synth import generate

    out = []
    for event in generate(count, seed=11):
        event.pop("synthetic", None)
        event["id"] = f"{event['id']}-{tag}"
        out.append(json.dumps(event).encode())
    return out


VARIANTS = ("durable", "write-behind", "no-console", "echo")


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rates", default="100,250,500", help="requests/s, comma-separated")
    parser.add_argument("--duration", type=float, default=8.0, help="seconds per run (bounded)")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument(
        "--nice",
        type=int,
        default=0,
        help="scheduling priority change for server and client (e.g. -10, needs root) so "
        "other work on a shared machine disturbs the measurement less",
    )
    parser.add_argument(
        "--no-pin", action="store_true", help="let the OS place server and client on any core"
    )
    parser.add_argument(
        "--no-console",
        action="store_true",
        help="serve the API alone (no review console, no case opener) in every variant",
    )
    parser.add_argument(
        "--pack",
        choices=("shipped", "rules-only"),
        default="shipped",
        help="the default pack, or the fast path: the same pack without learned detectors",
    )
    parser.add_argument(
        "--variants",
        default=",".join(VARIANTS),
        help=f"which to measure, comma-separated, of {', '.join(VARIANTS)}",
    )
    args = parser.parse_args(argv)
    global _NICE, _PIN
    _NICE, _PIN = args.nice, not args.no_pin
    rates = [float(r) for r in args.rates.split(",")]
    if max(rates) * args.duration > 50_000:
        parser.error("at most 50,000 requests per run: lower --rates or --duration")
    variants = [v.strip() for v in args.variants.split(",") if v.strip()]
    unknown = sorted(set(variants) - set(VARIANTS))
    if unknown:
        parser.error(f"unknown variants {unknown}; choose from {', '.join(VARIANTS)}")
    if args.no_console and "no-console" in variants:
        variants.remove("no-console")  # every variant is without the console already

    bin_dir = Path(sys.executable).parent
    pack_env: dict[str, str] = {}
    if args.pack == "rules-only":
        pack_dir = Path(tempfile.mkdtemp(prefix="trustwatch-bench-pack-"))
        _DATA_DIRS.append(pack_dir)
        pack_env["TRUSTWATCH_PACK_DIR"] = str(rules_only_pack(pack_dir))
    bare_api = {**pack_env, "TRUSTWATCH_APP_EXTENSIONS": "[]"}
    mounted = bare_api if args.no_console else pack_env
    suffix = ", no console" if args.no_console else ""
    servers: dict[str, tuple[subprocess.Popen[bytes], int, str | None]] = {}
    targets: list[tuple[str, int, str, str | None, subprocess.Popen[bytes]]] = []
    for variant in variants:
        if variant == "echo":
            port = _free_port()
            proc = _start(
                [
                    sys.executable,
                    "-m",
                    "uvicorn",
                    "--factory",
                    "bench.api_load:echo_app",
                    "--port",
                    str(port),
                    "--no-access-log",
                    "--log-level",
                    "warning",
                ],
                dict(os.environ),
                port,
            )
            servers[variant] = (proc, port, None)
            targets.append(("baseline: bare FastAPI echo", port, "/echo", None, proc))
            continue
        env, name = {
            "durable": (mounted, f"durable reply{suffix}"),
            "write-behind": (
                {**mounted, "TRUSTWATCH_CHECK_WAIT_FOR_STORE": "false"},
                f"write-behind{suffix}",
            ),
            "no-console": (bare_api, "durable reply, no console"),
        }[variant]
        proc, port, key = _serve_trustwatch(bin_dir, env)
        servers[variant] = (proc, port, key)
        targets.append((f"trustwatch /v1/check ({name})", port, "/v1/check", key, proc))
    _pin(1)
    # Other work on the machine steals the cores this measures; the load average shows it.
    load_before = os.getloadavg()
    results: list[dict[str, Any]] = []
    store_metrics: dict[str, float] = {}
    try:
        warm = _bodies(500, "warmup")
        for _, port, path, auth, _ in targets:
            asyncio.run(_load(port, path, auth, warm, 250))
        for rate in rates:
            runs: dict[str, list[dict[str, Any]]] = {t[0]: [] for t in targets}
            # Runs take turns across the targets, so a burst of other work on the machine
            # falls on all of them rather than on one.
            for i in range(args.runs):
                for target, port, path, auth, proc in targets:
                    bodies = _bodies(int(rate * args.duration), f"r{rate:g}-{i}")
                    runs[target].append(
                        asyncio.run(_load(port, path, auth, bodies, rate, proc.pid))
                    )
            for target, *_ in targets:
                results.append(
                    {
                        "target": target,
                        "rate_rps": rate,
                        "runs": runs[target],
                        **{
                            k: statistics.median(r[k] for r in runs[target])
                            for k in (
                                "throughput_rps",
                                "p50_ms",
                                "p95_ms",
                                "p99_ms",
                                "errors",
                                "server_cpu_ms_per_request",
                                "server_loop_cpu_ms_per_request",
                                "server_engine_ms_per_request",
                            )
                        },
                    }
                )
        if "durable" in servers:
            store_metrics = _scrape(
                servers["durable"][1],
                ("trustwatch_store_commit_seconds", "trustwatch_store_batch_size"),
            )
    finally:
        for proc, _, _ in servers.values():
            _stop(proc)
        for data_dir in _DATA_DIRS:
            shutil.rmtree(data_dir, ignore_errors=True)

    rows = [
        [
            r["target"],
            r["rate_rps"],
            r["throughput_rps"],
            r["p50_ms"],
            r["p95_ms"],
            r["p99_ms"],
            r["server_cpu_ms_per_request"],
            r["server_loop_cpu_ms_per_request"],
            r["server_engine_ms_per_request"],
            r["errors"],
        ]
        for r in results
    ]
    headers = [
        "target",
        "rate/s",
        "done/s",
        "p50 ms",
        "p95 ms",
        "p99 ms",
        "cpu ms/req",
        "loop cpu",
        "engine ms",
        "errors",
    ]
    print(table(headers, rows))
    at_target = next(
        (
            r
            for r in results
            if r["target"].startswith("trustwatch /v1/check (durable")
            and r["rate_rps"] == TARGET_RATE
        ),
        None,
    )
    verdict = None
    if at_target is not None:
        verdict = at_target["p99_ms"] <= TARGET_P99_MS and at_target["errors"] == 0
        print(
            f"target p99 <= {TARGET_P99_MS:g} ms at {TARGET_RATE} req/s: "
            f"{'met' if verdict else 'NOT met'} (p99 {at_target['p99_ms']:.1f} ms)"
        )
    payload = {
        "nice": args.nice,
        "pinned": _PIN,
        "load_average_before": load_before,
        "load_average_after": os.getloadavg(),
        "duration_s": args.duration,
        "runs": args.runs,
        "connections": CONNECTIONS,
        "events": "trustwatch.synth seed 11 (synthetic mix)",
        "pack": args.pack
        + ("" if args.pack == "shipped" else " (the default pack without learned detectors)"),
        "server": "trustwatch serve --no-worker, SQLite WAL store"
        + ("" if args.no_console else ", review console mounted (unless 'no console')")
        + "; durable reply: the verdict is committed (group commit) before the answer; "
        "write-behind: answered, then committed",
        "console_mounted": not args.no_console,
        "baseline": "bare FastAPI echo endpoint, same uvicorn, same client",
        "target": {"rate_rps": TARGET_RATE, "p99_ms": TARGET_P99_MS, "met": verdict},
        "results": results,
        "store_metrics": store_metrics,
    }
    written = write_results("api_load" if args.pack == "shipped" else "api_load_fast_path", payload)
    commits = store_metrics.get("trustwatch_store_commit_seconds_count", 0.0)
    if commits:
        print(
            f"store: {commits:.0f} group commits, mean "
            f"{store_metrics['trustwatch_store_commit_seconds_sum'] / commits * 1000:.2f} ms, "
            f"mean {store_metrics['trustwatch_store_batch_size_sum'] / commits:.1f} verdicts each"
        )
    print(f"wrote {written}")
    return payload


if __name__ == "__main__":
    main()
