"""Fixtures: every database test runs on SQLite and on PostgreSQL.

PostgreSQL is the server on 127.0.0.1:5432 (`scripts/ensure-services.sh` starts it); the
suite creates a fresh database for the run and drops it at the end. If it cannot be reached
the run fails: PostgreSQL tests are never skipped.
"""

from __future__ import annotations

import asyncio
import os
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import asyncpg
import pytest
import sqlalchemy as sa

from salesauto.config import Settings
from salesauto.kit.db import create_engine
from salesauto.kit.migrate import upgrade_to_head
from salesauto.models import Base
from salesauto.platform import Platform

PG_ADMIN_DSN = os.environ.get(
    "SALESAUTO_TEST_PG_DSN", "postgresql://postgres@127.0.0.1:5432/postgres"
)
BACKENDS = ["sqlite", "postgresql"]
# A developer's real provider keys must never turn a test into a live call.
PROVIDER_ENV = [
    f"{prefix}{name}"
    for prefix in ("", "SALESAUTO_")
    for name in (
        "HUBSPOT_ACCESS_TOKEN",
        "LEMLIST_API_KEY",
        "EXPLORIUM_API_KEY",
        "APOLLO_API_KEY",
        "HUBSPOT_BASE_URL",
        "LEMLIST_BASE_URL",
        "EXPLORIUM_BASE_URL",
        "APOLLO_BASE_URL",
        "HUBSPOT_CLIENT_SECRET",
        "ANTHROPIC_API_KEY",
        "GEMINI_API_KEY",
        "ANTHROPIC_BASE_URL",
        "GEMINI_BASE_URL",
    )
]
for _name in PROVIDER_ENV:
    os.environ.pop(_name, None)
TEST_JOB_MODULES = ["tests.support.jobs"]
# The settings' break-glass key: every test client of the API sends it unless a test is
# about authentication itself (tests/security).
TEST_API_KEY = "test-admin-key-for-the-suite-0123456789abcdef"
AUTH = {"Authorization": f"Bearer {TEST_API_KEY}"}


async def pg_admin(statement: str) -> None:
    conn = await asyncpg.connect(PG_ADMIN_DSN, timeout=10)
    try:
        await conn.execute(statement)
    finally:
        await conn.close()


@pytest.fixture(scope="session")
def postgresql_url() -> Iterator[str]:
    name = f"salesauto_test_{uuid.uuid4().hex[:10]}"
    try:
        asyncio.run(pg_admin(f'CREATE DATABASE "{name}"'))
    except (OSError, asyncpg.PostgresError) as error:
        pytest.fail(
            f"PostgreSQL is unreachable at {PG_ADMIN_DSN} ({error}); run scripts/ensure-services.sh"
        )
    base = PG_ADMIN_DSN.rsplit("/", 1)[0].replace("postgresql://", "postgresql+asyncpg://")
    url = f"{base}/{name}"
    upgrade_to_head(url)
    yield url
    asyncio.run(pg_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@pytest.fixture(scope="session")
def sqlite_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    path: Path = tmp_path_factory.mktemp("sqlite") / "salesauto.db"
    url = f"sqlite+aiosqlite:///{path}"
    upgrade_to_head(url)
    return url


@pytest.fixture(params=BACKENDS)
def database_url(request: pytest.FixtureRequest) -> str:
    url: str = request.getfixturevalue(f"{request.param}_url")
    asyncio.run(_empty_tables(url))
    return url


async def _empty_tables(url: str) -> None:
    engine = create_engine(url, single_connection=True)
    tables = [table.name for table in Base.metadata.sorted_tables]
    async with engine.begin() as conn:
        if engine.dialect.name == "postgresql":
            await conn.execute(sa.text(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE"))
        else:
            for table in reversed(tables):
                await conn.execute(sa.text(f"DELETE FROM {table}"))
            await conn.execute(sa.text("DELETE FROM sqlite_sequence"))
    await engine.dispose()


def make_settings(database_url: str, **overrides: object) -> Settings:
    values: dict[str, object] = {
        "database_url": database_url,
        "environment": "test",
        "job_lease_seconds": 3.0,
        "job_sweep_seconds": 0.5,
        "job_retry_base_seconds": 0.2,
        "job_retry_max_seconds": 2.0,
        "job_poll_seconds": 0.05,
        "job_shutdown_grace_seconds": 5.0,
        "job_modules": TEST_JOB_MODULES,
        "log_level": "WARNING",
        # A poll every minute would pull the sandbox's activities into unrelated tests.
        "lemlist_polling": "off",
        "api_key": TEST_API_KEY,
        # The suite's own clients would pass 100 requests in 15 minutes; tests/security
        # switch the limiter on where it is the subject.
        "rate_limit_enabled": False,
        "allowed_hosts": ["test", "t", "testserver", "127.0.0.1", "localhost", "*.example.test"],
        "secret_key": "test-server-secret-0123456789abcdefghijklmnop",
    }
    values.update(overrides)
    return Settings(_env_file=None, **values)  # type: ignore[arg-type, call-arg]


@pytest.fixture
def settings(database_url: str) -> Settings:
    return make_settings(database_url)


@pytest.fixture
async def platform(settings: Settings) -> AsyncIterator[Platform]:
    built = Platform.build(settings)
    await built.start()
    try:
        yield built
    finally:
        await built.stop()


def worker_env(settings: Settings, **extra: str) -> dict[str, str]:
    """Environment for a `salesauto worker` subprocess using the test database."""
    env = dict(os.environ)
    env.update(
        {
            "SALESAUTO_DATABASE_URL": settings.resolved_database_url,
            "SALESAUTO_JOB_LEASE_SECONDS": str(settings.job_lease_seconds),
            "SALESAUTO_JOB_SWEEP_SECONDS": str(settings.job_sweep_seconds),
            "SALESAUTO_JOB_RETRY_BASE_SECONDS": str(settings.job_retry_base_seconds),
            "SALESAUTO_JOB_RETRY_MAX_SECONDS": str(settings.job_retry_max_seconds),
            "SALESAUTO_JOB_POLL_SECONDS": str(settings.job_poll_seconds),
            "SALESAUTO_JOB_SHUTDOWN_GRACE_SECONDS": str(settings.job_shutdown_grace_seconds),
            "SALESAUTO_JOB_MODULES": '["tests.support.jobs"]',
            "SALESAUTO_LOG_LEVEL": "WARNING",
            "SALESAUTO_API_KEY": TEST_API_KEY,
            "PYTHONPATH": str(Path(__file__).resolve().parent.parent),
        }
    )
    env.update(extra)
    return env
