"""``trustwatch policy validate|test|diff`` and ``trustwatch schemas``."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from trustwatch.policy.pack import LoadedPack


@click.group()
def policy() -> None:
    """Validate, test and compare policy packs."""


def _load(pack: Path | None) -> LoadedPack:
    from trustwatch.errors import PackErrors
    from trustwatch.policy.pack import load_pack

    try:
        return load_pack(pack)
    except PackErrors as exc:
        for error in exc.errors:
            click.echo(f"error: {error}", err=True)
        sys.exit(2)


@policy.command()
@click.argument("pack", required=False, type=click.Path(path_type=Path))
def validate(pack: Path | None) -> None:
    """Check PACK (default: the shipped marketplace pack); errors name file, line and field."""
    loaded = _load(pack)
    click.echo(
        f"ok: {loaded.pack.ref} · {len(loaded.pack.policies)} policies · {len(loaded.files)} files"
    )


@policy.command("test")
@click.argument("pack", required=False, type=click.Path(path_type=Path))
@click.option("-v", "--verbose", is_flag=True, help="list passing examples too")
def test_pack(pack: Path | None, verbose: bool) -> None:
    """Run every policy's must-trigger and must-not-trigger examples."""
    from trustwatch.policy.testing import run_examples

    results = run_examples(_load(pack))
    failed = [r for r in results if not r.passed]
    for r in results:
        if verbose or not r.passed:
            mark = "PASS" if r.passed else "FAIL"
            click.echo(
                f"{mark} {r.policy} {r.kind}[{r.index}] expected {r.expected}, "
                f"got {r.got.value} ({r.score:.2f}): {r.summary}"
            )
    click.echo(f"{len(results) - len(failed)} passed, {len(failed)} failed")
    if failed:
        sys.exit(1)


@policy.command()
@click.argument("old", type=click.Path(path_type=Path))
@click.argument("new", type=click.Path(path_type=Path))
def diff(old: Path, new: Path) -> None:
    """Show what changed between two packs: policies, modes, detectors and action bands."""
    from trustwatch.policy.diff import diff_packs

    changes = diff_packs(_load(old).pack, _load(new).pack)
    for line in changes:
        click.echo(line)
    if not changes:
        click.echo("no changes")


@policy.command()
def detectors() -> None:
    """List the detectors a pack can use, cheapest first, with their parameters."""
    from trustwatch.detectors import load_builtin
    from trustwatch.detectors.base import DETECTORS

    load_builtin()
    for name, cls in sorted(DETECTORS.items(), key=lambda kv: (kv[1].cost, kv[0])):
        params = ", ".join(cls.Params.model_fields) or "-"
        doc = (cls.__doc__ or "").strip().splitlines()[0] if cls.__doc__ else ""
        click.echo(f"{name:28} cost {cls.cost:>6g}  params: {params}\n    {doc}")


@click.command()
@click.option(
    "-o", "--out", type=click.Path(file_okay=False, path_type=Path), help="write one file per type"
)
def schemas(out: Path | None) -> None:
    """Print (or write) the JSON Schema of every event type."""
    from trustwatch.events import json_schemas

    all_schemas = json_schemas()
    if out is None:
        click.echo(json.dumps(all_schemas, indent=2))
        return
    out.mkdir(parents=True, exist_ok=True)
    for event_type, schema in all_schemas.items():
        (out / f"{event_type}.json").write_text(json.dumps(schema, indent=2) + "\n")
    click.echo(f"wrote {len(all_schemas)} schemas to {out}")


COMMANDS = [policy, schemas]
