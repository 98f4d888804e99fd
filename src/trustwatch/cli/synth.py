"""``trustwatch synth``: write labelled synthetic marketplace events as JSONL."""

from __future__ import annotations

import sys
from datetime import datetime
from pathlib import Path

import click

from trustwatch.synth.generator import POLICIES


@click.command()
@click.option(
    "-n", "count", type=click.IntRange(min=0), default=1000, show_default=True, help="events"
)
@click.option("--seed", type=int, default=7, show_default=True)
@click.option("--positive-rate", type=click.FloatRange(0, 1), default=0.35, show_default=True)
@click.option(
    "--evasion-rate",
    type=click.FloatRange(0, 1),
    default=0.3,
    show_default=True,
    help="share of violating events (those with key words) that get disguised",
)
@click.option(
    "--hard-negative-rate",
    type=click.FloatRange(0, 1),
    default=0.15,
    show_default=True,
    help="share of clean episodes built to look suspicious",
)
@click.option(
    "--policy",
    "policies",
    multiple=True,
    type=click.Choice(POLICIES),
    help="only these policies' violations (repeat the option); default: all",
)
@click.option(
    "--start",
    type=click.DateTime(formats=["%Y-%m-%dT%H:%M:%SZ", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d"]),
    help="time of the first event, UTC (default 2026-11-02T09:00:00Z)",
)
@click.option(
    "--malformed",
    type=click.IntRange(min=0),
    default=0,
    show_default=True,
    help="add this many malformed lines, spread through the file, to demonstrate rejects",
)
@click.option(
    "-o",
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    help="JSONL file to write; default: standard output",
)
@click.option("--stats", is_flag=True, help="print label, evasion and length statistics to stderr")
@click.option(
    "--follow",
    is_flag=True,
    help="stream events as they happen, starting now, until -n events (0: forever)",
)
@click.option(
    "--speed",
    type=click.FloatRange(min=0, min_open=True),
    default=1.0,
    show_default=True,
    help="with --follow: how many times faster than real time",
)
def synth(
    count: int,
    seed: int,
    positive_rate: float,
    evasion_rate: float,
    hard_negative_rate: float,
    policies: tuple[str, ...],
    start: datetime | None,
    malformed: int,
    out: Path | None,
    stats: bool,
    follow: bool,
    speed: float,
) -> None:
    """Generate synthetic, labelled marketplace events as JSONL (deterministic for a seed).

    Ground truth is in each event's "synthetic" field. The data is synthetic: figures
    measured on it must say so. With --follow, events are written as they happen (from
    now, at --speed times real time) for demos and soak tests.
    """
    import json
    from datetime import UTC

    from trustwatch.synth import generate, malformed_lines
    from trustwatch.synth.stats import describe

    if follow:
        _follow(count, seed, positive_rate, evasion_rate, hard_negative_rate, policies, out, speed)
        return
    events = list(
        generate(
            count,
            seed=seed,
            positive_rate=positive_rate,
            evasion_rate=evasion_rate,
            hard_negative_rate=hard_negative_rate,
            start=start.replace(tzinfo=UTC) if start else None,
            policies=policies or None,
        )
    )
    lines = [json.dumps(event, ensure_ascii=False) for event in events]
    if malformed:
        step = max(1, len(lines) // (malformed + 1))
        for i, bad in enumerate(malformed_lines(malformed, seed=seed)):
            lines.insert(min(len(lines), (i + 1) * step + i), bad)
    text = "\n".join(lines) + ("\n" if lines else "")
    if out is None:
        sys.stdout.write(text)
    else:
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(text, encoding="utf-8")
    if stats:
        _print_stats(describe(events), malformed)


def _follow(
    count: int,
    seed: int,
    positive_rate: float,
    evasion_rate: float,
    hard_negative_rate: float,
    policies: tuple[str, ...],
    out: Path | None,
    speed: float,
) -> None:
    """Write each event when its time comes (scaled by ``speed``), flushing as it goes."""
    import json
    import time
    from datetime import UTC

    from trustwatch.synth import stream

    start = datetime.now(UTC).replace(microsecond=0)
    began = time.monotonic()
    events = stream(
        seed=seed,
        positive_rate=positive_rate,
        evasion_rate=evasion_rate,
        hard_negative_rate=hard_negative_rate,
        start=start,
        policies=policies or None,
    )
    sink = out.open("a", encoding="utf-8") if out else sys.stdout
    try:
        for written, event in enumerate(events):
            if count and written >= count:
                break
            due = (datetime.fromisoformat(event["occurred_at"]) - start).total_seconds() / speed
            wait = due - (time.monotonic() - began)
            if wait > 0:
                time.sleep(wait)
            sink.write(json.dumps(event, ensure_ascii=False) + "\n")
            sink.flush()
    except KeyboardInterrupt:
        pass
    finally:
        if out:
            sink.close()


def _print_stats(summary: object, malformed: int) -> None:
    from rich.console import Console
    from rich.table import Table

    from trustwatch.synth.stats import Summary

    assert isinstance(summary, Summary)
    console = Console(stderr=True)
    n = max(summary.events, 1)
    console.print(
        f"[bold]synthetic data[/] · events {summary.events} · malformed lines {malformed} · "
        f"positives {summary.positives} ({summary.positive_rate:.1%}) · hard negatives "
        f"{summary.hard_negatives} ({summary.hard_negatives / n:.1%}) · evaded "
        f"{summary.evaded} ({summary.evaded / max(summary.positives, 1):.1%} of positives) · "
        f"templates {len(summary.templates)} in {len(summary.families)} families"
    )
    counts = Table(title="events by type, label and evasion")
    counts.add_column("kind")
    counts.add_column("name")
    counts.add_column("events", justify="right")
    counts.add_column("share", justify="right")
    for kind, counter in (
        ("type", summary.types),
        ("label", summary.labels),
        ("evasion", summary.evasions),
    ):
        for name, value in counter.most_common():
            counts.add_row(kind, name, str(value), f"{value / n:.1%}")
    console.print(counts)
    lengths = Table(title="text length (characters)")
    for column in ("field", "n", "min", "p10", "median", "p90", "p99", "max"):
        lengths.add_column(column, justify="left" if column == "field" else "right")
    for name in sorted(summary.lengths):
        q = summary.length_quantiles(name)
        lengths.add_row(
            name, *(f"{q[k]:.0f}" for k in ("n", "min", "p10", "median", "p90", "p99", "max"))
        )
    console.print(lengths)


COMMANDS = [synth]
