"""The outreach step when a contact is suppressed or erased while the job runs, and when an
enrollment left pending on an earlier day is retried: lemlist emulator, both databases."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, time, timedelta
from typing import Any

import httpx
import pytest
import sqlalchemy as sa

from salesauto.contacts.merge import ContactFacts
from salesauto.contacts.repository import CONTACTS, merge_contacts
from salesauto.contacts.service import ContactService
from salesauto.integrations.sandbox.kit import SandboxConfig
from salesauto.integrations.sandbox.server import build_sandbox_app
from salesauto.jobs.schemas import JobSubmit, JobView
from salesauto.kit.time import utcnow
from salesauto.models.base import table_of
from salesauto.models.campaigns import CampaignEnrollment
from salesauto.models.jobs import JobResult
from salesauto.pipeline.campaigns import ensure_campaign_instance
from salesauto.platform import Platform
from salesauto.suppressions.schemas import SuppressionCreate
from salesauto.suppressions.service import SuppressionService
from tests.conftest import make_settings
from tests.support.emulators import stats
from tests.support.servers import running_platform, serve_app
from tests.support.waiting import eventually, wait_for_job

ENROLLMENTS = table_of(CampaignEnrollment)
RESULTS = table_of(JobResult)


class Sandboxed:
    def __init__(self, platform: Platform, lemlist_url: str) -> None:
        self.platform = platform
        self.lemlist_url = lemlist_url


@pytest.fixture
async def sandboxed(database_url: str) -> AsyncIterator[Sandboxed]:
    """A platform whose lemlist is the emulator on a real port, with a worker running."""
    app = build_sandbox_app(SandboxConfig(time_scale=0.0), ["lemlist"])
    async with serve_app(app) as url:
        settings = make_settings(database_url, sandbox_url=url)
        async with running_platform(settings) as platform:
            yield Sandboxed(platform, f"{url}/lemlist")


async def _add_contacts(platform: Platform, emails: list[str]) -> None:
    facts = [
        ContactFacts(email=email, fields={"first_name": "Pat", "company_name": "Acme"})
        for email in emails
    ]
    async with platform.engine.begin() as conn:
        await merge_contacts(conn, "default", facts, source="csv", at=utcnow())


async def _submit(platform: Platform, parameters: dict[str, Any]) -> int:
    enqueued = await platform.jobs.submit(
        JobSubmit(type="pipeline.outreach", parameters=parameters), "default"
    )
    return enqueued.job_id


async def _completed(platform: Platform, job_id: int) -> JobView:
    job = await wait_for_job(platform, job_id, ("completed", "failed"), timeout=90)
    assert job.status == "completed", job.error
    return job


async def _rows(platform: Platform, statement: Any) -> list[Any]:
    async with platform.engine.connect() as conn:
        return list(await conn.execute(statement))


async def _enrollments(platform: Platform) -> dict[str, Any]:
    return {row.contact_email: row for row in await _rows(platform, sa.select(ENROLLMENTS))}


async def test_a_contact_suppressed_or_erased_between_chunks_is_never_sent(
    sandboxed: Sandboxed,
) -> None:
    platform = sandboxed.platform
    lemlist = platform.integrations.lemlist
    campaign_id = (await lemlist.list_campaigns())[0].id
    emails = [f"p{n:02d}@acme.com" for n in range(52)]
    await _add_contacts(platform, emails)
    suppressed, erased = emails[50], emails[51]  # the second chunk of 50
    async with httpx.AsyncClient() as http:
        await http.put(f"{sandboxed.lemlist_url}/_sandbox/faults", json={"latencyMs": 100})

    job_id = await _submit(platform, {"emails": emails, "campaign_id": campaign_id})
    # The campaign lookup is the first request; the first chunk's adds follow.
    await eventually(lambda: stats(sandboxed.lemlist_url), lambda body: body["requests"] > 1)
    await SuppressionService(platform.engine).add(
        "default", [SuppressionCreate(value=suppressed, reason="asked us")]
    )
    erase_job = await ContactService(platform.engine).erase("default", erased, queue=platform.queue)
    job = await _completed(platform, job_id)
    await _completed(platform, erase_job)

    assert isinstance(job.result, dict)
    assert (job.result["done"], job.result["skipped"]) == (50, 2)
    results = {
        row.item_key: row
        for row in await _rows(platform, sa.select(RESULTS).where(RESULTS.c.job_id == job_id))
    }
    assert results[suppressed].data["reason"] == "suppressed: asked us"
    assert results[erased].data["reason"] == "suppressed: erased on request"
    assert await lemlist.get_lead_memberships(suppressed) == []
    assert await lemlist.get_lead_memberships(erased) == []
    # Their reserved slots were given back, and nothing of the erased person is kept.
    enrollments = await _enrollments(platform)
    assert sorted(enrollments) == emails[:50]
    assert {row.status for row in enrollments.values()} == {"enrolled"}
    stored = await _rows(platform, sa.select(CONTACTS.c.email).where(CONTACTS.c.email == erased))
    assert stored == []


async def test_an_enrollment_left_pending_yesterday_takes_a_slot_of_todays_cap(
    sandboxed: Sandboxed,
) -> None:
    platform = sandboxed.platform
    lemlist = platform.integrations.lemlist
    campaign = (await lemlist.list_campaigns())[0]
    emails = ["ann@acme.com", "bob@acme.com", "cy@acme.com"]
    await _add_contacts(platform, emails)
    now = utcnow()
    midnight = datetime.combine(now.date(), time(0), tzinfo=UTC)
    # Yesterday's run reserved ann's slot, then lemlist was down until the day was over.
    async with platform.engine.begin() as conn:
        ref = await ensure_campaign_instance(
            conn,
            "default",
            provider="lemlist",
            provider_campaign_id=campaign.id,
            name=campaign.name,
            status=campaign.status,
            daily_cap=2,
        )
        await conn.execute(
            sa.insert(ENROLLMENTS).values(
                id=uuid.uuid4(),
                instance_id=ref.instance_id,
                owner_id="default",
                contact_email="ann@acme.com",
                status="pending",
                current_step=0,
                variables={},
                enrolled_at=midnight - timedelta(hours=2),
            )
        )

    job = await _completed(
        platform, await _submit(platform, {"emails": emails, "campaign_id": campaign.id})
    )

    assert isinstance(job.result, dict)
    assert (job.result["done"], job.result["skipped"]) == (2, 1)
    enrollments = await _enrollments(platform)
    assert sorted(enrollments) == ["ann@acme.com", "bob@acme.com"]
    assert all(row.enrolled_at >= midnight for row in enrollments.values())
    assert len(await lemlist.list_campaign_leads(campaign.id, limit=500)) == 2
    assert await lemlist.get_lead_memberships("cy@acme.com") == []
