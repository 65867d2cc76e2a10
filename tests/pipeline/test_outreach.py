"""The outreach step against the lemlist emulator, with a real worker, on both databases."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime, time, timedelta
from typing import Any

import httpx
import pytest
import sqlalchemy as sa

from salesauto.config import Settings
from salesauto.contacts.merge import ContactFacts
from salesauto.contacts.repository import CONTACTS, merge_contacts
from salesauto.integrations.models import OutreachLead
from salesauto.integrations.sandbox.kit import SandboxConfig
from salesauto.integrations.sandbox.server import build_sandbox_app
from salesauto.jobs.schemas import JobSubmit, JobView
from salesauto.kit.time import utcnow
from salesauto.models.base import table_of
from salesauto.models.campaigns import CampaignEnrollment, CampaignInstance, CampaignTemplate
from salesauto.models.jobs import Job, JobResult
from salesauto.platform import Platform
from salesauto.suppressions.schemas import SuppressionCreate
from salesauto.suppressions.service import SuppressionService
from tests.conftest import make_settings
from tests.support.servers import running_platform, serve_app
from tests.support.waiting import wait_for_job

ENROLLMENTS = table_of(CampaignEnrollment)
INSTANCES = table_of(CampaignInstance)
TEMPLATES = table_of(CampaignTemplate)
JOBS = table_of(Job)
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
        settings: Settings = make_settings(
            database_url,
            sandbox_url=url,
            pipeline_retry_base_seconds=1.5,
            provider_max_attempts=2,
            provider_breaker_reset_seconds=0.2,
        )
        async with running_platform(settings) as platform:
            yield Sandboxed(platform, f"{url}/lemlist")


async def _campaign(platform: Platform, index: int = 0) -> str:
    campaign = (await platform.integrations.lemlist.list_campaigns())[index]
    return campaign.id


async def _add_contacts(platform: Platform, *people: ContactFacts) -> None:
    async with platform.engine.begin() as conn:
        await merge_contacts(conn, "default", list(people), source="csv", at=utcnow())


def _person(email: str, first: str, company: str, **data: Any) -> ContactFacts:
    fields = {"first_name": first, "last_name": "Lee", "company_name": company, "title": "CRO"}
    return ContactFacts(email=email, fields=fields, data=data)


async def _submit(platform: Platform, parameters: dict[str, Any]) -> int:
    enqueued = await platform.jobs.submit(
        JobSubmit(type="pipeline.outreach", parameters=parameters), "default"
    )
    return enqueued.job_id


async def _finished(platform: Platform, job_id: int | str) -> JobView:
    return await wait_for_job(platform, job_id, ("completed", "failed"), timeout=60)


async def _run(platform: Platform, parameters: dict[str, Any]) -> tuple[int, dict[str, Any]]:
    job_id = await _submit(platform, parameters)
    job = await _finished(platform, job_id)
    assert job.status == "completed", job.error
    assert isinstance(job.result, dict)
    return job_id, job.result


async def _rows(platform: Platform, statement: Any) -> list[Any]:
    async with platform.engine.connect() as conn:
        return list(await conn.execute(statement))


async def _enrollments(platform: Platform) -> dict[str, Any]:
    rows = await _rows(platform, sa.select(ENROLLMENTS))
    return {row.contact_email: row for row in rows}


async def _results(platform: Platform, job_id: int | str) -> dict[str, Any]:
    rows = await _rows(platform, sa.select(RESULTS).where(RESULTS.c.job_id == int(job_id)))
    return {row.item_key: row for row in rows}


async def _lemlist_requests(url: str) -> int:
    async with httpx.AsyncClient() as http:
        stats: dict[str, Any] = (await http.get(f"{url}/_sandbox/stats")).json()
    return int(stats["requests"])


async def _campaign_leads(platform: Platform, campaign_id: str) -> int:
    return len(await platform.integrations.lemlist.list_campaign_leads(campaign_id, limit=500))


async def test_contacts_are_enrolled_with_their_variables_once(sandboxed: Sandboxed) -> None:
    platform = sandboxed.platform
    campaign_id = await _campaign(platform)
    await _add_contacts(
        platform,
        _person("ann@acme.com", "Ann", "Acme", city="Paris", _extra_4="x", tags={"a": 1}),
        _person("bob@globex.io", "Bob", "Globex"),
    )
    parameters = {
        "emails": ["ann@acme.com", "Bob@Globex.io"],
        "campaign_id": campaign_id,
        "variables": {"event": "SaaStr"},
    }

    job_id, summary = await _run(platform, parameters)

    assert (summary["done"], summary["failed"], summary["skipped"]) == (2, 0, 0)
    lemlist = platform.integrations.lemlist
    (ann,) = await lemlist.get_lead_memberships("ann@acme.com")
    assert ann.campaign is not None and ann.campaign.id == campaign_id
    assert {k: ann.variables.get(k) for k in ("firstName", "companyName", "jobTitle")} == {
        "firstName": "Ann",
        "companyName": "Acme",
        "jobTitle": "CRO",
    }
    assert (ann.variables["city"], ann.variables["event"]) == ("Paris", "SaaStr")
    assert "_extra_4" not in ann.variables and "tags" not in ann.variables
    enrollments = await _enrollments(platform)
    assert {e: row.status for e, row in enrollments.items()} == {
        "ann@acme.com": "enrolled",
        "bob@globex.io": "enrolled",
    }
    assert enrollments["ann@acme.com"].provider_lead_id == ann.id
    assert enrollments["ann@acme.com"].variables["event"] == "SaaStr"
    contacts = {r.email: r for r in await _rows(platform, sa.select(CONTACTS))}
    assert {r.status for r in contacts.values()} == {"enrolled"}
    assert contacts["ann@acme.com"].lemlist_lead_id == ann.id
    assert contacts["ann@acme.com"].provenance["lemlist_lead_id"]["source"] == "lemlist"
    (instance,) = await _rows(platform, sa.select(INSTANCES))
    assert (instance.provider, instance.provider_campaign_id) == ("lemlist", campaign_id)
    assert instance.total_enrolled == 2
    assert (await _results(platform, job_id))["ann@acme.com"].data["leadId"] == ann.id

    requests_before = await _lemlist_requests(sandboxed.lemlist_url)
    jobs_before = len(await _rows(platform, sa.select(JOBS.c.id)))
    _, again = await _run(platform, parameters)

    assert (again["unchanged"], again["done"]) == (2, 0)
    # Only the campaign lookup: no lead was added, or even looked up.
    assert await _lemlist_requests(sandboxed.lemlist_url) == requests_before + 1
    assert await _campaign_leads(platform, campaign_id) == 2
    assert len(await _enrollments(platform)) == 2
    assert len(await _rows(platform, sa.select(INSTANCES))) == 1
    assert len(await _rows(platform, sa.select(TEMPLATES))) == 1
    assert len(await _rows(platform, sa.select(JOBS.c.id))) == jobs_before + 1  # the run


async def test_a_lead_lemlist_already_holds_is_recorded_not_duplicated(
    sandboxed: Sandboxed,
) -> None:
    platform = sandboxed.platform
    lemlist = platform.integrations.lemlist
    campaign_id, other_campaign = await _campaign(platform, 0), await _campaign(platform, 1)
    await _add_contacts(
        platform,
        _person("cy@initech.com", "Cy", "Initech"),
        _person("dee@umbrella.com", "Dee", "Umbrella"),
        _person("hal@hooli.com", "Hal", "Hooli"),
    )
    direct = await lemlist.enroll_lead(campaign_id, OutreachLead(email="cy@initech.com"))
    await lemlist.enroll_lead(other_campaign, OutreachLead(email="hal@hooli.com"))
    emails = ["cy@initech.com", "dee@umbrella.com", "hal@hooli.com"]

    job_id, summary = await _run(platform, {"emails": emails, "campaign_id": campaign_id})

    assert (summary["done"], summary["unchanged"], summary["skipped"]) == (1, 1, 1)
    results = await _results(platform, job_id)
    assert results["cy@initech.com"].data["reason"] == "already in the lemlist campaign"
    assert "another campaign" in results["hal@hooli.com"].data["reason"]
    assert len(await lemlist.get_lead_memberships("cy@initech.com")) == 1
    assert await _campaign_leads(platform, campaign_id) == 2  # cy (added directly) and dee
    enrollments = await _enrollments(platform)
    assert set(enrollments) == {"cy@initech.com", "dee@umbrella.com"}  # hal's slot released
    assert enrollments["cy@initech.com"].provider_lead_id == direct.lead_id
    contacts = {r.email: r for r in await _rows(platform, sa.select(CONTACTS))}
    assert contacts["cy@initech.com"].status == "enrolled"
    assert contacts["cy@initech.com"].lemlist_lead_id == direct.lead_id
    assert contacts["hal@hooli.com"].status == "imported"


async def test_suppressed_and_lemlist_unsubscribed_contacts_are_never_contacted(
    sandboxed: Sandboxed,
) -> None:
    platform = sandboxed.platform
    lemlist = platform.integrations.lemlist
    campaign_id = await _campaign(platform)
    await _add_contacts(
        platform,
        _person("eve@hooli.com", "Eve", "Hooli"),
        _person("fay@acme.com", "Fay", "Acme"),
        _person("gil@acme.com", "Gil", "Acme"),
        _person("hal@acme.com", "Hal", "Acme", email_status="invalid"),  # it bounced
    )
    await SuppressionService(platform.engine).add(
        "default", [SuppressionCreate(value="eve@hooli.com", reason="asked us")]
    )
    await lemlist.add_unsubscribe("gil@acme.com")
    emails = ["eve@hooli.com", "fay@acme.com", "gil@acme.com", "hal@acme.com"]

    job_id, summary = await _run(platform, {"emails": emails, "campaign_id": campaign_id})
    _, again = await _run(platform, {"emails": emails, "campaign_id": campaign_id})

    assert (summary["done"], summary["skipped"]) == (1, 3)
    assert (again["unchanged"], again["skipped"]) == (1, 3)
    results = await _results(platform, job_id)
    assert results["eve@hooli.com"].data["reason"].startswith("suppressed")
    assert "Unsubscribed" in results["gil@acme.com"].data["reason"]
    assert "invalid" in results["hal@acme.com"].data["reason"]
    assert await lemlist.get_lead_memberships("eve@hooli.com") == []
    assert await lemlist.get_lead_memberships("hal@acme.com") == []
    enrollments = await _enrollments(platform)
    assert {e: row.status for e, row in enrollments.items()} == {
        "fay@acme.com": "enrolled",
        "gil@acme.com": "unsubscribed",
    }
    contacts = {r.email: r.status for r in await _rows(platform, sa.select(CONTACTS))}
    assert contacts == {
        "eve@hooli.com": "imported",
        "fay@acme.com": "enrolled",
        "gil@acme.com": "imported",
        "hal@acme.com": "imported",
    }


async def test_the_daily_cap_defers_the_rest_to_the_next_midnight(sandboxed: Sandboxed) -> None:
    platform = sandboxed.platform
    campaign_id = await _campaign(platform)
    emails = [f"p{n}@acme.com" for n in range(5)]
    await _add_contacts(
        platform, *(_person(email, f"P{n}", "Acme") for n, email in enumerate(emails))
    )

    job_id, summary = await _run(
        platform, {"emails": emails, "campaign_id": campaign_id, "daily_cap": 3}
    )

    assert (summary["done"], summary["skipped"]) == (3, 2)
    midnight = datetime.combine(utcnow().date() + timedelta(days=1), time(0), tzinfo=UTC)
    results = await _results(platform, job_id)
    reason = f"daily cap of 3 reached; enrolling on {midnight.date().isoformat()}"
    assert [results[e].data["reason"] for e in emails[3:]] == [reason, reason]
    assert await _campaign_leads(platform, campaign_id) == 3
    (deferred,) = await _rows(
        platform, sa.select(JOBS).where(JOBS.c.idempotency_key == f"outreach-deferred:{job_id}")
    )
    assert (deferred.type, deferred.status, deferred.run_at) == (
        "pipeline.outreach",
        "queued",
        midnight,
    )
    assert deferred.parameters["emails"] == emails[3:]
    assert deferred.parameters["campaign_id"] == campaign_id
    (instance,) = await _rows(platform, sa.select(INSTANCES))
    assert instance.daily_cap == 3

    # Another job today finds the cap used up too: the cap is the campaign's, not the job's.
    _, later = await _run(platform, {"emails": emails[3:], "campaign_id": campaign_id})
    assert (later["done"], later["skipped"]) == (0, 2)
    assert await _campaign_leads(platform, campaign_id) == 3


async def test_two_jobs_at_once_share_one_daily_cap(sandboxed: Sandboxed) -> None:
    platform = sandboxed.platform
    campaign_id = await _campaign(platform)
    emails = [f"q{n}@globex.io" for n in range(17)]
    await _add_contacts(
        platform, *(_person(email, f"Q{n}", "Globex") for n, email in enumerate(emails))
    )
    # The campaign's instance exists before the race: the jobs only meet at the cap count.
    await _run(platform, {"emails": emails[:1], "campaign_id": campaign_id, "daily_cap": 5})

    job_ids = await asyncio.gather(
        _submit(platform, {"emails": emails[1:9], "campaign_id": campaign_id}),
        _submit(platform, {"emails": emails[9:], "campaign_id": campaign_id}),
    )
    jobs = [await _finished(platform, job_id) for job_id in job_ids]

    assert [job.status for job in jobs] == ["completed", "completed"]
    assert sum(job.result["done"] for job in jobs) == 4
    assert sum(job.result["skipped"] for job in jobs) == 12
    assert await _campaign_leads(platform, campaign_id) == 5
    assert len(await _enrollments(platform)) == 5


async def test_a_lemlist_outage_is_retried_until_every_contact_is_enrolled(
    sandboxed: Sandboxed,
) -> None:
    platform = sandboxed.platform
    campaign_id = await _campaign(platform)
    emails = ["ida@acme.com", "jo@acme.com"]
    await _add_contacts(
        platform, _person(emails[0], "Ida", "Acme"), _person(emails[1], "Jo", "Acme")
    )
    async with httpx.AsyncClient() as http:
        await http.put(f"{sandboxed.lemlist_url}/_sandbox/faults", json={"errorRate": 1.0})

        job_id, summary = await _run(platform, {"emails": emails, "campaign_id": campaign_id})
        results = await _results(platform, job_id)
        await http.put(f"{sandboxed.lemlist_url}/_sandbox/faults", json={})

    assert (summary["retrying"], summary["done"]) == (2, 0)
    assert {row.status for row in results.values()} == {"retrying"}
    assert "lemlist" in (results[emails[0]].error or "")
    retry = await _finished(platform, summary["retryJobId"])
    assert retry.status == "completed", retry.error
    assert isinstance(retry.result, dict) and retry.result["done"] == 2
    assert retry.parameters["round"] == 1
    assert await _campaign_leads(platform, campaign_id) == 2
    assert {row.status for row in (await _enrollments(platform)).values()} == {"enrolled"}


async def test_an_outage_in_the_middle_retries_only_the_contacts_it_hit(
    sandboxed: Sandboxed,
) -> None:
    platform = sandboxed.platform
    campaign_id = await _campaign(platform)
    emails = [f"r{n}@initech.com" for n in range(4)]
    await _add_contacts(
        platform, *(_person(email, f"R{n}", "Initech") for n, email in enumerate(emails))
    )
    async with httpx.AsyncClient() as http:
        # Half the calls fail. The emulator's fault dice are seeded: the campaign lookup
        # gets through and one add-lead of four is refused with a 503, run after run.
        await http.put(f"{sandboxed.lemlist_url}/_sandbox/faults", json={"errorRate": 0.5})
        job_id, summary = await _run(platform, {"emails": emails, "campaign_id": campaign_id})
        await http.put(f"{sandboxed.lemlist_url}/_sandbox/faults", json={})

    assert summary["done"] >= 1 and summary["retrying"] >= 1
    assert summary["done"] + summary["retrying"] == 4
    results = await _results(platform, job_id)
    hit = sorted(email for email, row in results.items() if row.status == "retrying")
    pending = await _enrollments(platform)
    assert sorted(e for e, row in pending.items() if row.status == "pending") == hit
    retry = await _finished(platform, summary["retryJobId"])
    assert retry.status == "completed", retry.error
    assert retry.parameters["emails"] == hit
    assert isinstance(retry.result, dict) and retry.result["done"] == len(hit)
    assert await _campaign_leads(platform, campaign_id) == 4
    assert {row.status for row in (await _enrollments(platform)).values()} == {"enrolled"}


async def test_an_unknown_campaign_fails_the_job_with_what_to_do(sandboxed: Sandboxed) -> None:
    platform = sandboxed.platform
    await _add_contacts(platform, _person("kim@acme.com", "Kim", "Acme"))

    job_id = await _submit(platform, {"emails": ["kim@acme.com"], "campaign_id": "cam_nope"})
    job = await _finished(platform, job_id)

    assert job.status == "failed"
    assert "lemlist has no campaign 'cam_nope'" in (job.error or "")
    assert "salesauto integrations check" in (job.error or "")
    assert await _enrollments(platform) == {}
