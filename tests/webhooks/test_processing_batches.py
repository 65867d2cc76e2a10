"""Receipts queued while their job waits join it, and a job's lemlist receipts are applied
together: every effect of every event lands as when applied one by one, and a batch that
fails goes one by one."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine
from structlog.testing import capture_logs

from salesauto.campaigns.counters import rebuild_counters
from salesauto.campaigns.tables import INSTANCES
from salesauto.contacts.repository import CONTACTS
from salesauto.jobs.repository import claim_jobs, jobs
from salesauto.kit.time import utcnow
from salesauto.platform import Platform
from salesauto.suppressions.repository import SUPPRESSIONS
from salesauto.webhooks.processing import ReceiptProcessor
from salesauto.webhooks.receipt_writer import GATHER_SECONDS, PROCESS_JOB, receipt_writer
from salesauto.webhooks.repository import NewReceipt
from tests.webhooks.conftest import (
    CAMPAIGN,
    ENROLLMENTS,
    EVENTS,
    RECEIPTS,
    activity,
    enroll,
    rows,
    wait_for_statuses,
)

SECOND_CAMPAIGN = "cam_second"


def receipt(body: dict[str, Any]) -> NewReceipt:
    return NewReceipt(
        provider="lemlist",
        event_id=body["_id"],
        owner_id="default",
        body=json.dumps(body),
        received_at=utcnow(),
    )


async def process_jobs(engine: AsyncEngine) -> list[Any]:
    async with engine.connect() as conn:
        found = await conn.execute(
            sa.select(jobs.c.id, jobs.c.status, jobs.c.parameters, jobs.c.result)
            .where(jobs.c.type == PROCESS_JOB)
            .order_by(jobs.c.id)
        )
        return list(found)


async def test_receipts_join_the_job_waiting_for_them_until_a_worker_claims_it(
    platform: Platform,
) -> None:
    await enroll(platform.engine, "ada@acme.test")
    writer = receipt_writer(platform.queue)
    for index in range(3):  # three deliveries, each written on its own
        await writer.store([receipt(activity("ada@acme.test", activity_id=f"act_join{index}"))])
    (waiting,) = await process_jobs(platform.engine)
    assert waiting.status == "queued"
    assert len(waiting.parameters["receipt_ids"]) == 3

    async with platform.engine.begin() as conn:  # a worker takes the job when it is due …
        now = utcnow() + timedelta(seconds=GATHER_SECONDS)
        claimed = await claim_jobs(
            conn, worker_id="gone", limit=10, now=now, lease_until=now + timedelta(seconds=1)
        )
    assert [job.id for job in claimed] == [waiting.id]
    await writer.store([receipt(activity("ada@acme.test", activity_id="act_join3"))])
    first, second = await process_jobs(platform.engine)  # … so the next delivery gets its own
    assert first.parameters == waiting.parameters
    assert len(second.parameters["receipt_ids"]) == 1

    # The worker that claimed the first job died: its lease runs out and nothing is lost.
    platform.start_worker()
    await wait_for_statuses(platform.engine, ["processed"] * 4)
    assert sorted(event.provider_event_id for event in await rows(platform.engine, EVENTS)) == [
        f"act_join{index}" for index in range(4)
    ]


async def test_a_job_waiting_for_its_retry_takes_no_new_receipts(platform: Platform) -> None:
    await enroll(platform.engine, "ada@acme.test")
    writer = receipt_writer(platform.queue)
    await writer.store([receipt(activity("ada@acme.test", activity_id="act_retry0"))])
    (tried,) = await process_jobs(platform.engine)
    async with platform.engine.begin() as conn:  # its first attempt failed: queued again
        await conn.execute(
            sa.update(jobs)
            .where(jobs.c.id == tried.id)
            .values(attempts=1, run_at=utcnow() + timedelta(minutes=5))
        )
    await writer.store([receipt(activity("ada@acme.test", activity_id="act_retry1"))])
    first, second = await process_jobs(platform.engine)
    assert first.parameters == tried.parameters
    assert len(second.parameters["receipt_ids"]) == 1


def campaign_mix() -> list[NewReceipt]:
    """One job's worth of a campaign's activity: every kind of effect, an orphan, an
    untracked type, and a lead unsubscribing who is also in a second campaign."""
    bodies = [
        activity("ada@acme.test", "emailsSent", activity_id="act_ada_sent"),
        activity("ada@acme.test", "emailsOpened", activity_id="act_ada_open"),
        activity("bob@acme.test", "emailsSent", activity_id="act_bob_sent"),
        {
            **activity("bob@acme.test", "emailsReplied", activity_id="act_bob_reply"),
            "text": "Sounds good, call me Tuesday.",
        },
        activity("cyd@acme.test", "emailsSent", activity_id="act_cyd_sent"),
        activity("cyd@acme.test", "emailsBounced", activity_id="act_cyd_bounce"),
        activity("ada@acme.test", "emailsUnsubscribed", activity_id="act_ada_unsub"),
        activity("nobody@acme.test", "emailsOpened", activity_id="act_orphan"),
        activity("ada@acme.test", "aircallDone", activity_id="act_untracked"),
    ]
    return [receipt(body) for body in bodies]


async def enroll_mix(engine: AsyncEngine) -> None:
    for email in ("ada@acme.test", "bob@acme.test", "cyd@acme.test"):
        await enroll(engine, email)
    await enroll(engine, "ada@acme.test", SECOND_CAMPAIGN)


async def assert_mix_applied(engine: AsyncEngine) -> None:
    await wait_for_statuses(engine, ["orphaned"] + ["processed"] * 8)
    receipts = {row.event_id: row for row in await rows(engine, RECEIPTS)}
    assert {row.attempts for row in receipts.values()} == {1}
    assert receipts["act_untracked"].error.startswith("ignored: lemlist activity type")
    assert receipts["act_orphan"].next_attempt_at is not None

    async with engine.connect() as conn:
        instances = {
            row.provider_campaign_id: row for row in await conn.execute(sa.select(INSTANCES))
        }
        enrollments = {
            (row.contact_email, row.instance_id): row
            for row in await conn.execute(sa.select(ENROLLMENTS))
        }
        suppressed = list(await conn.execute(sa.select(SUPPRESSIONS.c.value)))
        contacts = {row.email: row for row in await conn.execute(sa.select(CONTACTS))}
        job_types = set((await conn.execute(sa.select(jobs.c.type))).scalars())
    first = instances[CAMPAIGN].id
    assert enrollments[("ada@acme.test", first)].status == "unsubscribed"
    assert enrollments[("ada@acme.test", instances[SECOND_CAMPAIGN].id)].status == "stopped"
    assert enrollments[("bob@acme.test", first)].status == "replied"
    assert enrollments[("bob@acme.test", first)].reply_text == "Sounds good, call me Tuesday."
    assert enrollments[("cyd@acme.test", first)].status == "bounced"
    assert [row.value for row in suppressed] == ["ada@acme.test"]
    assert contacts["bob@acme.test"].status == "replied"
    assert contacts["cyd@acme.test"].data["email_status"] == "invalid"
    assert "campaigns.classify_reply" in job_types  # bob's reply gets classified
    assert "webhooks.retry_orphans" in job_types  # the orphan's next try
    assert len(await rows(engine, EVENTS)) == 7

    counters = instances[CAMPAIGN]
    assert (
        counters.total_sent,
        counters.total_delivered,
        counters.total_opened,
        counters.total_replied,
        counters.total_bounced,
        counters.total_unsubscribed,
    ) == (3, 2, 1, 1, 1, 1)
    async with engine.begin() as conn:  # what the events rebuild is what was counted
        rebuilt = await rebuild_counters(conn, first)
    assert rebuilt["total_sent"] == 3 and rebuilt["total_delivered"] == 2
    assert rebuilt["total_unsubscribed"] == counters.total_unsubscribed


async def test_a_job_applies_its_receipts_together_with_every_effect(platform: Platform) -> None:
    await enroll_mix(platform.engine)
    await receipt_writer(platform.queue).store(campaign_mix())  # one delivery: one job
    with capture_logs() as logs:
        platform.start_worker()
        await assert_mix_applied(platform.engine)
    assert not [log for log in logs if log["event"] == "webhooks.batch_retried_singly"]
    (job,) = await process_jobs(platform.engine)
    assert job.result == {"receipts": {"processed": 8, "orphaned": 1}}


async def test_a_batch_that_fails_is_applied_one_receipt_at_a_time(
    platform: Platform, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def deadlocked(*_args: object) -> None:
        raise RuntimeError("deadlock detected")  # as PostgreSQL ends one of two batches

    monkeypatch.setattr(ReceiptProcessor, "_apply_batch", deadlocked)
    await enroll_mix(platform.engine)
    await receipt_writer(platform.queue).store(campaign_mix())
    platform.start_worker()
    await assert_mix_applied(platform.engine)
    (job,) = await process_jobs(platform.engine)
    assert job.status == "completed"
