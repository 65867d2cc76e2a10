"""The platform under bench/webhooks.py: a fresh database seeded with campaigns,
enrollments and a lemlist hook, the API and worker processes, and what the database says."""

from __future__ import annotations

import asyncio
import contextlib
import os
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import sqlalchemy as sa
from sqlalchemy.engine import make_url

from salesauto.contacts.merge import ContactFacts
from salesauto.contacts.repository import merge_contacts
from salesauto.kit.db import create_engine
from salesauto.kit.migrate import upgrade_to_head
from salesauto.kit.time import utcnow
from salesauto.models.base import table_of
from salesauto.models.campaigns import CampaignEnrollment
from salesauto.models.webhooks import WebhookEndpoint
from salesauto.pipeline.campaigns import ensure_campaign_instance
from salesauto.webhooks import tokens

PG_ADMIN = os.environ.get("SALESAUTO_BENCH_PG_DSN", "postgresql://postgres@127.0.0.1:5432/postgres")
DRAIN_TIMEOUT = 300.0
SERVERS = {"postgres": "database", "redis-server": "redis"}  # process name: figure


async def pg_admin(statement: str) -> None:
    conn = await asyncpg.connect(PG_ADMIN, timeout=10)
    try:
        await conn.execute(statement)
    finally:
        await conn.close()


@contextlib.asynccontextmanager
async def fresh_database(backend: str) -> AsyncIterator[str]:
    if backend == "sqlite":
        with tempfile.TemporaryDirectory(prefix="salesauto_bench_") as folder:
            url = f"sqlite+aiosqlite:///{Path(folder) / 'salesauto.db'}"
            await asyncio.to_thread(upgrade_to_head, url)
            yield url
        return
    name = f"salesauto_bench_{uuid.uuid4().hex[:10]}"
    await pg_admin(f'CREATE DATABASE "{name}"')
    try:
        url = (
            make_url(PG_ADMIN)
            .set(drivername="postgresql+asyncpg", database=name)
            .render_as_string(hide_password=False)
        )
        await asyncio.to_thread(upgrade_to_head, url)
        yield url
    finally:
        await pg_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


async def seed(url: str, campaigns: int, enrollments: int) -> tuple[str, list[tuple[str, str]]]:
    """Campaigns, contacts, enrollments and a live lemlist hook; returns the hook's token and
    the (campaign id, email) of every enrollment."""
    engine = create_engine(url)
    leads = [
        (f"cam_bench{i % campaigns:02d}", f"lead{i}@company{i % 997}.test")
        for i in range(enrollments)
    ]
    token = tokens.new_token()
    try:
        async with engine.begin() as conn:
            refs = {}
            for index in range(campaigns):
                campaign = f"cam_bench{index:02d}"
                refs[campaign] = await ensure_campaign_instance(
                    conn, "default", provider="lemlist", provider_campaign_id=campaign,
                    name=f"Bench {index}", status="running",
                )  # fmt: skip
            for start in range(0, len(leads), 1000):
                part = leads[start : start + 1000]
                facts = [ContactFacts(email=email) for _, email in part]
                await merge_contacts(conn, "default", facts, source="csv", at=utcnow())
                await conn.execute(
                    sa.insert(table_of(CampaignEnrollment)),
                    [
                        {"id": uuid.uuid4(), "instance_id": refs[campaign].instance_id,
                         "owner_id": "default", "contact_email": email,
                         "provider_lead_id": f"lea_{email.split('@')[0]}", "status": "enrolled",
                         "current_step": 0, "variables": {}, "enrolled_at": utcnow()}
                        for campaign, email in part
                    ],
                )  # fmt: skip
            await conn.execute(
                sa.insert(table_of(WebhookEndpoint)).values(
                    provider="lemlist", owner_id="default",
                    token_hash=tokens.token_digest(token), token_prefix=tokens.token_prefix(token),
                    provider_hook_id="hoo_bench", target_url="https://bench.test/webhooks/lemlist/…",
                    created_at=utcnow(),
                )
            )  # fmt: skip
    finally:
        await engine.dispose()
    return token, leads


async def counts(url: str) -> dict[str, Any]:
    engine = create_engine(url, single_connection=True)
    try:
        async with engine.connect() as conn:
            grouped = await conn.execute(
                sa.text("SELECT status, count(*) FROM webhook_receipts GROUP BY status")
            )
            statuses = {str(status): int(count) for status, count in grouped.all()}
            events = await conn.scalar(sa.text("SELECT count(*) FROM campaign_events"))
            dead = await conn.scalar(sa.text("SELECT count(*) FROM dead_letter_events"))
            failed_jobs = await conn.scalar(
                sa.text("SELECT count(*) FROM jobs WHERE status = 'failed'")
            )
    finally:
        await engine.dispose()
    return {
        "receipts": sum(statuses.values()),
        "statuses": statuses,
        "campaignEvents": int(events or 0),
        "deadLetters": int(dead or 0),
        "failedJobs": int(failed_jobs or 0),
    }


@dataclass
class Processes:
    apis: list[subprocess.Popen[bytes]]
    worker: subprocess.Popen[bytes] | None  # None: the API's in-process worker (SQLite)

    def cpu_seconds(self) -> dict[str, float]:
        """CPU time so far of the API processes and the worker (from /proc), of this process
        (the load generator) and of the database server."""
        return {
            "api": sum(process_cpu(api.pid) for api in self.apis),
            "worker": process_cpu(self.worker.pid) if self.worker else 0.0,
            "client": time.process_time(),
            **server_cpu(),
        }


def process_cpu(pid: int, *, with_children: bool = False) -> float:
    """User and system time of `pid`, and with `with_children` that of its children that
    exited (/proc/<pid>/stat fields 14-17)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    ticks = int(fields[11]) + int(fields[12])
    if with_children:
        ticks += int(fields[13]) + int(fields[14])
    return ticks / os.sysconf("SC_CLK_TCK")


def server_cpu() -> dict[str, float]:
    """CPU time so far of this machine's PostgreSQL processes (its backends serve the API and
    the worker alike) and Redis, in one pass over /proc; 0 when a server runs elsewhere. A
    backend that exited (a closed connection) counts in its parent's children's time."""
    totals = dict.fromkeys(SERVERS.values(), 0.0)
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            with contextlib.suppress(OSError):
                name = SERVERS.get((entry / "comm").read_text().strip())
                if name is not None:
                    totals[name] += process_cpu(int(entry.name), with_children=True)
    return totals


@contextlib.contextmanager
def platform_processes(
    url: str, ports: list[int], worker_nice: int, redis_url: str | None
) -> Iterator[Processes]:
    """PostgreSQL as production runs it: `salesauto serve --no-worker` on each port (API
    processes behind a load balancer) and one `salesauto worker`, with Redis when given. SQLite
    as the embedded default runs it: one `salesauto serve` with its in-process worker, on the
    first port (two processes would fight over SQLite's single writer lock)."""
    env = {
        **{name: value for name, value in os.environ.items() if name != "SALESAUTO_REDIS_URL"},
        "SALESAUTO_DATABASE_URL": url,
        "SALESAUTO_LOG_LEVEL": "WARNING",
        "SALESAUTO_SANDBOX_ENABLED": "false",
        "SALESAUTO_LEMLIST_POLLING": "off",
    }
    if redis_url:
        env["SALESAUTO_REDIS_URL"] = redis_url
        env["SALESAUTO_REDIS_KEY_PREFIX"] = f"salesauto_bench_{uuid.uuid4().hex[:10]}"
    python = [sys.executable, "-m", "salesauto"]
    sqlite = url.startswith("sqlite")
    apis = [
        subprocess.Popen(
            [*python, "serve", "--host", "127.0.0.1", "--port", str(port)]
            + ([] if sqlite else ["--no-worker"]),
            env=env,
            stdout=subprocess.DEVNULL,
        )
        for port in (ports[:1] if sqlite else ports)
    ]
    worker = (
        None
        if sqlite
        else subprocess.Popen(
            [*python, "worker"],
            env=env,
            stdout=subprocess.DEVNULL,
            preexec_fn=(lambda: os.nice(worker_nice)) if worker_nice else None,
        )
    )
    try:
        yield Processes(apis, worker)
    finally:
        running = [*apis, *([worker] if worker else [])]
        for process in running:
            process.terminate()
        for process in running:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


async def wait_until_up(base_url: str) -> None:
    async with httpx.AsyncClient(base_url=base_url) as http:
        for _ in range(300):
            with contextlib.suppress(httpx.TransportError):
                if (await http.get("/health")).status_code == 200:
                    return
            await asyncio.sleep(0.1)
    raise RuntimeError(f"the API at {base_url} did not start")


async def wait_drained(url: str, expected: int) -> float:
    """Seconds until all `expected` receipts are stored and none waits to be processed."""
    engine = create_engine(url, single_connection=True)
    started = time.perf_counter()
    try:
        while time.perf_counter() - started < DRAIN_TIMEOUT:
            async with engine.connect() as conn:
                total = await conn.scalar(sa.text("SELECT count(*) FROM webhook_receipts"))
                waiting = await conn.scalar(
                    sa.text("SELECT count(*) FROM webhook_receipts WHERE status = 'received'")
                )
            if total == expected and waiting == 0:
                return time.perf_counter() - started
            await asyncio.sleep(0.25)
    finally:
        await engine.dispose()
    return float("inf")
