"""The HubSpot sync when several batches or jobs meet the same new company, and when a contact
is suppressed or erased while its job runs: against the HubSpot emulator, on both databases."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator

import httpx
import pytest
import sqlalchemy as sa
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from salesauto.contacts.merge import ContactFacts
from salesauto.contacts.repository import COMPANIES, CONTACTS, merge_contacts
from salesauto.contacts.service import ContactService
from salesauto.integrations.sandbox.kit import SandboxConfig
from salesauto.integrations.sandbox.server import build_sandbox_app
from salesauto.jobs.schemas import JobSubmit, JobView
from salesauto.kit.time import utcnow
from salesauto.models.base import table_of
from salesauto.models.jobs import JobResult
from salesauto.platform import Platform
from salesauto.suppressions.schemas import SuppressionCreate
from salesauto.suppressions.service import SuppressionService
from tests.conftest import make_settings
from tests.support.emulators import stats
from tests.support.servers import running_platform, serve_app
from tests.support.waiting import eventually, wait_for_job

SYNC = "pipeline.sync_hubspot"
RESULTS = table_of(JobResult)


class CompanySearches:
    """The sandbox app, noting the domains of every HubSpot company search it answers."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self.domains: list[str] = []

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not scope["path"].endswith("/objects/companies/search"):
            await self.app(scope, receive, send)
            return
        body = b""
        while True:
            message = await receive()
            body += message.get("body", b"")
            if not message.get("more_body"):
                break
        for group in json.loads(body).get("filterGroups", []):
            for condition in group.get("filters", []):
                if condition.get("propertyName") == "domain":
                    self.domains.extend(condition.get("values") or [condition.get("value")])
        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if replayed:
                return await receive()
            replayed = True
            return {"type": "http.request", "body": body, "more_body": False}

        await self.app(scope, replay, send)


class Sandboxed:
    def __init__(self, platform: Platform, hubspot_url: str, searches: CompanySearches) -> None:
        self.platform = platform
        self.hubspot_url = hubspot_url
        self.searches = searches


@pytest.fixture
async def sandboxed(database_url: str) -> AsyncIterator[Sandboxed]:
    searches = CompanySearches(build_sandbox_app(SandboxConfig(time_scale=0.0), ["hubspot"]))
    async with serve_app(searches) as url:
        settings = make_settings(
            database_url,
            sandbox_url=url,
            provider_max_attempts=1,
            pipeline_retry_base_seconds=0.5,
        )
        async with running_platform(settings) as platform:
            yield Sandboxed(platform, f"{url}/hubspot", searches)


async def _store(platform: Platform, people: list[dict[str, str]]) -> None:
    facts = [
        ContactFacts(
            email=person["email"], fields={k: v for k, v in person.items() if k != "email"}
        )
        for person in people
    ]
    async with platform.engine.begin() as conn:
        await merge_contacts(conn, "default", facts, source="csv", at=utcnow())


def _people(prefix: str, count: int, domain: str | None) -> list[dict[str, str]]:
    people = []
    for n in range(count):
        person = {"email": f"{prefix}{n:03d}@{domain or 'freelance.dev'}", "first_name": prefix}
        if domain is not None:
            person["company_domain"] = domain
        people.append(person)
    return people


async def _submit(platform: Platform, emails: list[str]) -> int:
    enqueued = await platform.jobs.submit(
        JobSubmit(type=SYNC, parameters={"emails": emails}), "default"
    )
    return enqueued.job_id


async def _completed(platform: Platform, job_id: int) -> JobView:
    job = await wait_for_job(platform, job_id, ("completed", "failed"), timeout=90)
    assert job.status == "completed", job.error
    return job


async def _faults(hubspot_url: str, **knobs: object) -> None:
    async with httpx.AsyncClient() as http:
        (await http.put(f"{hubspot_url}/_sandbox/faults", json=knobs)).raise_for_status()


async def _hubspot_companies(platform: Platform) -> dict[str, list[str]]:
    """HubSpot's company ids per domain."""
    found: dict[str, list[str]] = {}
    async for record in platform.integrations.hubspot.companies.iterate(properties=["domain"]):
        found.setdefault(record.prop("domain") or "", []).append(record.id)
    return found


async def _links(platform: Platform, emails: list[str]) -> dict[str, list[str]]:
    """The HubSpot companies each contact is associated with, by email."""
    async with platform.engine.connect() as conn:
        rows = await conn.execute(
            sa.select(CONTACTS.c.email, CONTACTS.c.hubspot_id).where(CONTACTS.c.email.in_(emails))
        )
        ids = {row.email: row.hubspot_id for row in rows}
    assert all(ids.values()), ids
    links = await platform.integrations.hubspot.associations.batch_read(
        "contacts", "companies", list(ids.values())
    )
    return {
        email: sorted(a.to_object_id for a in links.get(contact_id, []))
        for email, contact_id in ids.items()
    }


async def _stored_company_ids(platform: Platform) -> dict[str, str | None]:
    async with platform.engine.connect() as conn:
        rows = await conn.execute(sa.select(COMPANIES.c.domain, COMPANIES.c.hubspot_id))
    return {row.domain: row.hubspot_id for row in rows}


async def test_one_job_searches_a_new_company_once_across_its_batches(
    sandboxed: Sandboxed,
) -> None:
    platform = sandboxed.platform
    people = _people("lead", 101, "acme.com")  # two batches of the same new company
    await _store(platform, people)
    emails = [person["email"] for person in people]

    job = await _completed(platform, await _submit(platform, emails))

    assert isinstance(job.result, dict) and job.result["done"] == 101
    # Real HubSpot's search lags behind new records: a second search could miss the
    # company the first batch created and create it again.
    assert sandboxed.searches.domains == ["acme.com"]
    companies = await _hubspot_companies(platform)
    assert list(companies) == ["acme.com"] and len(companies["acme.com"]) == 1
    assert set(map(tuple, (await _links(platform, emails)).values())) == {
        (companies["acme.com"][0],)
    }


async def test_two_jobs_at_once_create_each_new_company_once(sandboxed: Sandboxed) -> None:
    platform = sandboxed.platform
    first = _people("ann", 2, "acme.com") + _people("bob", 1, "globex.io")
    second = _people("cy", 2, "acme.com") + _people("dee", 1, "globex.io")
    await _store(platform, first + second)
    # Slow answers, as from the real HubSpot: both jobs search before either creates.
    await _faults(sandboxed.hubspot_url, latencyMs=300)

    job_ids = await asyncio.gather(
        _submit(platform, [person["email"] for person in first]),
        _submit(platform, [person["email"] for person in second]),
    )
    jobs = [await _completed(platform, job_id) for job_id in job_ids]

    assert [job.result["done"] for job in jobs if isinstance(job.result, dict)] == [3, 3]
    companies = await _hubspot_companies(platform)
    assert sorted(companies) == ["acme.com", "globex.io"]
    assert [len(ids) for ids in companies.values()] == [1, 1]
    (acme,), (globex,) = companies["acme.com"], companies["globex.io"]
    links = await _links(platform, [person["email"] for person in first + second])
    assert links == {
        person["email"]: [acme if person["company_domain"] == "acme.com" else globex]
        for person in first + second
    }
    assert await _stored_company_ids(platform) == {"acme.com": acme, "globex.io": globex}
    # The job that waited found the id the other one stored: HubSpot was searched once.
    assert sorted(sandboxed.searches.domains) == ["acme.com", "globex.io"]


async def test_a_contact_suppressed_or_erased_mid_job_never_reaches_hubspot(
    sandboxed: Sandboxed,
) -> None:
    platform = sandboxed.platform
    people = _people("lead", 102, None)
    await _store(platform, people)
    emails = [person["email"] for person in people]
    suppressed, erased = emails[100], emails[101]  # both in the second batch
    await _faults(sandboxed.hubspot_url, latencyMs=300)

    job_id = await _submit(platform, emails)
    # Once the first batch is talking to HubSpot, one contact of the second batch is
    # suppressed and another erased (which queues its removal at the providers).
    await eventually(lambda: stats(sandboxed.hubspot_url), lambda body: body["requests"] > 0)
    await SuppressionService(platform.engine).add(
        "default", [SuppressionCreate(value=suppressed, reason="asked us")]
    )
    erase_job = await ContactService(platform.engine).erase("default", erased, queue=platform.queue)
    job = await _completed(platform, job_id)
    await _completed(platform, erase_job)

    assert isinstance(job.result, dict)
    assert (job.result["done"], job.result["skipped"]) == (100, 2)
    async with platform.engine.connect() as conn:
        rows = await conn.execute(sa.select(RESULTS).where(RESULTS.c.job_id == job_id))
        results = {row.item_key: row for row in rows}
    assert results[suppressed].status == "skipped"
    assert results[suppressed].data["reason"] == "suppressed: asked us"
    assert results[erased].data["reason"] == "suppressed: erased on request"
    found = await platform.integrations.hubspot.contacts.batch_read(
        [suppressed, erased, emails[0]], id_property="email", properties=["email"]
    )
    assert [record.prop("email") for record in found.results] == [emails[0]]
