"""Benchmark of the durable job queue on SQLite and PostgreSQL.

Four figures per database, each measured on a freshly migrated database:

- single enqueue/s: sequential `Queue.enqueue` calls, one transaction each;
- bulk enqueue/s: one `Queue.enqueue_many` call (default chunk size);
- drain/s: one `salesauto worker` process with default settings empties a backlog of
  `noop` jobs, counted from the process spawn (start-up included) and in steady state
  (first claim to last completion);
- pickup latency p50/p99: from just before `enqueue` to the job's `started_at`, with an
  idle worker process waiting for work. `started_at` is the worker's clock read just before
  its claim transaction, so the claim statement's own duration is not included.

Run `python bench/queue.py` (or `make bench`); the table goes to stdout, progress to stderr
and every figure to `bench/results/queue.json`. PostgreSQL databases are created on the
server as `salesauto_bench_*` and dropped at the end.
"""

from __future__ import annotations

import sys
from pathlib import Path

# This file shadows the standard library's `queue` (which aiosqlite and the thread pools
# import), because Python puts the script's folder first on sys.path. Take it out.
if sys.path and Path(sys.path[0]).resolve() == Path(__file__).resolve().parent:
    sys.path.pop(0)

import argparse
import asyncio
import contextlib
import json
import math
import os
import signal
import sqlite3
import statistics
import subprocess
import tempfile
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from platform import platform as os_description
from typing import IO, Any, TypeVar

import asyncpg
import sqlalchemy as sa
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine
from sqlalchemy.pool import NullPool

from salesauto.config import Settings
from salesauto.jobs.repository import NewJob
from salesauto.kit.migrate import upgrade_to_head
from salesauto.kit.types import UtcDateTime
from salesauto.observability.logging import configure_logging
from salesauto.platform import Platform

T = TypeVar("T")

BACKENDS = ("sqlite", "postgresql")
PG_ADMIN_DSN = "postgresql://postgres@127.0.0.1:5432/postgres"
RESULTS_PATH = Path(__file__).resolve().parent / "results" / "queue.json"

NOOP = NewJob(type="noop")

DRAIN_POLL_SECONDS = 0.25
DRAIN_TIMEOUT_SECONDS = 300.0
WORKER_START_TIMEOUT_SECONDS = 60.0
WORKER_STOP_TIMEOUT_SECONDS = 60.0
LATENCY_JOBS = 200
LATENCY_GAP_SECONDS = 0.02
LATENCY_IDLE_SECONDS = 1.5

COUNT_COMPLETED = "SELECT count(*) FROM jobs WHERE status = 'completed'"


# -- what we report ------------------------------------------------------------------------


@dataclass(frozen=True)
class Metric:
    key: str
    label: str
    unit: str

    def format(self, value: float) -> str:
        return f"{value:,.1f}" if self.unit == "ms" else f"{value:,.0f}"


METRICS = (
    Metric("single_enqueue_per_s", "single enqueue", "jobs/s"),
    Metric("bulk_enqueue_per_s", "bulk enqueue", "jobs/s"),
    Metric("drain_per_s", "drain, from worker spawn", "jobs/s"),
    Metric("drain_steady_per_s", "drain, steady (claim → last done)", "jobs/s"),
    Metric("pickup_p50_ms", "pickup latency p50", "ms"),
    Metric("pickup_p99_ms", "pickup latency p99", "ms"),
    Metric("pickup_max_ms", "pickup latency max", "ms"),
)


@dataclass
class BackendResults:
    """Every run's figures for one database, plus the drain's correctness checks."""

    backend: str
    runs: list[dict[str, float]] = field(default_factory=list)
    checks: list[dict[str, Any]] = field(default_factory=list)
    worker_logs: list[str] = field(default_factory=list)

    def median(self, key: str) -> float:
        return statistics.median(run[key] for run in self.runs)

    @property
    def all_checks_passed(self) -> bool:
        return all(check["ok"] for check in self.checks)

    def to_json(self) -> dict[str, Any]:
        return {
            "median": {metric.key: round(self.median(metric.key), 1) for metric in METRICS},
            "runs": [{key: round(value, 1) for key, value in run.items()} for run in self.runs],
            "drain_checks": self.checks,
            "worker_log": self.worker_logs,
        }


def nearest_rank(sorted_values: Sequence[float], percentile: float) -> float:
    """The nearest-rank percentile of already sorted values."""
    rank = max(1, math.ceil(percentile / 100 * len(sorted_values)))
    return sorted_values[rank - 1]


def progress(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


# -- databases -----------------------------------------------------------------------------


async def pg_admin(admin_dsn: str, statement: str) -> None:
    conn = await asyncpg.connect(admin_dsn, timeout=10)
    try:
        await conn.execute(statement)
    finally:
        await conn.close()


@contextlib.asynccontextmanager
async def fresh_database(backend: str, admin_dsn: str) -> AsyncIterator[str]:
    """A migrated, empty database for one phase; yields its SQLAlchemy URL."""
    if backend == "sqlite":
        with tempfile.TemporaryDirectory(prefix="salesauto_bench_") as folder:
            url = f"sqlite+aiosqlite:///{Path(folder) / 'salesauto.db'}"
            upgrade_to_head(url)
            yield url
        return
    name = f"salesauto_bench_{uuid.uuid4().hex[:10]}"
    await pg_admin(admin_dsn, f'CREATE DATABASE "{name}"')
    try:
        url = (
            make_url(admin_dsn)
            .set(drivername="postgresql+asyncpg", database=name)
            .render_as_string(hide_password=False)
        )
        upgrade_to_head(url)
        yield url
    finally:
        await pg_admin(admin_dsn, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@contextlib.asynccontextmanager
async def started_platform(url: str) -> AsyncIterator[Platform]:
    """The enqueuing side, as an API process has it: engine, queue and NOTIFY sender."""
    settings = Settings(database_url=url, log_level="WARNING", _env_file=None)
    app = Platform.build(settings)
    await app.start(events=False)
    try:
        yield app
    finally:
        await app.stop()


@contextlib.asynccontextmanager
async def reader(url: str) -> AsyncIterator[AsyncEngine]:
    """An engine for the benchmark's own reads.

    Not the platform's engine: on SQLite that one opens every transaction with
    `BEGIN IMMEDIATE`, so polling through it would take the write lock from the worker.
    """
    engine = create_async_engine(url, poolclass=NullPool)
    try:
        yield engine
    finally:
        await engine.dispose()


async def scalar(engine: AsyncEngine, query: str) -> Any:
    async with engine.connect() as conn:
        return (await conn.execute(sa.text(query))).scalar_one()


# -- the worker process --------------------------------------------------------------------


class WorkerProcess:
    """`python -m salesauto worker --no-scheduler` with default settings, its stderr kept."""

    def __init__(
        self, process: asyncio.subprocess.Process, spawned_at: float, log: IO[bytes]
    ) -> None:
        self.process = process
        self.spawned_at = spawned_at
        self.log = log
        self.exit_code: int | None = None
        self.stderr = ""

    def check_alive(self) -> None:
        if self.process.returncode is not None:
            raise RuntimeError(
                f"the worker exited with code {self.process.returncode}:\n{self.read_log()}"
            )

    def read_log(self, limit: int = 4_000) -> str:
        """The end of the worker's stderr; only once it has exited (the offset is shared)."""
        self.log.seek(0)
        return self.log.read()[-limit:].decode(errors="replace").strip()


def worker_environment(url: str) -> dict[str, str]:
    """This environment without any SALESAUTO_ setting, so the worker runs on defaults."""
    env = {name: value for name, value in os.environ.items() if not name.startswith("SALESAUTO_")}
    env["SALESAUTO_DATABASE_URL"] = url
    env["SALESAUTO_LOG_LEVEL"] = "WARNING"
    return env


@contextlib.asynccontextmanager
async def worker_process(url: str) -> AsyncIterator[WorkerProcess]:
    """Spawn a worker; on exit SIGTERM it, wait for its graceful stop and keep its stderr."""
    # An empty working directory: no `.env` there to change the defaults.
    with (
        tempfile.TemporaryDirectory(prefix="salesauto_bench_") as folder,
        tempfile.TemporaryFile() as log,
    ):
        spawned_at = time.time()
        process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "salesauto",
            "worker",
            "--no-scheduler",
            env=worker_environment(url),
            cwd=folder,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=log,
        )
        worker = WorkerProcess(process, spawned_at, log)
        try:
            yield worker
        finally:
            if process.returncode is None:
                process.send_signal(signal.SIGTERM)
                try:
                    await asyncio.wait_for(process.wait(), WORKER_STOP_TIMEOUT_SECONDS)
                except TimeoutError:
                    process.kill()
                    await process.wait()
            worker.exit_code = process.returncode
            worker.stderr = worker.read_log()


async def wait_for_count(
    engine: AsyncEngine,
    query: str,
    target: int,
    *,
    interval: float,
    limit_seconds: float,
    worker: WorkerProcess,
) -> None:
    """Poll `query` (a count) every `interval` seconds until it reaches `target`."""
    deadline = time.monotonic() + limit_seconds
    while True:
        count = await scalar(engine, query)
        if count >= target:
            return
        worker.check_alive()
        if time.monotonic() > deadline:
            raise TimeoutError(f"{count} of {target} after {limit_seconds:.0f} s: {query}")
        await asyncio.sleep(interval)


# -- the phases ----------------------------------------------------------------------------


async def measure_single_enqueue(url: str, count: int) -> dict[str, float]:
    async with started_platform(url) as app:
        started = time.perf_counter()
        for _ in range(count):
            await app.queue.enqueue(NOOP)
        elapsed = time.perf_counter() - started
    return {"single_enqueue_per_s": count / elapsed}


async def measure_bulk_enqueue(url: str, count: int) -> dict[str, float]:
    async with started_platform(url) as app:
        started = time.perf_counter()
        ids = await app.queue.enqueue_many([NOOP] * count)
        elapsed = time.perf_counter() - started
    if len(ids) != count:
        raise RuntimeError(f"enqueue_many returned {len(ids)} ids for {count} jobs")
    return {"bulk_enqueue_per_s": count / elapsed}


@dataclass(frozen=True)
class DrainOutcome:
    figures: dict[str, float]
    check: dict[str, Any]
    worker_log: str


async def measure_drain(url: str, count: int) -> DrainOutcome:
    async with started_platform(url) as app:
        await app.queue.enqueue_many([NOOP] * count)
    async with reader(url) as engine:
        async with worker_process(url) as worker:
            await wait_for_count(
                engine,
                COUNT_COMPLETED,
                count,
                interval=DRAIN_POLL_SECONDS,
                limit_seconds=DRAIN_TIMEOUT_SECONDS,
                worker=worker,
            )
        query = sa.text(
            """
            SELECT count(*) AS total,
                   sum(CASE WHEN status = 'completed' THEN 1 ELSE 0 END) AS completed,
                   sum(CASE WHEN status = 'completed' AND attempts = 1 THEN 1 ELSE 0 END)
                       AS first_attempt,
                   min(started_at) AS first_started,
                   max(completed_at) AS last_completed
            FROM jobs
            """
        ).columns(first_started=UtcDateTime(), last_completed=UtcDateTime())
        async with engine.connect() as conn:
            row = (await conn.execute(query)).one()
    last_completed = row.last_completed.timestamp()
    check = {
        "jobs": count,
        "rows": row.total,
        "completed": int(row.completed),
        "completed_first_attempt": int(row.first_attempt),
        "worker_exit_code": worker.exit_code,
    }
    check["ok"] = (
        check["rows"] == check["completed"] == check["completed_first_attempt"] == count
        and worker.exit_code == 0
    )
    figures = {
        "drain_per_s": count / (last_completed - worker.spawned_at),
        "drain_steady_per_s": count / (last_completed - row.first_started.timestamp()),
    }
    return DrainOutcome(figures, check, worker.stderr)


async def measure_pickup_latency(url: str) -> tuple[dict[str, float], str]:
    sent_at: dict[int, float] = {}
    async with reader(url) as engine:
        async with started_platform(url) as app, worker_process(url) as worker:
            # A warm-up job proves the worker is up; then let it sit idle for a while.
            await app.queue.enqueue(NOOP)
            await wait_for_count(
                engine,
                COUNT_COMPLETED,
                1,
                interval=0.05,
                limit_seconds=WORKER_START_TIMEOUT_SECONDS,
                worker=worker,
            )
            await asyncio.sleep(LATENCY_IDLE_SECONDS)
            for _ in range(LATENCY_JOBS):
                before = time.time()
                enqueued = await app.queue.enqueue(NOOP)
                sent_at[enqueued.job_id] = before
                await asyncio.sleep(LATENCY_GAP_SECONDS)
            await wait_for_count(
                engine,
                COUNT_COMPLETED,
                LATENCY_JOBS + 1,
                interval=DRAIN_POLL_SECONDS,
                limit_seconds=WORKER_START_TIMEOUT_SECONDS,
                worker=worker,
            )
        query = sa.text("SELECT id, started_at FROM jobs").columns(started_at=UtcDateTime())
        async with engine.connect() as conn:
            started_at = {row.id: row.started_at for row in await conn.execute(query)}
    latencies_ms = sorted(
        (started_at[job_id].timestamp() - before) * 1000 for job_id, before in sent_at.items()
    )
    figures = {
        "pickup_p50_ms": nearest_rank(latencies_ms, 50),
        "pickup_p99_ms": nearest_rank(latencies_ms, 99),
        "pickup_max_ms": latencies_ms[-1],
    }
    return figures, worker.stderr


async def run_backend(
    backend: str, options: argparse.Namespace, results: BackendResults, run: int
) -> None:
    """All four phases on one database, each on a database of its own."""
    figures: dict[str, float] = {}

    async def phase(name: str, measure: Callable[[str], Awaitable[T]]) -> T:
        progress(f"[run {run}] {backend}: {name} …")
        async with fresh_database(backend, options.pg_admin_dsn) as url:
            return await measure(url)

    figures |= await phase(
        f"single enqueue of {options.single} jobs",
        lambda url: measure_single_enqueue(url, options.single),
    )
    figures |= await phase(
        f"bulk enqueue of {options.bulk} jobs", lambda url: measure_bulk_enqueue(url, options.bulk)
    )
    drain = await phase(
        f"drain of {options.jobs} jobs", lambda url: measure_drain(url, options.jobs)
    )
    figures |= drain.figures
    latency, latency_log = await phase(
        f"pickup latency of {LATENCY_JOBS} jobs", measure_pickup_latency
    )
    figures |= latency
    results.runs.append(figures)
    results.checks.append(drain.check)
    results.worker_logs.extend(log for log in (drain.worker_log, latency_log) if log)
    summary = ", ".join(
        f"{metric.label} {metric.format(figures[metric.key])} {metric.unit}" for metric in METRICS
    )
    progress(f"[run {run}] {backend}: {summary}")


# -- output --------------------------------------------------------------------------------


def render_table(all_results: Sequence[BackendResults], options: argparse.Namespace) -> str:
    statistic = f"median of {options.runs} runs" if options.runs > 1 else "1 run"
    header = ["metric", *(results.backend for results in all_results)]
    rows = [
        [
            f"{metric.label} ({metric.unit})",
            *(metric.format(r.median(metric.key)) for r in all_results),
        ]
        for metric in METRICS
    ]
    rows.append(
        [
            "drain: all completed, attempts = 1",
            *("yes" if r.all_checks_passed else "NO" for r in all_results),
        ]
    )
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(len(header))]

    def line(cells: Sequence[str]) -> str:
        first, *rest = cells
        return "  ".join(
            [first.ljust(widths[0])] + [c.rjust(w) for c, w in zip(rest, widths[1:], strict=True)]
        )

    title = (
        f"salesauto queue benchmark ({statistic}; single {options.single}, "
        f"bulk {options.bulk}, drain {options.jobs}, latency {LATENCY_JOBS} jobs)"
    )
    return "\n".join([title, "", line(header), line(["-" * w for w in widths]), *map(line, rows)])


async def postgresql_version(admin_dsn: str) -> str:
    conn = await asyncpg.connect(admin_dsn, timeout=10)
    try:
        return str(await conn.fetchval("SHOW server_version"))
    finally:
        await conn.close()


def git_commit() -> str | None:
    try:
        completed = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"],
            cwd=Path(__file__).resolve().parent,
            capture_output=True,
            text=True,
            check=True,
        )
    except (OSError, subprocess.CalledProcessError):
        return None
    return completed.stdout.strip()


async def environment(backends: Sequence[str], admin_dsn: str) -> dict[str, Any]:
    return {
        "os": os_description(),
        "cpus": os.cpu_count(),
        "python": sys.version.split()[0],
        "sqlite": sqlite3.sqlite_version if "sqlite" in backends else None,
        "postgresql": await postgresql_version(admin_dsn) if "postgresql" in backends else None,
        "commit": git_commit(),
    }


def write_json(
    all_results: Sequence[BackendResults], options: argparse.Namespace, env: dict[str, Any]
) -> None:
    document = {
        "benchmark": "queue",
        "finished_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "environment": env,
        "config": {
            "runs": options.runs,
            "single_enqueue_jobs": options.single,
            "bulk_enqueue_jobs": options.bulk,
            "drain_jobs": options.jobs,
            "latency_jobs": LATENCY_JOBS,
            "latency_gap_seconds": LATENCY_GAP_SECONDS,
            "worker_settings": "defaults",
        },
        "units": {metric.key: metric.unit for metric in METRICS},
        "results": {results.backend: results.to_json() for results in all_results},
    }
    RESULTS_PATH.parent.mkdir(parents=True, exist_ok=True)
    RESULTS_PATH.write_text(json.dumps(document, indent=2) + "\n")


# -- entry point ---------------------------------------------------------------------------


def parse_backends(value: str) -> list[str]:
    backends = [name.strip() for name in value.split(",") if name.strip()]
    unknown = sorted(set(backends) - set(BACKENDS))
    if unknown or not backends:
        raise argparse.ArgumentTypeError(f"choose from {', '.join(BACKENDS)}; got {value!r}")
    return backends


def positive(value: str) -> int:
    number = int(value)
    if number < 1:
        raise argparse.ArgumentTypeError("must be at least 1")
    return number


def parse_options(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--backends", type=parse_backends, default=list(BACKENDS), help="sqlite,postgresql"
    )
    parser.add_argument("--jobs", type=positive, default=20_000, help="jobs to drain (20000)")
    parser.add_argument("--runs", type=positive, default=1, help="repeat; report the median")
    parser.add_argument("--single", type=positive, default=2_000, help="single enqueues (2000)")
    parser.add_argument("--bulk", type=positive, default=20_000, help="bulk enqueue size (20000)")
    parser.add_argument("--pg-admin-dsn", default=PG_ADMIN_DSN, help="creates/drops databases")
    return parser.parse_args(argv)


async def main(options: argparse.Namespace) -> int:
    configure_logging("WARNING")
    env = await environment(options.backends, options.pg_admin_dsn)
    all_results = [BackendResults(backend) for backend in options.backends]
    for run in range(1, options.runs + 1):
        for results in all_results:
            await run_backend(results.backend, options, results, run)
    write_json(all_results, options, env)
    print(render_table(all_results, options))
    for results in all_results:
        for log in results.worker_logs:
            print(f"\n{results.backend} worker stderr:\n{log}")
    print(f"\nresults written to {RESULTS_PATH}")
    if not all(results.all_checks_passed for results in all_results):
        print("drain check FAILED: see drain_checks in the JSON", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    try:
        sys.exit(asyncio.run(main(parse_options())))
    except KeyboardInterrupt:  # the databases and the worker are already cleaned up
        sys.exit(130)
