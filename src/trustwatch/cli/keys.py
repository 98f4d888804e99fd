"""``trustwatch keys create|list|revoke``: API keys with scopes, stored hashed."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

import click

if TYPE_CHECKING:
    from trustwatch.store.sql import SqlStore


@click.group()
def keys() -> None:
    """Create, list and revoke API keys (scopes: check, ingest, read, admin)."""


def _store() -> SqlStore:
    from trustwatch.settings import get_settings
    from trustwatch.store.sql import SqlStore

    settings = get_settings()
    if settings.store_url.startswith("sqlite:///"):
        settings.ensure_data_dir()
    return SqlStore(settings.store_url)


@keys.command()
@click.option("--name", required=True, help="who or what uses the key, e.g. marketplace-backend")
@click.option(
    "--scopes",
    required=True,
    help="comma-separated, from: check, ingest, read, admin",
)
@click.option("--rate-limit", type=click.FloatRange(min=0.1), help="requests/s for this key")
def create(name: str, scopes: str, rate_limit: float | None) -> None:
    """Create a key; the key itself is printed once, on the last line."""
    from trustwatch.errors import ConfigError

    store = _store()
    try:
        record, plaintext = store.create_api_key(
            name, [s.strip() for s in scopes.split(",") if s.strip()], rate_limit_per_s=rate_limit
        )
    except ConfigError as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(2)
    finally:
        store.close()
    click.echo(f"created key {record.id} '{record.name}' scopes={','.join(sorted(record.scopes))}")
    click.echo("store it now; it cannot be shown again:")
    click.echo(plaintext)


@keys.command("list")
def list_keys() -> None:
    """Every key with its scopes (never the key itself)."""
    store = _store()
    try:
        for k in store.list_api_keys():
            state = f"revoked {k.revoked_at:%Y-%m-%d}" if k.revoked_at else "live"
            limit = f" {k.rate_limit_per_s:g}/s" if k.rate_limit_per_s else ""
            click.echo(f"{k.id}  {k.name}  {','.join(sorted(k.scopes))}{limit}  {state}")
    finally:
        store.close()


@keys.command()
@click.argument("key_id")
def revoke(key_id: str) -> None:
    """Revoke KEY_ID (servers stop accepting it within TRUSTWATCH_KEY_CACHE_TTL_S)."""
    from trustwatch.store.sql import StoreNotFoundError

    store = _store()
    try:
        store.revoke_api_key(key_id)
    except StoreNotFoundError as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(2)
    finally:
        store.close()
    click.echo(f"revoked {key_id}")


COMMANDS = [keys]
