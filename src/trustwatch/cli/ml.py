"""``trustwatch train``, ``trustwatch evaluate`` and ``trustwatch models list|show|promote``."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

if TYPE_CHECKING:
    from trustwatch.ml.finetune import FinetuneConfig
    from trustwatch.ml.registry import Registry


def _registry(models_dir: Path | None) -> Registry:
    from trustwatch.ml.registry import Registry

    return Registry(models_dir)


_MODELS_DIR = click.option(
    "--models-dir",
    type=click.Path(file_okay=False, path_type=Path),
    help="model registry (default: TRUSTWATCH_MODELS_DIR or the packaged models/)",
)


def _finetune_config() -> FinetuneConfig:
    from trustwatch.ml.finetune import FinetuneConfig

    return FinetuneConfig()


@click.command()
@click.argument("names", nargs=-1)
@_MODELS_DIR
@click.option("--limit", type=int, help="at most this many examples per dataset (quick runs)")
@click.option("--promote", is_flag=True, help="promote each new version once trained")
@click.option(
    "--label-issues",
    type=click.Path(dir_okay=False, path_type=Path),
    help="write cleanlab noisy-label candidates (Markdown) here",
)
@click.option(
    "--labels",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="review decisions (`trustwatch labels export`) to add to each model's training data",
)
@click.option(
    "--finetune",
    is_flag=True,
    help="transformer models: fine-tune MiniLM end to end (torch, CPU) instead of a head",
)
@click.option(
    "--mlflow",
    metavar="URI",
    help="also log each run to MLflow, e.g. sqlite:///mlflow.db (env TRUSTWATCH_MLFLOW_URI)",
)
def train(
    names: tuple[str, ...],
    models_dir: Path | None,
    limit: int | None,
    promote: bool,
    label_issues: Path | None,
    labels: Path | None,
    finetune: bool,
    mlflow: str | None,
) -> None:
    """Train the named models (default: all) on train+val splits and register new versions.

    Names: see `trustwatch models list --specs`.
    """
    from trustwatch.ml.training import SPECS
    from trustwatch.ml.training import train as run

    reg = _registry(models_dir)
    chosen = list(names) or [
        n for n, s in SPECS.items() if not finetune or s.family == "transformer"
    ]
    reviewed = (
        [json.loads(line) for line in labels.open(encoding="utf-8") if line.strip()]
        if labels is not None
        else []
    )
    reports = []
    for name in chosen:
        result = run(
            name,
            registry=reg,
            limit=limit,
            log=lambda m: click.echo(m, err=True),
            labels=reviewed,
            finetune=_finetune_config() if finetune else None,
            mlflow=mlflow,
        )
        if promote:
            reg.promote(result.entry.ref)
            click.echo(f"promoted {result.entry.ref}", err=True)
        click.echo(result.entry.ref)
        if label_issues is not None:
            from trustwatch.ml.noise import label_issue_report

            reports.append(label_issue_report(result))
    if label_issues is not None:
        label_issues.parent.mkdir(parents=True, exist_ok=True)
        label_issues.write_text("\n\n".join(reports) + "\n", encoding="utf-8")
        click.echo(f"label issues → {label_issues}", err=True)


@click.command()
@click.option("--pack", type=click.Path(exists=True, path_type=Path), help="policy pack")
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("reports"),
    show_default=True,
    help="report directory (Markdown, JSON, PNG)",
)
@click.option(
    "--flag-at",
    default="warn",
    show_default=True,
    type=click.Choice(["warn", "review", "hold", "block"]),
    help="the least action that counts as flagged",
)
@click.option("--limit", type=int, help="at most this many test events per task (quick runs)")
@click.option("--task", "tasks", multiple=True, help="dataset:policy (default: all)")
@click.option("--no-evasions", is_flag=True, help="skip recall under evasion mutations")
@click.option(
    "--extras/--no-extras",
    default=True,
    help="also model-level calibration, cross-dataset generalisation and cascade",
)
@click.option(
    "--labels",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="labelled events (review decisions or JSONL with `labels`) to score the pack on",
)
def evaluate(
    pack: Path | None,
    out: Path,
    flag_at: str,
    limit: int | None,
    tasks: tuple[str, ...],
    no_evasions: bool,
    extras: bool,
    labels: Path | None,
) -> None:
    """Run each dataset's held-out split through the engine and write the evaluation report.

    With --labels, score the pack on labelled events instead (review decisions from
    `trustwatch labels export`, or event JSONL with a `labels` list) and print the table.
    """
    from trustwatch.engine import Engine
    from trustwatch.ml import evaluation, report
    from trustwatch.verdicts import Action

    engine = Engine.from_path(pack)
    if labels is not None:
        events = [json.loads(line) for line in labels.open(encoding="utf-8") if line.strip()]
        metrics = evaluation.evaluate_labelled(engine, events, flag_at=Action(flag_at))
        if not metrics:
            raise click.ClickException(f"{labels}: no labelled events for this pack's policies")
        click.echo(f"{'policy':14} {'n':>6} {'pos':>5} {'precision':>9} {'recall':>7} {'F1':>7}")
        for policy, m in sorted(metrics.items()):
            click.echo(
                f"{policy:14} {m['n']:>6} {m['positives']:>5} {m['precision']:>9.4f} "
                f"{m['recall']:>7.4f} {m['f1']:>7.4f}"
            )
        out.mkdir(parents=True, exist_ok=True)
        (out / "labelled_evaluation.json").write_text(json.dumps(metrics, indent=2) + "\n")
        return
    chosen = [t for t in evaluation.TASKS if not tasks or t.key in tasks]
    ev = evaluation.evaluate(
        engine,
        chosen,
        flag_at=Action(flag_at),
        limit=limit,
        mutations=() if no_evasions else None,
        log=lambda m: click.echo(m, err=True),
    )
    if extras:
        from trustwatch.ml import extras as more

        more.add_all(ev, engine, limit=limit, log=lambda m: click.echo(m, err=True))
    path = report.write(ev, out, "trustwatch evaluate " + " ".join(sys.argv[2:]))
    click.echo(str(path))


@click.group()
def models() -> None:
    """The model registry: list, show and promote versioned models."""


@models.command("list")
@_MODELS_DIR
def list_models(models_dir: Path | None) -> None:
    """Every registered model with its versions and the promoted one."""
    reg = _registry(models_dir)
    for name in reg.names():
        promoted = reg.promoted(name)
        for version in reg.versions(name):
            entry = reg.get(f"{name}@{version}")
            mark = "*" if version == promoted else " "
            metrics = entry.card.get("metrics", {})
            click.echo(
                f"{mark} {entry.ref:24} {entry.card.get('family') or '':12} "
                f"{entry.card.get('policy') or '':12} oof F1 {metrics.get('oof_f1@0.5', '-')} "
                f"PR-AUC {metrics.get('oof_pr_auc', '-')}"
            )


@models.command("show")
@click.argument("ref")
@_MODELS_DIR
def show(ref: str, models_dir: Path | None) -> None:
    """The model card of REF (name@version, name@latest or name@promoted) as JSON."""
    reg = _registry(models_dir)
    click.echo(json.dumps(reg.get(ref).card, indent=2, sort_keys=True))


@models.command("promote")
@click.argument("ref")
@_MODELS_DIR
def promote(ref: str, models_dir: Path | None) -> None:
    """Mark REF as the promoted version of its model (after checking its content hashes)."""
    reg = _registry(models_dir)
    entry = reg.promote(ref)
    click.echo(f"promoted {entry.ref}")


@models.command("label-issues")
@click.argument("refs", nargs=-1, required=True)
@_MODELS_DIR
@click.option(
    "-o",
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Markdown file (default: standard output)",
)
@click.option("--top", type=int, default=25, show_default=True)
def label_issues(
    refs: tuple[str, ...], models_dir: Path | None, out: Path | None, top: int
) -> None:
    """cleanlab noisy-label candidates in the training data of each REF (for relabelling)."""
    from trustwatch.ml.noise import report_for

    reg = _registry(models_dir)
    text = "# Noisy-label candidates\n\n" + "\n\n".join(
        report_for(reg.get(ref), top) for ref in refs
    )
    if out is None:
        click.echo(text)
    else:
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(text + "\n", encoding="utf-8")
        click.echo(str(out))


COMMANDS = [train, evaluate, models]
