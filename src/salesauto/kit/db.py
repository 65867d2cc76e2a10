"""Engines and transactions for SQLite and PostgreSQL, with the SQLite settings a queue needs.

SQLite: WAL, `synchronous=NORMAL`, `busy_timeout`, foreign keys, and every transaction opened
with `BEGIN IMMEDIATE` so a read-then-write never fails to upgrade its lock. One connection per
process serialises in-process writers; other processes wait on `busy_timeout`, and the rare
`database is locked` that still escapes is retried with jitter by `retry_locked`.
"""

from __future__ import annotations

import asyncio
import random
import sqlite3
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy import event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError
from sqlalchemy.ext.asyncio import (
    AsyncConnection,
    AsyncEngine,
    create_async_engine,
)
from sqlalchemy.pool import NullPool

T = TypeVar("T")

SQLITE_BUSY_TIMEOUT_MS = 10_000


def _install_sqlite_pragmas(engine: AsyncEngine) -> None:
    @event.listens_for(engine.sync_engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy, not the driver, decide when transactions begin (see "begin" below).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()

    @event.listens_for(engine.sync_engine, "begin")
    def _on_begin(connection: Any) -> None:
        if connection.get_execution_options().get("isolation_level") != "AUTOCOMMIT":
            connection.exec_driver_sql("BEGIN IMMEDIATE")


def create_engine(url: str, *, pool_size: int = 10, single_connection: bool = False) -> AsyncEngine:
    """Build the async engine for `url`, creating the SQLite file's folder when needed."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_async_engine(url, pool_size=1, max_overflow=0, pool_timeout=60)
        _install_sqlite_pragmas(engine)
        return engine
    if single_connection:
        return create_async_engine(url, poolclass=NullPool)
    # No pre-ping: it doubles the round trips of every transaction. Callers retry instead
    # (workers keep going after a database restart; see tests/reliability).
    return create_async_engine(url, pool_size=pool_size, max_overflow=pool_size)


def create_autocommit_engine(url: str, *, pool_size: int = 5) -> AsyncEngine:
    """A PostgreSQL engine whose connections never open a transaction: for one statement
    that is atomic on its own (the single-job enqueue), it saves the BEGIN and COMMIT round
    trips. Its own pool, so no connection switches isolation level on each checkout."""
    return create_async_engine(
        url,
        pool_size=pool_size,
        max_overflow=pool_size,
        isolation_level="AUTOCOMMIT",
        pool_reset_on_return=None,  # never in a transaction, so nothing to roll back
    )


def _is_locked(error: Exception) -> bool:
    text = str(getattr(error, "orig", error)).lower()
    return "database is locked" in text or "database is busy" in text


async def retry_locked(operation: Callable[[], Awaitable[T]], *, attempts: int = 8) -> T:
    """Run `operation`, retrying SQLite lock timeouts with jittered backoff."""
    for attempt in range(attempts):
        try:
            return await operation()
        except (OperationalError, sqlite3.OperationalError) as error:
            # sqlite3's own error too: raw driver calls (dialects.py) bypass SQLAlchemy.
            if not _is_locked(error) or attempt == attempts - 1:
                raise
            await asyncio.sleep(random.uniform(0.01, 0.05) * (2**attempt))
    raise AssertionError("unreachable")


async def driver_connection(conn: AsyncConnection) -> Any:
    """The asyncpg (or aiosqlite) connection under `conn`, inside `conn`'s transaction.

    SQLAlchemy's asyncpg adapter sends BEGIN lazily, with its own first statement; a raw call
    would otherwise run before it, outside the transaction the caller opened.
    """
    raw = await conn.get_raw_connection()
    adapted: Any = raw.dbapi_connection
    if conn.in_transaction() and getattr(adapted, "_transaction", "n/a") is None:
        await adapted._start_transaction()
    return raw.driver_connection
