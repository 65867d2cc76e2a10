"""A retried `import.csv` job resumes after its last committed batch and reports the summary
an uninterrupted import gives, whatever the attempt died of.

The attempt dies for real: its worker process is killed mid-file, its lease runs out and a
second worker retries the job. The same file imported without interruption into another
workspace (same starting contacts) is the reference for the summary and the stored records.
An attempt fenced off by another worker's claim commits nothing more.
"""

from __future__ import annotations

import asyncio
import signal
import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from salesauto.contacts.repository import COMPANIES, CONTACTS
from salesauto.imports.checkpoint import ImportJournal
from salesauto.imports.service import import_csv
from salesauto.jobs.context import JobContext, LeaseLost
from salesauto.jobs.repository import NewJob
from salesauto.kit.time import utcnow
from salesauto.models.base import table_of
from salesauto.models.jobs import Job
from salesauto.platform import Platform
from salesauto.suppressions.repository import add_suppressions
from salesauto.suppressions.service import classify
from tests.conftest import make_settings
from tests.reliability.processes import WorkerProcess
from tests.support.waiting import wait_for_job

pytestmark = pytest.mark.slow

OWNER = "default"
REFERENCE = "reference"  # the workspace of the uninterrupted import
BATCH_ROWS = 100
JOBS = table_of(Job)


@pytest.fixture
async def platform(database_url: str, tmp_path: Path) -> AsyncIterator[Platform]:
    built = Platform.build(make_settings(database_url, data_dir=tmp_path))
    await built.start()
    try:
        yield built
    finally:
        await built.stop()


def leads_file(count: int) -> str:
    """`count` leads over 40 companies, with bad emails, blank rows and repeats of earlier
    leads (in earlier batches) that bring a value the first row lacked."""
    lines = ["Email,First Name,Company,Team"]
    for i in range(count):
        lines.append(f"lead{i}@acme{i % 40}.com,Lead{i},Acme {i % 40},")
        if i % 97 == 0:
            lines.append(f"lead{i}-at-acme.com,Broken{i},,")
        if i % 151 == 0:
            lines.append(",,,")
        if i % 13 == 0 and i >= 400:
            lines.append(f"lead{i - 350}@acme{(i - 350) % 40}.com,,,red")
    return "\n".join(lines) + "\n"


async def seed(platform: Platform, tmp_path: Path, owner: str) -> None:
    """The workspace's contacts before the import: every 10th lead (half of them with
    another first name, which the import updates) and one suppressed company."""
    seeds = tmp_path / "seed.csv"
    rows = [
        f"lead{i}@acme{i % 40}.com,{'Old' if i % 20 else 'Lead'}{i},Acme {i % 40}"
        for i in range(0, 3000, 10)
    ]
    seeds.write_text("Email,First Name,Company\n" + "\n".join(rows) + "\n")
    await import_csv(platform.engine, owner, seeds, source="crm")
    async with platform.engine.begin() as conn:
        await add_suppressions(
            conn, owner, [(*classify("acme7.com"), "asked")], source="test", at=utcnow()
        )


async def stored(platform: Platform, owner: str) -> tuple[list[tuple[Any, ...]], int]:
    """The workspace's contacts as a user sees them, in email order, and its companies."""
    async with platform.engine.connect() as conn:
        contacts = await conn.execute(
            sa.select(
                CONTACTS.c.email,
                CONTACTS.c.first_name,
                CONTACTS.c.company_name,
                CONTACTS.c.company_domain,
                CONTACTS.c.data,
            )
            .where(CONTACTS.c.owner_id == owner)
            .order_by(CONTACTS.c.email)
        )
        companies = await conn.scalar(
            sa.select(sa.func.count()).where(COMPANIES.c.owner_id == owner)
        )
    return [tuple(row) for row in contacts], int(companies or 0)


async def checkpoint(platform: Platform, job_id: int) -> dict[str, Any]:
    # Autocommit: on SQLite a transaction takes the write lock, and would wait for the worker.
    engine = platform.engine.execution_options(isolation_level="AUTOCOMMIT")
    async with engine.connect() as conn:
        saved = await conn.scalar(sa.select(JOBS.c.checkpoint).where(JOBS.c.id == job_id))
    return saved or {}


async def merges_waiting(platform: Platform, holder: int) -> int:
    """Other sessions waiting for a workspace merge lock (ours is `holder`)."""
    waiting = sa.text(
        "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted"
        " AND pid <> :holder"
    )
    async with platform.engine.connect() as conn:
        return int(await conn.scalar(waiting, {"holder": holder}) or 0)


async def until(probe: Any, accept: Any, timeout: float = 30.0) -> Any:
    """Poll every 10 ms: a batch of 100 rows takes a few of them."""
    deadline = asyncio.get_running_loop().time() + timeout
    while not accept(value := await probe()):
        assert asyncio.get_running_loop().time() < deadline, f"still {value!r}"
        await asyncio.sleep(0.01)
    return value


async def prepare(platform: Platform, tmp_path: Path, count: int) -> tuple[int, dict[str, Any]]:
    """The import job queued (no worker yet) and the reference summary."""
    uploads = tmp_path / "uploads"
    uploads.mkdir()
    upload = f"{uuid.uuid4().hex}.csv"
    (uploads / upload).write_text(leads_file(count))
    for owner in (OWNER, REFERENCE):
        await seed(platform, tmp_path, owner)
    reference = await import_csv(
        platform.engine, REFERENCE, uploads / upload, batch_rows=BATCH_ROWS
    )
    summary = reference.model_dump(by_alias=True)
    assert min(summary[key] for key in ("created", "updated", "unchanged", "duplicates")) > 0
    assert min(summary[key] for key in ("rejected", "blank", "suppressed")) > 0
    enqueued = await platform.queue.enqueue(
        NewJob(type="import.csv", parameters={"upload": upload, "delete_after": False})
    )
    return enqueued.job_id, summary


def worker(platform: Platform) -> WorkerProcess:
    return WorkerProcess(
        platform.settings,
        SALESAUTO_DATA_DIR=str(platform.settings.data_dir),
        SALESAUTO_IMPORT_BATCH_ROWS=str(BATCH_ROWS),
    )


async def finish_and_compare(platform: Platform, job_id: int, reference: dict[str, Any]) -> None:
    """A second worker retries the job once the dead attempt's lease has run out."""
    rescuer = worker(platform)
    try:
        job = await wait_for_job(platform, job_id, ("completed", "failed"), timeout=60)
    finally:
        rescuer.stop()

    assert job.status == "completed", job.error
    assert job.attempts == 2
    assert "lease expired" in job.errors[0]["error"]
    assert job.result is not None
    assert job.result.pop("nextJobId") is None
    assert job.result == reference
    contacts, companies = await stored(platform, OWNER)
    assert (contacts, companies) == await stored(platform, REFERENCE)
    assert len({row[0] for row in contacts}) == len(contacts)


async def test_a_killed_import_resumes_and_reports_the_uninterrupted_summary(
    platform: Platform, tmp_path: Path
) -> None:
    job_id, reference = await prepare(platform, tmp_path, 5000)
    victim = worker(platform)
    try:
        # Killed once three batches are in: the file is 5,000+ rows, 50 batches.
        reached = await until(
            lambda: checkpoint(platform, job_id), lambda saved: saved.get("rows", 0) >= 300
        )
        victim.signal(signal.SIGKILL)
    finally:
        victim.stop()
    interrupted = await checkpoint(platform, job_id)
    assert reached["rows"] <= interrupted["rows"] < reference["rowsRead"], "killed mid-file"
    assert (await platform.jobs.get(job_id, OWNER)).status == "processing"

    await finish_and_compare(platform, job_id, reference)


@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
async def test_a_batch_half_written_by_a_killed_attempt_is_counted_once(
    platform: Platform, tmp_path: Path
) -> None:
    """PostgreSQL writes a batch's new contacts before the rest of the batch: the worker is
    killed between the two (held there by a shared hold on the workspace's merge lock,
    which the new contacts' inserts share and the rest of the batch waits for)."""
    job_id, reference = await prepare(platform, tmp_path, 3000)
    victim = worker(platform)
    async with platform.engine.connect() as hold:
        try:
            await until(
                lambda: checkpoint(platform, job_id), lambda saved: saved.get("rows", 0) >= 300
            )
            holder = await hold.scalar(sa.text("SELECT pg_backend_pid()"))
            await hold.execute(
                sa.text("SELECT pg_advisory_lock_shared(hashtext(:owner))"), {"owner": OWNER}
            )
            await until(lambda: merges_waiting(platform, holder), lambda n: n > 0)
            victim.signal(signal.SIGKILL)
        finally:
            victim.stop()
            await hold.execute(
                sa.text("SELECT pg_advisory_unlock_shared(hashtext(:owner))"), {"owner": OWNER}
            )
    interrupted = await checkpoint(platform, job_id)
    assert interrupted["pending_at"] is not None, "the killed batch was half-written"
    contacts, _ = await stored(platform, OWNER)
    seeded = 300
    assert len(contacts) > seeded + interrupted["created"], "its new contacts are stored"

    await finish_and_compare(platform, job_id, reference)


async def test_an_attempt_that_lost_its_job_writes_no_batch(
    platform: Platform, tmp_path: Path
) -> None:
    """Once another worker holds the job (the lease ran out while this attempt was stalled),
    the attempt's next batch fails and leaves nothing behind, on either database path."""
    path = tmp_path / "leads.csv"
    path.write_text(leads_file(300))
    enqueued = await platform.queue.enqueue(NewJob(type="import.csv", parameters={}))
    async with platform.engine.begin() as conn:
        await conn.execute(
            sa.update(JOBS)
            .where(JOBS.c.id == enqueued.job_id)
            .values(status="processing", locked_by="the-worker-that-took-over", attempts=2)
        )
    stalled = JobContext(
        job_id=enqueued.job_id,
        job_type="import.csv",
        attempt=1,
        max_attempts=5,
        owner_id=OWNER,
        queue=platform.queue,
        worker_id="the-stalled-worker",
    )
    journal = await ImportJournal.open(stalled, path, utcnow())

    with pytest.raises(LeaseLost):
        await import_csv(platform.engine, OWNER, path, batch_rows=BATCH_ROWS, journal=journal)

    assert await stored(platform, OWNER) == ([], 0)
    assert await checkpoint(platform, enqueued.job_id) == {}
