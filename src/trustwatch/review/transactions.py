"""Transactions on the store's engine, taken the way the store takes them, and upserts."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, Engine, Table
from sqlalchemy.dialects import postgresql, sqlite

from trustwatch.store.sql import write_transaction


def writing(engine: Engine) -> AbstractContextManager[Connection]:
    return write_transaction(engine)


@contextmanager
def reading(engine: Engine) -> Iterator[Connection]:
    with engine.connect() as conn, conn.begin():
        yield conn


def _dialect(engine: Engine) -> Any:
    return postgresql if engine.dialect.name == "postgresql" else sqlite


def upsert(engine: Engine, table: Table, keys: list[str], values: dict[str, Any]) -> Any:
    stmt = _dialect(engine).insert(table).values(**values)
    return stmt.on_conflict_do_update(
        index_elements=keys, set_={k: v for k, v in values.items() if k not in keys}
    )


def insert_ignore(engine: Engine, table: Table) -> Any:
    return _dialect(engine).insert(table).on_conflict_do_nothing()


def utc(value: datetime) -> datetime:
    """Database timestamps as aware UTC (SQLite hands them back naive)."""
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
