"""``trustwatch scan``: files in, verdicts out."""

from __future__ import annotations

import sys
from pathlib import Path

import click

EXIT_REJECTS = 3


@click.command()
@click.argument("source", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "-o",
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    help="verdicts file (.jsonl or .parquet); default: standard output",
)
@click.option(
    "--pack",
    type=click.Path(exists=True, path_type=Path),
    help="policy pack (default: marketplace)",
)
@click.option(
    "--rejects",
    type=click.Path(dir_okay=False, path_type=Path),
    help="where malformed records go (default: OUT.rejects.jsonl or ./rejects.jsonl)",
)
@click.option(
    "--mode", type=click.Choice(["live", "shadow", "backtest"]), default="live", show_default=True
)
@click.option("--quiet", is_flag=True, help="no progress bar or summary")
def scan(
    source: Path, out: Path | None, pack: Path | None, rejects: Path | None, mode: str, quiet: bool
) -> None:
    """Scan SOURCE (JSONL, CSV or Parquet events) and write one verdict per event.

    Exits 0 when every record was an event, 3 when some went to the rejects file.
    """
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from trustwatch.engine import Engine
    from trustwatch.scan import VerdictWriter
    from trustwatch.scan import scan as run_scan
    from trustwatch.verdicts import Mode

    err = Console(stderr=True)
    engine = Engine.from_path(pack, mode=Mode(mode))
    rejects_path = rejects or (
        out.with_name(out.name + ".rejects.jsonl") if out else Path("rejects.jsonl")
    )
    writer = VerdictWriter(out, stream=None if out else sys.stdout)
    show = not quiet and out is not None and err.is_terminal
    if show:
        with Progress(
            TextColumn("scanning"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=err,
            transient=True,
        ) as bar:
            task = bar.add_task("scan", total=None)
            stats = run_scan(
                engine, source, writer, rejects_path, progress=lambda: bar.advance(task)
            )
    else:
        stats = run_scan(engine, source, writer, rejects_path)
    if not quiet:
        _summary(err, stats, rejects_path, engine.pack.ref)
    if stats.rejects:
        sys.exit(EXIT_REJECTS)


def _summary(console: object, stats: object, rejects_path: Path, pack_ref: str) -> None:
    from rich.console import Console
    from rich.table import Table

    from trustwatch.scan import ScanStats
    from trustwatch.verdicts import Action

    assert isinstance(console, Console) and isinstance(stats, ScanStats)
    table = Table(title=f"trustwatch scan · pack {pack_ref}")
    table.add_column("policy")
    for action in Action:
        table.add_column(action.value, justify="right")
    for policy, counts in sorted(stats.by_policy.items()):
        table.add_row(policy, *(str(counts.get(a.value, 0)) for a in Action))
    table.add_row("[bold]event action[/]", *(str(stats.actions.get(a.value, 0)) for a in Action))
    console.print(table)
    console.print(
        f"events {stats.events} · rejects {stats.rejects}"
        + (f" (→ {rejects_path})" if stats.rejects else "")
        + f" · {stats.events_per_second:,.0f} events/s"
    )


COMMANDS = [scan]
