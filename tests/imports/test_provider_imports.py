"""Importing from lemlist campaigns and HubSpot searches and lists, through jobs, against the
sandbox."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest
import sqlalchemy as sa

from salesauto.config import Settings
from salesauto.contacts.repository import CONTACTS
from salesauto.integrations.hubspot.schemas import ObjectInput
from salesauto.integrations.models import OutreachLead
from salesauto.integrations.sandbox.kit import SandboxConfig
from salesauto.integrations.sandbox.server import build_sandbox_app
from salesauto.jobs.schemas import JobSubmit
from salesauto.platform import Platform
from tests.conftest import AUTH, make_settings
from tests.support.servers import running_platform, serve_app
from tests.support.waiting import wait_for_job


@pytest.fixture
async def sandboxed(database_url: str) -> AsyncIterator[Platform]:
    """A platform whose providers are a sandbox on a real port, with a worker running."""
    app = build_sandbox_app(SandboxConfig(time_scale=0.0), ["hubspot", "lemlist"])
    async with serve_app(app) as url:
        settings: Settings = make_settings(database_url, sandbox_url=url)
        async with running_platform(settings) as platform:
            yield platform


async def _run(platform: Platform, job_type: str, parameters: dict[str, object]) -> dict:  # type: ignore[type-arg]
    enqueued = await platform.jobs.submit(
        JobSubmit(type=job_type, parameters=parameters), "default"
    )
    job = await wait_for_job(platform, enqueued.job_id, ("completed", "failed"), timeout=60)
    assert job.status == "completed", job.error
    assert isinstance(job.result, dict)
    return job.result


async def _stored(platform: Platform) -> dict[str, sa.Row]:  # type: ignore[type-arg]
    async with platform.engine.connect() as conn:
        rows = await conn.execute(sa.select(CONTACTS).where(CONTACTS.c.owner_id == "default"))
    return {row.email: row for row in rows}


async def test_a_hubspot_search_imports_its_contacts_with_their_ids(sandboxed: Platform) -> None:
    hubspot = sandboxed.integrations.hubspot
    created = {}
    for email, first, company, website in (
        ("ann@acme.com", "Ann", "Acme", "https://www.acme.com"),
        ("bob@globex.io", "Bob", "Globex", ""),
        ("cy@initech.com", "Cy", "Initech", "initech.com"),
    ):
        record = await hubspot.contacts.create(
            ObjectInput(
                properties={
                    "email": email,
                    "firstname": first,
                    "company": company,
                    "website": website,
                    "jobtitle": "VP Sales",
                }
            )
        )
        created[email] = record.id
    search = {
        "filterGroups": [
            {"filters": [{"propertyName": "jobtitle", "operator": "EQ", "value": "VP Sales"}]}
        ]
    }

    summary = await _run(sandboxed, "import.hubspot", {"search": search})
    again = await _run(sandboxed, "import.hubspot", {"search": search})

    assert (summary["rowsRead"], summary["created"], summary["source"]) == (3, 3, "hubspot")
    assert (again["created"], again["unchanged"]) == (0, 3)
    stored = await _stored(sandboxed)
    assert {email: row.hubspot_id for email, row in stored.items()} == created
    assert stored["ann@acme.com"].company_domain == "acme.com"
    assert stored["bob@globex.io"].company_domain == "globex.io"  # from the email domain
    assert stored["ann@acme.com"].provenance["hubspot_id"]["source"] == "hubspot"


async def test_a_lemlist_campaign_imports_its_leads(sandboxed: Platform) -> None:
    lemlist = sandboxed.integrations.lemlist
    campaign = (await lemlist.list_campaigns())[0]
    leads = {}
    for email, first in (("dee@umbrella.com", "Dee"), ("eve@hooli.com", "Eve")):
        outcome = await lemlist.enroll_lead(
            campaign.id, OutreachLead(email=email, first_name=first, company_name="Co")
        )
        leads[email] = outcome.lead_id

    summary = await _run(sandboxed, "import.lemlist", {"campaign_id": campaign.id})

    assert (summary["rowsRead"], summary["created"], summary["rejected"]) == (2, 2, 0)
    stored = await _stored(sandboxed)
    assert {email: row.lemlist_lead_id for email, row in stored.items()} == leads
    assert stored["dee@umbrella.com"].first_name == "Dee"
    assert stored["dee@umbrella.com"].data["lemlist_campaign_id"] == campaign.id


async def test_provider_imports_through_the_api(sandboxed: Platform) -> None:
    from salesauto.app import create_app

    app = create_app(sandboxed.settings, run_worker=True)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://t", headers=AUTH) as api:
            bad = await api.post(
                "/api/import/hubspot",
                json={"filterGroups": [{"filters": [{"propertyName": "x", "operator": "LIKE"}]}]},
            )
            unknown = await api.post("/api/import/lemlist", json={"campaign": "cam_x"})
            accepted = await api.post("/api/import/hubspot", json={})
    assert bad.status_code == 422 and "invalid HubSpot search" in bad.json()["error"]
    assert unknown.status_code == 422
    assert accepted.status_code == 202 and accepted.json()["success"] is True


async def test_erasing_a_contact_erases_it_at_hubspot_and_lemlist(sandboxed: Platform) -> None:
    from salesauto.contacts.service import ContactService
    from salesauto.integrations.http.errors import ProviderRejected
    from salesauto.suppressions.service import SuppressionService

    hubspot, lemlist = sandboxed.integrations.hubspot, sandboxed.integrations.lemlist
    record = await hubspot.contacts.create(
        ObjectInput(properties={"email": "gone@acme.com", "firstname": "Gone"})
    )
    campaigns = await lemlist.list_campaigns()
    for campaign in campaigns[:2]:
        await lemlist.enroll_lead(
            campaign.id, OutreachLead(email="gone@acme.com"), deduplicate=False
        )
    await _run(sandboxed, "import.hubspot", {})

    job_id = await ContactService(sandboxed.engine).erase(
        "default", "Gone@Acme.com", queue=sandboxed.queue
    )
    job = await wait_for_job(sandboxed, job_id, ("completed", "failed"), timeout=60)

    assert job.status == "completed", job.error
    assert job.result == {
        "email": "gone@acme.com",
        "hubspot": f"archived {record.id}",
        "lemlist": [c.id for c in campaigns[:2]],
    }
    with pytest.raises(ProviderRejected) as missing:
        await hubspot.contacts.get(record.id)
    assert missing.value.status == 404
    assert await lemlist.get_lead_memberships("gone@acme.com") == []
    assert "gone@acme.com" not in await _stored(sandboxed)
    assert await SuppressionService(sandboxed.engine).check("default", ["gone@acme.com"]) == {
        "gone@acme.com": "erased on request"
    }


async def _hubspot_calls(platform: Platform) -> int:
    """Calls the HubSpot emulator has received so far."""
    async with httpx.AsyncClient(base_url=str(platform.settings.sandbox_url)) as control:
        stats = (await control.get("/hubspot/_sandbox/stats")).json()
    calls: int = stats["requests"]
    return calls


async def test_a_hubspot_list_imports_exactly_its_members_with_their_ids(
    sandboxed: Platform,
) -> None:
    hubspot = sandboxed.integrations.hubspot
    created = await hubspot.contacts.batch_create(
        [
            ObjectInput(
                properties={"email": f"m{n}@acme{n % 3}.com", "firstname": f"M{n}"},
                object_write_trace_id=str(n),
            )
            for n in range(130)
        ]
    )
    no_email = await hubspot.contacts.create(ObjectInput(properties={"firstname": "Nomail"}))
    ids = {record.prop("email"): record.id for record in created.results}
    members = {email: ids[email] for email in sorted(ids)[:120]}  # 10 contacts stay outside
    webinar = await hubspot.lists.create_list("Webinar attendees")
    await hubspot.lists.add_members(webinar.list_id, [*members.values(), no_email.id])
    before = await _hubspot_calls(sandboxed)

    summary = await _run(sandboxed, "import.hubspot", {"list_id": webinar.list_id})
    calls = await _hubspot_calls(sandboxed) - before
    again = await _run(sandboxed, "import.hubspot", {"list_id": webinar.list_id})

    assert summary["fileName"] == f"hubspot list {webinar.list_id} (Webinar attendees)"
    assert (summary["rowsRead"], summary["created"], summary["rejected"]) == (121, 120, 1)
    assert summary["rejectedRows"][0]["reason"] == f"{no_email.id}: no email address"
    # The list, its 121 members in one page, then their contacts 100 at a time.
    assert calls == 1 + 1 + 2
    assert (again["created"], again["unchanged"]) == (0, 120)
    stored = await _stored(sandboxed)
    assert {email: row.hubspot_id for email, row in stored.items()} == members
    assert stored["m0@acme0.com"].first_name == "M0"
    assert stored["m0@acme0.com"].provenance["hubspot_id"]["source"] == "hubspot"


async def test_an_unknown_hubspot_list_fails_the_job_at_once_saying_where_ids_are(
    sandboxed: Platform,
) -> None:
    enqueued = await sandboxed.jobs.submit(
        JobSubmit(type="import.hubspot", parameters={"list_id": "987654"}), "default"
    )
    job = await wait_for_job(sandboxed, enqueued.job_id, ("completed", "failed"), timeout=60)

    assert job.status == "failed"
    assert job.attempts == 1  # permanent: no retry can make a wrong id right
    assert job.error is not None
    assert "HubSpot has no list 987654" in job.error
    assert "Contacts → Lists" in job.error and "URL" in job.error
    assert await _stored(sandboxed) == {}


async def test_a_hubspot_import_takes_a_search_or_a_list_not_both(sandboxed: Platform) -> None:
    from salesauto.kit.errors import InvalidInput

    with pytest.raises(InvalidInput) as both:
        await sandboxed.jobs.submit(
            JobSubmit(
                type="import.hubspot",
                parameters={"list_id": "12", "search": {"query": "acme"}},
            ),
            "default",
        )
    with pytest.raises(InvalidInput) as not_an_id:
        await sandboxed.jobs.submit(
            JobSubmit(type="import.hubspot", parameters={"list_id": "https://app.hubspot.com"}),
            "default",
        )

    assert "give either search or list_id, not both" in both.value.message
    assert "list_id" in not_an_id.value.message
