"""``trustwatch demo``: feed a server a simulated marketplace stream and show what happens."""

from __future__ import annotations

import sys
import time
import uuid
from collections import Counter
from typing import Any

import click

DEFAULT_URL = "http://127.0.0.1:8000"


@click.command()
@click.option("--url", help=f"a running trustwatch (default {DEFAULT_URL}, else start one)")
@click.option("--key", envvar="TRUSTWATCH_API_KEY", help="API key (default the bootstrap key)")
@click.option("-n", "--events", "count", type=click.IntRange(1, 100_000), default=300)
@click.option("--rate", type=click.FloatRange(min=1), default=50.0, help="events per second")
@click.option("--seed", type=int, default=7, show_default=True)
@click.option(
    "--async-share",
    type=click.FloatRange(0, 1),
    default=0.2,
    show_default=True,
    help="share of events sent to /v1/events (decided by the worker) instead of /v1/check",
)
@click.option("--local", is_flag=True, help="start a server in this process (temporary data)")
@click.option("-q", "--quiet", is_flag=True, help="only the summary")
def demo(
    url: str | None,
    key: str | None,
    count: int,
    rate: float,
    seed: int,
    async_share: float,
    local: bool,
    quiet: bool,
) -> None:
    """Send synthetic marketplace events (chats, listings, profiles, reports) and print verdicts.

    The events come from ``trustwatch.synth``: synthetic, labelled, with evasions.
    """
    import httpx

    server = None
    base = url or DEFAULT_URL
    if local or (url is None and not _reachable(base)):
        server, base, key = _start_local_server()
        click.echo(f"started a server at {base} (temporary data dir)")
    if key is None:
        from trustwatch.api.bootstrap import read_bootstrap_key
        from trustwatch.settings import get_settings

        key = read_bootstrap_key(get_settings())
    if key is None:
        click.echo(
            "error: no API key; pass --key, set TRUSTWATCH_API_KEY, or create one with "
            "`trustwatch keys create --name demo --scopes check,ingest,read`",
            err=True,
        )
        sys.exit(2)
    try:
        with httpx.Client(
            base_url=base, headers={"Authorization": f"Bearer {key}"}, timeout=10.0
        ) as client:
            _run(client, count, rate, seed, async_share, quiet)
    finally:
        if server is not None:
            server.should_exit = True


def _reachable(base: str) -> bool:
    import httpx

    try:
        return httpx.get(f"{base}/healthz", timeout=0.5).status_code == 200
    except httpx.HTTPError:
        return False


def _start_local_server() -> tuple[Any, str, str]:
    import socket
    import tempfile
    import threading
    from pathlib import Path

    import uvicorn

    from trustwatch.api.app import create_app
    from trustwatch.settings import Settings

    data_dir = Path(tempfile.mkdtemp(prefix="trustwatch-demo-"))
    settings = Settings(data_dir=data_dir, app_extensions=[])
    app = create_app(settings, embedded_worker=True)
    _, key = app.state.service.store.create_api_key("demo", ["check", "ingest", "read"])
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, log_config=None, access_log=False)
    )
    threading.Thread(target=server.run, daemon=True, name="demo-server").start()
    deadline = time.monotonic() + 15
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.05)
    return server, f"http://127.0.0.1:{port}", key


def _summary_text(event: dict[str, Any]) -> str:
    for path in (("message", "text"), ("listing", "title"), ("profile", "bio"), ("report", "text")):
        body = event.get(path[0])
        if isinstance(body, dict) and body.get(path[1]):
            text = " ".join(str(body[path[1]]).split())
            return text if len(text) <= 70 else text[:67] + "..."
    return ""


def _run(client: Any, count: int, rate: float, seed: int, async_share: float, quiet: bool) -> None:
    import random

    from trustwatch.synth import generate

    run = uuid.uuid4().hex[:6]
    pick = random.Random(seed)
    actions: Counter[str] = Counter()
    flagged_policies: Counter[str] = Counter()
    labelled: Counter[str] = Counter()
    caught: Counter[str] = Counter()
    by_actor: Counter[str] = Counter()
    latencies: list[float] = []
    queued: list[str] = []
    errors = 0
    started = time.perf_counter()
    for i, event in enumerate(generate(count, seed=seed)):
        labels = list(event.pop("synthetic", {}).get("labels", []))
        event["id"] = f"{event['id']}-{run}"
        due = started + i / rate
        time.sleep(max(0.0, due - time.perf_counter()))
        if pick.random() < async_share:
            response = client.post("/v1/events", json=event)
            if response.status_code == 202:
                queued.append(event["id"])
            else:
                errors += 1
            continue
        for label in labels:
            labelled[label] += 1
        t0 = time.perf_counter()
        response = client.post("/v1/check", json=event)
        latencies.append((time.perf_counter() - t0) * 1000.0)
        if response.status_code != 200:
            errors += 1
            if not quiet:
                click.echo(f"  {response.status_code}  {response.json().get('detail')}")
            continue
        verdict = response.json()
        actions[verdict["action"]] += 1
        hits = [p for p in verdict["policies"] if p["action"] != "allow" and p["mode"] == "live"]
        for p in hits:
            flagged_policies[p["policy"]] += 1
            if p["policy"] in labels:
                caught[p["policy"]] += 1
        if hits:
            by_actor[event["actor"]["id"]] += 1
        if hits and not quiet:
            top = max(hits, key=lambda p: p["score"])
            click.echo(
                f"  {verdict['action']:<6} {top['policy']:<13} {top['score']:.2f}  "
                f"{event['type']:<15} {event['actor']['id']:<10} {_summary_text(event)}"
            )
    elapsed = time.perf_counter() - started
    decided = _await_worker(client, queued)
    _print_summary(count, elapsed, actions, flagged_policies, labelled, caught, latencies, errors)
    click.echo(f"worker: {decided}/{len(queued)} events sent to /v1/events were decided")
    if by_actor:
        actor, n = by_actor.most_common(1)[0]
        history = client.get(f"/v1/entities/user/{actor}/history").json()
        click.echo(
            f"most flagged user {actor}: {n} flagged events; history has "
            f"{len(history.get('verdicts', []))} verdicts, {len(history.get('actions', []))} "
            f"actions (GET /v1/entities/user/{actor}/history)"
        )


def _await_worker(client: Any, ids: list[str], timeout_s: float = 15.0) -> int:
    pending = list(ids)
    deadline = time.monotonic() + timeout_s
    while pending and time.monotonic() < deadline:
        pending = [i for i in pending if client.get(f"/v1/verdicts/{i}").status_code != 200]
        if pending:
            time.sleep(0.25)
    return len(ids) - len(pending)


def _print_summary(
    count: int,
    elapsed: float,
    actions: Counter[str],
    flagged: Counter[str],
    labelled: Counter[str],
    caught: Counter[str],
    latencies: list[float],
    errors: int,
) -> None:
    latencies.sort()

    def pct(q: float) -> float:
        return latencies[min(len(latencies) - 1, int(q * len(latencies)))] if latencies else 0.0

    click.echo("")
    click.echo(f"sent {count} synthetic events in {elapsed:.1f}s ({errors} errors)")
    click.echo(
        "/v1/check actions: "
        + ", ".join(f"{a} {actions[a]}" for a in ("allow", "warn", "review", "hold", "block"))
    )
    click.echo(
        f"/v1/check latency (client side): p50 {pct(0.5):.1f} ms, p95 {pct(0.95):.1f} ms, "
        f"p99 {pct(0.99):.1f} ms"
    )
    click.echo("policy         flagged  labelled  flagged&labelled   (synthetic labels)")
    for policy in sorted(set(flagged) | set(labelled)):
        click.echo(
            f"{policy:<14} {flagged[policy]:>7}  {labelled[policy]:>8}  {caught[policy]:>16}"
        )


COMMANDS = [demo]
