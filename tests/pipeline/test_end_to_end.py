"""The whole chain through the API against the sandbox: discover → enrich → sync → enroll.

The providers are the emulators on a real port at their real limits; what a user would check
is checked where it lands: our contacts, the HubSpot emulator, the lemlist campaign.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
import sqlalchemy as sa

from salesauto.contacts.repository import CONTACTS
from salesauto.integrations.sandbox.kit import SandboxConfig
from salesauto.integrations.sandbox.server import build_sandbox_app
from salesauto.platform import Platform
from tests.api.conftest import client_for
from tests.conftest import make_settings
from tests.support.servers import serve_app

# Mid-sized software companies and their sales leaders: the sandbox holds hundreds.
PROFILE: dict[str, Any] = {
    "industries": ["software development", "it services and it consulting"],
    "employeeRanges": ["51-200", "201-500", "501-1000"],
    "seniorities": ["vp", "director", "head"],
    "departments": ["sales"],
}


class Stack:
    def __init__(self, api: httpx.AsyncClient, sandbox: str, platform: Platform) -> None:
        self.api = api
        self.sandbox = sandbox
        self.platform = platform

    async def run(self, body: dict[str, Any], timeout: float = 240.0) -> dict[str, Any]:
        """Start a pipeline run and wait until none of its jobs is left unfinished."""
        response = await self.api.post("/api/pipeline", json=body)
        assert response.status_code == 202, response.text
        run_id = response.json()["runId"]
        deadline = asyncio.get_running_loop().time() + timeout
        while True:
            report = (await self.api.get(f"/api/pipeline/{run_id}")).json()
            if report["status"] != "running":
                return report  # type: ignore[no-any-return]
            assert asyncio.get_running_loop().time() < deadline, report
            await asyncio.sleep(0.3)

    async def campaign(self) -> str:
        campaigns = await self.platform.integrations.lemlist.list_campaigns(status="draft")
        return campaigns[0].id

    async def lemlist_lead_ids(self, campaign_id: str) -> set[str]:
        lemlist = self.platform.integrations.lemlist
        return {lead.id for lead in await lemlist.list_campaign_leads(campaign_id, limit=500)}

    async def hubspot_contacts(self) -> dict[str, str]:
        """HubSpot contact id by email, as the emulator holds them."""
        found: dict[str, str] = {}
        async for record in self.platform.integrations.hubspot.contacts.iterate(
            properties=["email"]
        ):
            found[(record.properties.get("email") or "").lower()] = record.id
        return found

    async def contacts(self) -> dict[str, Any]:
        async with self.platform.engine.connect() as conn:
            rows = await conn.execute(sa.select(CONTACTS))
        return {row.email: row for row in rows}


@pytest.fixture
async def stack(database_url: str) -> AsyncIterator[Stack]:
    app = build_sandbox_app(
        SandboxConfig(time_scale=0.0), ["hubspot", "lemlist", "explorium", "apollo"]
    )
    async with serve_app(app) as url:
        settings = make_settings(
            database_url,
            sandbox_url=url,
            pipeline_retry_base_seconds=0.5,
            # Shorter than the first retry wait, as the defaults (30 s and 30 s) are.
            provider_breaker_reset_seconds=0.4,
            worker_concurrency=8,
        )
        async with client_for(settings, run_worker=True) as api:
            platform: Platform = api._transport.app.state.platform  # type: ignore[attr-defined]
            yield Stack(api, url, platform)


async def test_discovered_leads_go_all_the_way_and_a_second_run_changes_nothing(
    stack: Stack,
) -> None:
    campaign = await stack.campaign()
    body = {
        "discover": {"query": "sales leaders", "icpProfile": PROFILE, "count": 200},
        "campaignId": campaign,
    }

    report = await stack.run(body)

    assert report["status"] == "finished", report
    assert report["funnel"] == {
        "discovered": 200,
        "enriched": 200,
        "synced": 200,
        "enrolled": 200,
    }
    contacts = await stack.contacts()
    assert len(contacts) == 200
    for contact in contacts.values():
        assert contact.source == "discovery"
        assert contact.status == "enrolled"
        assert 0 <= contact.score <= 100 and contact.score_reasons
        assert contact.hubspot_id and contact.lemlist_lead_id
        enriched_by = {stamp["source"] for stamp in contact.provenance.values()}
        assert enriched_by & {"explorium", "apollo"}, contact.provenance
    in_hubspot = await stack.hubspot_contacts()
    assert {email: c.hubspot_id for email, c in contacts.items()} == in_hubspot
    companies = await stack.platform.integrations.hubspot.associations.batch_read(
        "contacts", "companies", list(in_hubspot.values())
    )
    assert all(companies[contact_id] for contact_id in in_hubspot.values())
    leads = await stack.lemlist_lead_ids(campaign)
    assert leads == {contact.lemlist_lead_id for contact in contacts.values()}

    again = await stack.run(body)

    assert again["status"] == "finished", again
    assert again["funnel"]["discovered"] == 0
    assert await stack.contacts() == contacts
    assert await stack.hubspot_contacts() == in_hubspot
    assert await stack.lemlist_lead_ids(campaign) == leads

    rerun = await stack.run({"contacts": {"source": "discovery"}, "campaignId": campaign})

    assert rerun["funnel"] == {"discovered": 0, "enriched": 200, "synced": 200, "enrolled": 200}
    unchanged = {entry["step"]: entry.get("unchanged", 0) for entry in rerun["steps"]}
    assert unchanged == {"enrich": 200, "sync": 200, "outreach": 200}
    assert await stack.hubspot_contacts() == in_hubspot
    assert await stack.lemlist_lead_ids(campaign) == leads


async def test_suppressed_contacts_are_never_sent_and_an_outage_loses_nothing(
    stack: Stack,
) -> None:
    campaign = await stack.campaign()
    rows = ["email,first name,company,website"]
    rows += [f"rep{i}@northwind-e2e.com,Rep{i},Northwind,northwind-e2e.com" for i in range(12)]
    rows += ["ceo@blocked-e2e.com,Cy,Blocked,blocked-e2e.com", "optout@other-e2e.com,Al,Other,"]
    suppress = await stack.api.post(
        "/api/suppressions",
        json={"entries": [{"value": "blocked-e2e.com"}, {"value": "optout@other-e2e.com"}]},
    )
    assert suppress.status_code == 201, suppress.text
    upload = await stack.api.post(
        "/api/import/csv",
        files={"file": ("leads.csv", "\n".join(rows).encode(), "text/csv")},
        data={"autoEnrich": "false", "autoSync": "false"},
    )
    assert upload.status_code == 202, upload.text
    await _wait_job(stack, upload.json()["jobId"])
    # HubSpot answers 503 to everything until we say otherwise.
    async with httpx.AsyncClient() as control:
        faults = await control.put(
            f"{stack.sandbox}/hubspot/_sandbox/faults", json={"errorRate": 1.0, "errorStatus": 503}
        )
        assert faults.status_code == 200
        response = await stack.api.post(
            "/api/pipeline", json={"contacts": {"source": "csv"}, "campaignId": campaign}
        )
        assert response.status_code == 202, response.text
        run_id = response.json()["runId"]
        report = await _wait_report(stack, run_id, lambda r: _step(r, "sync").get("retrying"))
        assert _step(report, "sync")["retrying"] == 12
        assert report["funnel"]["synced"] == 0
        await control.post(f"{stack.sandbox}/hubspot/_sandbox/reset")

        report = await _wait_report(stack, run_id, lambda r: r["status"] != "running")

    assert report["status"] == "finished", report
    assert report["funnel"] == {"discovered": 0, "enriched": 12, "synced": 12, "enrolled": 12}
    assert _step(report, "enrich")["skipped"] == 2
    contacts = await stack.contacts()
    blocked = {"ceo@blocked-e2e.com", "optout@other-e2e.com"}
    for email in blocked:
        assert contacts[email].status == "imported"
        assert contacts[email].hubspot_id is None and contacts[email].lemlist_lead_id is None
        assert contacts[email].enriched_at is None
    assert set(await stack.hubspot_contacts()) == set(contacts) - blocked
    leads = await stack.lemlist_lead_ids(campaign)
    assert leads == {c.lemlist_lead_id for e, c in contacts.items() if e not in blocked}


def _step(report: dict[str, Any], step: str) -> dict[str, Any]:
    return next((entry for entry in report["steps"] if entry["step"] == step), {})


async def _wait_report(stack: Stack, run_id: str, done: Any, timeout: float = 120.0) -> Any:
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        report = (await stack.api.get(f"/api/pipeline/{run_id}")).json()
        if done(report):
            return report
        assert asyncio.get_running_loop().time() < deadline, report
        await asyncio.sleep(0.2)


async def _wait_job(stack: Stack, job_id: str) -> None:
    deadline = asyncio.get_running_loop().time() + 60
    while (await stack.api.get(f"/api/jobs/{job_id}")).json()["status"] != "completed":
        assert asyncio.get_running_loop().time() < deadline
        await asyncio.sleep(0.1)


async def test_an_import_starts_the_chain_for_what_it_stored(stack: Stack) -> None:
    campaign = await stack.campaign()
    rows = ["email,first name,company,website"]
    rows += [f"buyer{i}@southwind-e2e.com,Buyer{i},Southwind,southwind-e2e.com" for i in range(8)]
    upload = await stack.api.post(
        "/api/import/csv",
        files={"file": ("leads.csv", "\n".join(rows).encode(), "text/csv")},
        data={"autoOutreach": "true", "outreachCampaignId": campaign},
    )
    assert upload.status_code == 202, upload.text
    await _wait_job(stack, upload.json()["jobId"])

    deadline = asyncio.get_running_loop().time() + 120
    while {c.status for c in (await stack.contacts()).values()} != {"enrolled"}:
        assert asyncio.get_running_loop().time() < deadline, await stack.contacts()
        await asyncio.sleep(0.3)

    contacts = await stack.contacts()
    assert len(contacts) == 8
    assert set(await stack.hubspot_contacts()) == set(contacts)
    assert await stack.lemlist_lead_ids(campaign) == {c.lemlist_lead_id for c in contacts.values()}
