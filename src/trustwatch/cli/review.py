"""``trustwatch users`` (console accounts) and ``trustwatch labels export`` (human labels)."""

from __future__ import annotations

import sys
from pathlib import Path

import click

_store_option = click.option(
    "--store",
    "store_url",
    help="SQLAlchemy URL of the store (default: TRUSTWATCH_DATABASE_URL or the embedded SQLite)",
)
_ROLES = ["admin", "moderator", "analyst"]


def _store_url(store_url: str | None) -> str:
    from trustwatch.settings import get_settings

    if store_url:
        return store_url
    settings = get_settings()
    if not settings.database_url:
        settings.ensure_data_dir()
    return settings.store_url


@click.group()
def users() -> None:
    """Review console accounts: admin, moderator, analyst (read-only)."""


@users.command("create")
@click.option("--username", required=True)
@click.option("--role", type=click.Choice(_ROLES), required=True)
@click.option(
    "--password-stdin",
    is_flag=True,
    help="read the password from standard input instead of generating one",
)
@_store_option
def create_user(username: str, role: str, password_stdin: bool, store_url: str | None) -> None:
    """Create a user; prints the generated password once (only its argon2 hash is stored)."""
    from trustwatch.review.auth import generate_password
    from trustwatch.review.domain import Role
    from trustwatch.review.service import ReviewService
    from trustwatch.store.sql import SqlStore

    password = sys.stdin.readline().rstrip("\r\n") if password_stdin else generate_password()
    store = SqlStore(_store_url(store_url))
    try:
        ReviewService(store).create_user(None, username, Role(role), password)
    finally:
        store.close()
    if password_stdin:
        click.echo(f"created {role} {username}")
    else:
        click.echo(f"created {role} {username} with password: {password}")


@users.command("set-role")
@click.option("--username", required=True)
@click.option("--role", type=click.Choice(_ROLES), required=True)
@_store_option
def set_role(username: str, role: str, store_url: str | None) -> None:
    """Change a user's role (written to the audit log; their sessions end)."""
    from trustwatch.review.domain import Role
    from trustwatch.review.service import ReviewService
    from trustwatch.store.sql import SqlStore

    store = SqlStore(_store_url(store_url))
    try:
        ReviewService(store).set_role(None, username, Role(role))
    finally:
        store.close()
    click.echo(f"{username} is now {role}")


@users.command("disable")
@click.option("--username", required=True)
@click.option("--enable", is_flag=True, help="let a disabled user sign in again")
@_store_option
def disable(username: str, enable: bool, store_url: str | None) -> None:
    """Lock a user out of the console (their sessions end); audited."""
    from trustwatch.review.service import ReviewService
    from trustwatch.store.sql import SqlStore

    store = SqlStore(_store_url(store_url))
    try:
        ReviewService(store).set_disabled(None, username, not enable)
    finally:
        store.close()
    click.echo(f"{username} is {'enabled' if enable else 'disabled'}")


@click.group()
def labels() -> None:
    """Labels from review decisions, for train and evaluate."""


@labels.command("export")
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    required=True,
    help="JSONL file to write: each event plus its label",
)
@_store_option
def export(output: Path, store_url: str | None) -> None:
    """Write every labelled event: the event JSON plus {"label": {policy, value, ...}}."""
    from trustwatch.review.labels import export_labels, write_labels

    count = write_labels(export_labels(_store_url(store_url)), output)
    click.echo(f"wrote {count} labelled events to {output}", err=True)


COMMANDS = [users, labels]
