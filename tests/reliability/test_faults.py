"""Faults: SQLite under four busy processes, and a PostgreSQL restart in the middle of a run."""

from __future__ import annotations

import asyncio
import contextlib
import os
import random
import shutil
import subprocess
import tempfile
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

from salesauto.jobs.repository import NewJob
from salesauto.jobs.schemas import JobSubmit
from salesauto.kit.errors import Conflict
from salesauto.kit.migrate import upgrade_to_head
from salesauto.platform import Platform
from tests.api.conftest import free_port
from tests.conftest import make_settings
from tests.reliability.processes import WorkerProcess
from tests.support.waiting import eventually, scalar

pytestmark = pytest.mark.slow

SOAK_SECONDS = float(os.environ.get("SALESAUTO_SOAK_SECONDS", "12"))


@pytest.mark.timeout(420)
@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
async def test_sqlite_soak_four_processes_never_surface_locks(platform: Platform) -> None:
    workers = [WorkerProcess(platform.settings, concurrency=4) for _ in range(4)]
    submitted = 0
    deadline = time.monotonic() + SOAK_SECONDS
    try:
        while time.monotonic() < deadline:
            await platform.queue.enqueue_many([NewJob(type="test.record") for _ in range(20)])
            flaky = await platform.jobs.submit(
                JobSubmit(type="test.fail", parameters={"succeed_on_attempt": 2}), "default"
            )
            doomed = await platform.jobs.submit(
                JobSubmit(type="sleep", parameters={"seconds": 5}), "default"
            )
            with contextlib.suppress(Conflict):
                await platform.jobs.cancel(doomed.job_id, "default")
            submitted += 22
            assert flaky.created
            await asyncio.sleep(random.uniform(0.01, 0.1))
        await eventually(
            lambda: scalar(
                platform.engine,
                "SELECT count(*) FROM jobs WHERE status IN ('queued', 'processing')",
            ),
            lambda n: n == 0,
            # Generous: CI runs this beside other tests on two cores.
            timeout=300,
        )
    finally:
        codes = [worker.stop() for worker in workers]
    outputs = "\n".join(worker.output() for worker in workers)

    assert codes == [0, 0, 0, 0]
    assert "locked" not in outputs.lower(), outputs[-2000:]
    assert await scalar(platform.engine, "SELECT count(*) FROM jobs") == submitted
    assert await scalar(platform.engine, "SELECT count(*) FROM jobs WHERE status = 'failed'") == 0
    records = await scalar(platform.engine, "SELECT count(*) FROM jobs WHERE type = 'test.record'")
    assert await scalar(platform.engine, "SELECT count(*) FROM job_results") == records


def _pg_bin() -> Path:
    candidates = sorted(Path("/usr/lib/postgresql").glob("*/bin"))
    if not candidates:
        pytest.fail("PostgreSQL server binaries not found under /usr/lib/postgresql")
    return candidates[-1]


class ThrowawayPostgres:
    """A private PostgreSQL cluster this test may restart without disturbing the others."""

    def __init__(self) -> None:
        self.bin = _pg_bin()
        self.root = Path(tempfile.mkdtemp(prefix="salesauto-pg-"))
        self.data = self.root / "data"
        self.port = free_port()
        self.as_pg: list[str] = []
        if os.geteuid() == 0:  # PostgreSQL refuses to run as root
            shutil.chown(self.root, "postgres")
            self.as_pg = ["runuser", "-u", "postgres", "--"]

    def run(self, *args: str) -> None:
        # No pipes: the postmaster would inherit them and keep them open.
        subprocess.run(
            [*self.as_pg, *args],
            check=True,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            timeout=60,
        )

    def start(self) -> None:
        options = f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1"
        log = str(self.root / "server.log")
        self.run(
            str(self.bin / "pg_ctl"), "-D", str(self.data), "-o", options, "-l", log, "-w", "start"
        )

    def stop(self) -> None:
        self.run(str(self.bin / "pg_ctl"), "-D", str(self.data), "-m", "fast", "-w", "stop")

    def __enter__(self) -> ThrowawayPostgres:
        self.run(str(self.bin / "initdb"), "-D", str(self.data), "-A", "trust", "-U", "postgres")
        self.start()
        return self

    def __exit__(self, *_: object) -> None:
        with contextlib.suppress(subprocess.CalledProcessError):
            self.stop()
        shutil.rmtree(self.root, ignore_errors=True)

    @property
    def url(self) -> str:
        return f"postgresql+asyncpg://postgres@127.0.0.1:{self.port}/postgres"


@pytest.fixture
def throwaway_postgres() -> Iterator[ThrowawayPostgres]:
    with ThrowawayPostgres() as cluster:
        upgrade_to_head(cluster.url)
        yield cluster


@pytest.fixture
async def restart_platform(throwaway_postgres: ThrowawayPostgres) -> AsyncIterator[Platform]:
    built = Platform.build(make_settings(throwaway_postgres.url))
    await built.start(events=False)
    try:
        yield built
    finally:
        await built.stop()


async def test_postgresql_restart_loses_no_jobs(
    throwaway_postgres: ThrowawayPostgres, restart_platform: Platform
) -> None:
    platform = restart_platform
    total = 600
    await platform.queue.enqueue_many(
        [NewJob(type="test.record", parameters={"seconds": 0.05}) for _ in range(total)]
    )
    workers = [WorkerProcess(platform.settings, concurrency=4) for _ in range(2)]
    try:
        await eventually(
            lambda: scalar(platform.engine, "SELECT count(*) FROM jobs WHERE status = 'completed'"),
            lambda n: n >= total // 5,
        )
        await asyncio.to_thread(throwaway_postgres.stop)
        await asyncio.sleep(1.0)
        await asyncio.to_thread(throwaway_postgres.start)
        await platform.engine.dispose()  # the test's own pool holds dead connections too
        await eventually(
            lambda: scalar(platform.engine, "SELECT count(*) FROM jobs WHERE status = 'completed'"),
            lambda n: n == total,
            timeout=90,
        )
        assert all(worker.process.poll() is None for worker in workers), "workers survived"
    finally:
        codes = [worker.stop() for worker in workers]
    assert codes == [0, 0]
    distinct = await scalar(platform.engine, "SELECT count(DISTINCT item_key) FROM job_results")
    assert distinct == total


@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
async def test_enqueue_recovers_after_its_connections_are_killed(platform: Platform) -> None:
    await platform.queue.enqueue(NewJob(type="noop"))  # warm the pools
    async with platform.engine.connect() as conn:
        killed = await conn.exec_driver_sql(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
        assert any(row[0] for row in killed), "the pools' connections were terminated"
    outcomes = []
    for _ in range(4):
        try:
            await platform.queue.enqueue(NewJob(type="noop"))
            outcomes.append("ok")
        except Exception as error:  # the first call may meet the dead connection
            outcomes.append(type(error).__name__)
    assert outcomes[-2:] == ["ok", "ok"], outcomes
