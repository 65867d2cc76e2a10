"""The HubSpot sync step, through jobs on a worker, against the HubSpot emulator."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpx
import pytest
import sqlalchemy as sa

from salesauto.contacts.merge import ContactFacts
from salesauto.contacts.repository import COMPANIES, CONTACTS, merge_contacts
from salesauto.integrations.hubspot.schemas import HubSpotObject, ObjectInput
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
from tests.support.waiting import wait_for_job

SYNC = "pipeline.sync_hubspot"
RESULTS = table_of(JobResult)
CONTACT_PROPERTIES = [
    "email",
    "firstname",
    "lastname",
    "jobtitle",
    "phone",
    "company",
    "website",
    "hs_linkedin_url",
    "seniority",
    "lastmodifieddate",
]
COMPANY_PROPERTIES = [
    "name",
    "domain",
    "industry",
    "numberofemployees",
    "annualrevenue",
    "country",
    "city",
    "hs_lastmodifieddate",
]
SYSTEM_PROPERTIES = {"hs_object_id", "createdate", "lastmodifieddate", "hs_lastmodifieddate"}
ANN = {
    "email": "ann@acme.com",
    "first_name": "Ann",
    "last_name": "Lee",
    "title": "VP Sales",
    "phone": "+49 30 1234",
    "linkedin_url": "https://www.linkedin.com/in/annlee",
    "company_name": "Acme",
    "company_domain": "acme.com",
}
BOB = {"email": "bob@acme.com", "first_name": "Bob", "company_domain": "acme.com"}
CY = {"email": "cy@freelance.dev", "first_name": "Cy"}


@pytest.fixture
async def sandbox_url() -> AsyncIterator[str]:
    app = build_sandbox_app(SandboxConfig(time_scale=0.0), ["hubspot"])
    async with serve_app(app) as url:
        yield url


@asynccontextmanager
async def running(
    database_url: str, sandbox_url: str, **overrides: object
) -> AsyncIterator[Platform]:
    """A platform on the sandbox with a worker; provider calls fail at the first error so an
    injected outage reaches the step at once."""
    values: dict[str, object] = {
        "sandbox_url": sandbox_url,
        "provider_max_attempts": 1,
        "pipeline_retry_base_seconds": 0.5,
        **overrides,
    }
    async with running_platform(make_settings(database_url, **values)) as platform:
        yield platform


@pytest.fixture
async def sandboxed(database_url: str, sandbox_url: str) -> AsyncIterator[Platform]:
    async with running(database_url, sandbox_url) as platform:
        yield platform


async def _store(platform: Platform, *people: dict[str, Any]) -> None:
    facts = [
        ContactFacts(
            email=person["email"],
            fields={k: v for k, v in person.items() if k not in ("email", "data")},
            data=dict(person.get("data", {})),
        )
        for person in people
    ]
    async with platform.engine.begin() as conn:
        await merge_contacts(conn, "default", facts, source="csv", at=utcnow())


async def _enrich_company(platform: Platform, domain: str, data: dict[str, Any]) -> None:
    async with platform.engine.begin() as conn:
        await conn.execute(
            sa.update(COMPANIES)
            .where(COMPANIES.c.domain == domain)
            .values(data=data, updated_at=utcnow())
        )


async def _finished(platform: Platform, job_id: int | str) -> JobView:
    return await wait_for_job(platform, job_id, ("completed", "failed"), timeout=60)


async def _sync(
    platform: Platform, emails: list[str], **parameters: object
) -> tuple[str, dict[str, Any]]:
    enqueued = await platform.jobs.submit(
        JobSubmit(type=SYNC, parameters={"emails": emails, **parameters}), "default"
    )
    job = await _finished(platform, enqueued.job_id)
    assert job.status == "completed", job.error
    assert isinstance(job.result, dict)
    return job.id, job.result


async def _results(platform: Platform, job_id: str) -> dict[str, Any]:
    async with platform.engine.connect() as conn:
        rows = await conn.execute(sa.select(RESULTS).where(RESULTS.c.job_id == int(job_id)))
    return {row.item_key: row for row in rows}


async def _contacts(platform: Platform) -> dict[str, Any]:
    async with platform.engine.connect() as conn:
        rows = await conn.execute(sa.select(CONTACTS).where(CONTACTS.c.owner_id == "default"))
    return {row.email: row for row in rows}


async def _in_hubspot(platform: Platform, email: str) -> HubSpotObject | None:
    found = await platform.integrations.hubspot.contacts.batch_read(
        [email], id_property="email", properties=CONTACT_PROPERTIES
    )
    return found.results[0] if found.results else None


def _values(properties: dict[str, str | None]) -> dict[str, str]:
    """A record's values, without the ones HubSpot maintains itself."""
    return {k: v for k, v in properties.items() if v and k not in SYSTEM_PROPERTIES}


async def _crm_state(platform: Platform) -> dict[str, Any]:
    """Every contact and company HubSpot holds, with values, modification times and links."""
    hubspot = platform.integrations.hubspot
    contacts = [r async for r in hubspot.contacts.iterate(properties=CONTACT_PROPERTIES)]
    companies = [r async for r in hubspot.companies.iterate(properties=COMPANY_PROPERTIES)]
    links = await hubspot.associations.batch_read("contacts", "companies", [c.id for c in contacts])
    return {
        "contacts": {r.id: (r.updated_at, r.properties) for r in contacts},
        "companies": {r.id: (r.updated_at, r.properties) for r in companies},
        "links": {k: sorted(a.to_object_id for a in v) for k, v in links.items()},
    }


async def _faults(sandbox_url: str, **knobs: object) -> None:
    async with httpx.AsyncClient() as http:
        (await http.put(f"{sandbox_url}/hubspot/_sandbox/faults", json=knobs)).raise_for_status()


async def test_contacts_land_in_hubspot_with_their_company_and_association(
    sandboxed: Platform,
) -> None:
    await _store(sandboxed, ANN, BOB, CY)
    await _enrich_company(
        sandboxed,
        "acme.com",
        {
            "industry": "COMPUTER_SOFTWARE",
            "employees": 120,
            "annual_revenue_usd": 15_000_000,
            "country": "Germany",
            "city": "Berlin",
        },
    )

    _, summary = await _sync(sandboxed, ["ann@acme.com", "bob@acme.com", "cy@freelance.dev"])

    assert (summary["done"], summary["failed"], summary["retrying"]) == (3, 0, 0)
    ann = await _in_hubspot(sandboxed, "ann@acme.com")
    assert ann is not None
    assert _values(ann.properties) == {
        "email": "ann@acme.com",
        "firstname": "Ann",
        "lastname": "Lee",
        "jobtitle": "VP Sales",
        "phone": "+49 30 1234",
        "company": "Acme",
        "website": "acme.com",
        "hs_linkedin_url": "https://www.linkedin.com/in/annlee",
    }
    state = await _crm_state(sandboxed)
    assert len(state["contacts"]) == 3 and len(state["companies"]) == 1
    ((company_id, (_, company)),) = state["companies"].items()
    assert _values(company) == {
        "name": "Acme",
        "domain": "acme.com",
        "industry": "COMPUTER_SOFTWARE",
        "numberofemployees": "120",
        "annualrevenue": "15000000",
        "country": "Germany",
        "city": "Berlin",
    }
    stored = await _contacts(sandboxed)
    assert stored["ann@acme.com"].hubspot_id == ann.id
    assert state["links"][ann.id] == [company_id]
    assert state["links"][stored["bob@acme.com"].hubspot_id] == [company_id]
    assert state["links"][stored["cy@freelance.dev"].hubspot_id] == []
    assert {row.status for row in stored.values()} == {"synced"}
    assert all(row.synced_at is not None for row in stored.values())
    async with sandboxed.engine.connect() as conn:
        stored_company = (await conn.execute(sa.select(COMPANIES.c.hubspot_id))).scalar_one()
    assert stored_company == company_id


async def test_a_second_run_calls_and_changes_nothing(
    sandboxed: Platform, sandbox_url: str
) -> None:
    await _store(sandboxed, ANN, BOB, CY)
    emails = ["ann@acme.com", "bob@acme.com", "cy@freelance.dev"]
    await _sync(sandboxed, emails)
    before = await _crm_state(sandboxed)
    requests = (await stats(f"{sandbox_url}/hubspot"))["requests"]

    _, again = await _sync(sandboxed, emails)

    assert (again["unchanged"], again["done"]) == (3, 0)
    assert (await stats(f"{sandbox_url}/hubspot"))["requests"] == requests
    # Compared with HubSpot anyway: it already holds everything, so nothing is written.
    _, compared = await _sync(sandboxed, emails, resync=True)
    assert (compared["unchanged"], compared["done"]) == (3, 0)
    assert await _crm_state(sandboxed) == before


async def test_a_changed_contact_is_synced_again(sandboxed: Platform) -> None:
    await _store(sandboxed, BOB)
    await _sync(sandboxed, ["bob@acme.com"])

    await _store(sandboxed, {"email": "bob@acme.com", "last_name": "Stone"})
    job_id, summary = await _sync(sandboxed, ["bob@acme.com"])

    assert summary["done"] == 1
    assert (await _results(sandboxed, job_id))["bob@acme.com"].data["properties"] == ["lastname"]
    bob = await _in_hubspot(sandboxed, "bob@acme.com")
    assert bob is not None and bob.prop("lastname") == "Stone"


async def test_a_value_typed_in_hubspot_stays_unless_the_policy_is_always(
    sandboxed: Platform,
) -> None:
    typed = await sandboxed.integrations.hubspot.contacts.create(
        ObjectInput(properties={"email": "ann@acme.com", "jobtitle": "Chief Revenue Officer"})
    )
    await _store(sandboxed, ANN)

    job_id, kept = await _sync(sandboxed, ["ann@acme.com"])

    ann = await _in_hubspot(sandboxed, "ann@acme.com")
    assert ann is not None and ann.id == typed.id
    assert (ann.prop("jobtitle"), ann.prop("firstname")) == ("Chief Revenue Officer", "Ann")
    result = (await _results(sandboxed, job_id))["ann@acme.com"]
    assert (kept["done"], result.data["created"]) == (1, False)
    assert "jobtitle" not in result.data["properties"]
    assert (await _contacts(sandboxed))["ann@acme.com"].hubspot_id == typed.id

    job_id, replaced = await _sync(sandboxed, ["ann@acme.com"], overwrite="always")

    assert replaced["done"] == 1
    ann = await _in_hubspot(sandboxed, "ann@acme.com")
    assert ann is not None and ann.prop("jobtitle") == "VP Sales"
    assert (await _results(sandboxed, job_id))["ann@acme.com"].data["properties"] == ["jobtitle"]
    assert len((await _crm_state(sandboxed))["contacts"]) == 1


async def test_a_custom_mapping_sends_extra_fields_and_a_refused_one_fails_alone(
    database_url: str, sandbox_url: str
) -> None:
    mapping = {"data.seniority": "seniority", "data.colour": "favourite_colour", "phone": ""}
    async with running(database_url, sandbox_url, hubspot_field_mapping=mapping) as platform:
        await _store(
            platform,
            {**ANN, "data": {"seniority": "vp"}},
            {**CY, "data": {"colour": "teal"}},
        )

        job_id, summary = await _sync(platform, ["ann@acme.com", "cy@freelance.dev"])

        assert (summary["done"], summary["failed"], summary["retryJobId"]) == (1, 1, None)
        ann = await _in_hubspot(platform, "ann@acme.com")
        assert ann is not None
        assert (ann.prop("seniority"), ann.prop("phone")) == ("vp", None)
        refused = (await _results(platform, job_id))["cy@freelance.dev"]
        assert refused.status == "failed" and "favourite_colour" in refused.error
        assert await _in_hubspot(platform, "cy@freelance.dev") is None
        assert (await _contacts(platform))["cy@freelance.dev"].status == "imported"


async def test_an_invalid_mapping_fails_the_job_with_what_to_fix(
    database_url: str, sandbox_url: str
) -> None:
    mapping = {"title": "Job Title", "shoe_size": "shoesize"}
    async with running(database_url, sandbox_url, hubspot_field_mapping=mapping) as platform:
        await _store(platform, ANN)
        enqueued = await platform.jobs.submit(
            JobSubmit(type=SYNC, parameters={"emails": ["ann@acme.com"]}), "default"
        )
        job = await _finished(platform, enqueued.job_id)

        assert job.status == "failed"
        assert job.error is not None and "'Job Title'" in job.error and "'shoe_size'" in job.error
        assert await _in_hubspot(platform, "ann@acme.com") is None


async def test_a_suppressed_contact_never_reaches_hubspot(sandboxed: Platform) -> None:
    await _store(sandboxed, ANN, CY)
    await SuppressionService(sandboxed.engine).add(
        "default", [SuppressionCreate(value="cy@freelance.dev", reason="unsubscribed")]
    )

    job_id, summary = await _sync(sandboxed, ["ann@acme.com", "cy@freelance.dev"])

    assert (summary["done"], summary["skipped"]) == (1, 1)
    assert (await _results(sandboxed, job_id))["cy@freelance.dev"].status == "skipped"
    assert await _in_hubspot(sandboxed, "cy@freelance.dev") is None
    assert (await _contacts(sandboxed))["cy@freelance.dev"].hubspot_id is None


async def test_an_outage_is_retried_later_and_loses_nothing(
    sandboxed: Platform, sandbox_url: str
) -> None:
    await _store(sandboxed, ANN, CY)
    await _faults(sandbox_url, outageSeconds=60)

    _, summary = await _sync(sandboxed, ["ann@acme.com", "cy@freelance.dev"])

    assert (summary["retrying"], summary["done"]) == (2, 0)
    assert summary["retryJobId"] is not None
    assert {row.status for row in (await _contacts(sandboxed)).values()} == {"imported"}
    await _faults(sandbox_url)
    retried = await _finished(sandboxed, summary["retryJobId"])
    assert retried.status == "completed" and retried.result["done"] == 2
    stored = await _contacts(sandboxed)
    assert {row.status for row in stored.values()} == {"synced"}
    ann = await _in_hubspot(sandboxed, "ann@acme.com")
    assert ann is not None and stored["ann@acme.com"].hubspot_id == ann.id


async def test_a_rate_limit_mid_job_retries_only_the_batch_it_stopped(
    sandboxed: Platform, sandbox_url: str
) -> None:
    people = [{"email": f"lead{n:03d}@freelance.dev", "first_name": f"Lead{n}"} for n in range(101)]
    await _store(sandboxed, *people)
    emails = [person["email"] for person in people]
    await _faults(sandbox_url, force429=1)

    _, summary = await _sync(sandboxed, emails)

    # The first batch of 100 met the 429; the next one went through.
    assert (summary["retrying"], summary["done"]) == (100, 1)
    assert await _in_hubspot(sandboxed, emails[100]) is not None
    retried = await _finished(sandboxed, summary["retryJobId"])
    assert retried.status == "completed"
    assert (retried.result["contacts"], retried.result["done"]) == (100, 100)
    assert len((await _crm_state(sandboxed))["contacts"]) == 101
    assert {row.status for row in (await _contacts(sandboxed)).values()} == {"synced"}
