"""Pipeline runs through the API with a worker, against the provider emulators on a real port.

A run is followed the way a user follows it, at `/api/pipeline/{runId}`; a step that failed
for some contacts is run again for just those with `/api/pipeline/jobs/{jobId}/retry-failed`.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpx
import pytest
import sqlalchemy as sa

from salesauto.contacts.merge import ContactFacts
from salesauto.contacts.repository import CONTACTS, merge_contacts
from salesauto.integrations.sandbox.kit import SandboxConfig
from salesauto.integrations.sandbox.server import build_sandbox_app
from salesauto.integrations.sandbox.universe import Person, universe
from salesauto.kit.time import utcnow
from salesauto.platform import Platform
from tests.api.conftest import client_for
from tests.conftest import make_settings
from tests.support.servers import serve_app
from tests.support.waiting import eventually

# HubSpot has no such contact property: a sync mapping a field to it fails for every contact
# that has a value for that field, and only for them.
MISSING_PROPERTY = {"data.colour": "favourite_colour"}


class Api:
    """The API with a worker, on the sandbox's providers."""

    def __init__(self, client: httpx.AsyncClient) -> None:
        self.client = client
        self.platform: Platform = client._transport.app.state.platform  # type: ignore[attr-defined]

    async def store(self, people: list[Person], data: dict[str, Any] | None = None) -> None:
        facts = [
            ContactFacts(
                email=person.email,
                fields={"first_name": person.first_name, "company_domain": person.company.domain},
                data=dict(data or {}),
            )
            for person in people
        ]
        async with self.platform.engine.begin() as conn:
            await merge_contacts(conn, "default", facts, source="csv", at=utcnow())

    async def start(self, body: dict[str, Any]) -> dict[str, Any]:
        response = await self.client.post("/api/pipeline", json=body)
        assert response.status_code == 202, response.text
        started: dict[str, Any] = response.json()
        return started

    async def report(self, run_id: str) -> dict[str, Any]:
        response = await self.client.get(f"/api/pipeline/{run_id}")
        assert response.status_code == 200, response.text
        report: dict[str, Any] = response.json()
        return report

    async def finished(self, run_id: str) -> dict[str, Any]:
        return await eventually(
            lambda: self.report(run_id), lambda r: r["status"] != "running", timeout=90
        )

    async def job(self, job_id: str) -> dict[str, Any]:
        job: dict[str, Any] = (await self.client.get(f"/api/jobs/{job_id}")).json()
        return job

    async def failed_emails(self, job_id: str) -> set[str]:
        page = (await self.client.get(f"/api/jobs/{job_id}/results")).json()
        return {item["itemKey"] for item in page["items"] if item["status"] == "failed"}

    async def stages(self) -> dict[str, str]:
        async with self.platform.engine.connect() as conn:
            rows = await conn.execute(sa.select(CONTACTS.c.email, CONTACTS.c.status))
        return {email: status for email, status in rows}


@pytest.fixture(scope="module")
def people() -> list[Person]:
    world = universe(42)
    return [world.companies[index].people[0] for index in range(60, 66)]


@pytest.fixture
async def sandbox_url() -> AsyncIterator[str]:
    app = build_sandbox_app(
        SandboxConfig(time_scale=0.0), ["hubspot", "lemlist", "explorium", "apollo"]
    )
    async with serve_app(app) as url:
        yield url


@asynccontextmanager
async def api_on(database_url: str, sandbox_url: str, **overrides: object) -> AsyncIterator[Api]:
    settings = make_settings(
        database_url,
        sandbox_url=sandbox_url,
        pipeline_retry_base_seconds=0.2,
        worker_concurrency=4,
        **overrides,
    )
    async with client_for(settings, run_worker=True) as client:
        yield Api(client)


async def test_a_run_for_stored_contacts_is_followed_until_it_finishes(
    database_url: str, sandbox_url: str, people: list[Person]
) -> None:
    async with api_on(database_url, sandbox_url) as api:
        await api.store(people)
        campaigns = await api.platform.integrations.lemlist.list_campaigns(status="draft")

        started = await api.start({"contacts": {"source": "csv"}, "campaignId": campaigns[0].id})
        first = await api.report(started["runId"])
        report = await api.finished(started["runId"])

        assert started["contacts"] == len(people)
        assert first["status"] == "running"
        assert report["status"] == "finished", report
        assert report["funnel"] == {"discovered": 0, "enriched": 6, "synced": 6, "enrolled": 6}
        done = {
            step["step"]: step.get("done", 0) + step.get("unchanged", 0) for step in report["steps"]
        }
        assert done == {"enrich": 6, "sync": 6, "outreach": 6}
        assert len(report["jobIds"]) == 3
        assert set((await api.stages()).values()) == {"enrolled"}


async def test_retry_failed_runs_the_step_again_for_only_the_failed_contacts(
    database_url: str, sandbox_url: str, people: list[Person]
) -> None:
    coloured, plain = people[:2], people[2:]
    async with api_on(database_url, sandbox_url, hubspot_field_mapping=MISSING_PROPERTY) as api:
        await api.store(coloured, {"colour": "teal"})
        await api.store(plain)

        started = await api.start({"contacts": {"source": "csv"}, "enrich": False})
        report = await api.finished(started["runId"])

        assert report["status"] == "finished_with_failures", report
        assert report["funnel"]["synced"] == len(plain)
        (sync_step,) = report["steps"]
        assert (sync_step["done"], sync_step["failed"]) == (len(plain), len(coloured))
        sync_job = started["jobId"]
        assert await api.failed_emails(sync_job) == {p.email for p in coloured}

    # The mapping fixed (the extra field no longer synced), the failed contacts go again.
    async with api_on(database_url, sandbox_url) as api:
        response = await api.client.post(f"/api/pipeline/jobs/{sync_job}/retry-failed")

        assert response.status_code == 202, response.text
        retry = response.json()
        assert retry == {
            "success": True,
            "jobId": retry["jobId"],
            "status": f"/api/jobs/{retry['jobId']}",
        }
        job = await api.job(retry["jobId"])
        assert job["type"] == "pipeline.sync_hubspot"
        assert sorted(job["parameters"]["emails"]) == sorted(p.email for p in coloured)
        assert job["parameters"]["chain"]["run_id"] == started["runId"]

        report = await api.finished(started["runId"])

        assert report["status"] == "finished", report
        assert report["funnel"]["synced"] == len(people)
        assert report["jobIds"] == [sync_job, retry["jobId"]]
        assert set((await api.stages()).values()) == {"synced"}
        again = await api.client.post(f"/api/pipeline/jobs/{retry['jobId']}/retry-failed")
        assert again.status_code == 422
        assert "no failed contacts" in again.json()["error"]


async def test_a_step_that_failed_as_a_whole_is_reported_and_not_retried_per_contact(
    database_url: str, sandbox_url: str, people: list[Person]
) -> None:
    unusable = {"shoe_size": "shoesize"}
    async with api_on(database_url, sandbox_url, hubspot_field_mapping=unusable) as api:
        await api.store(people[:2])

        started = await api.start({"contacts": {"source": "csv"}, "enrich": False})
        report = await api.finished(started["runId"])
        retry = await api.client.post(f"/api/pipeline/jobs/{started['jobId']}/retry-failed")

        assert report["status"] == "finished_with_failures", report
        (sync_step,) = report["steps"]
        assert (sync_step["failedJobs"], sync_step["done"]) == (1, 0)
        assert report["funnel"]["synced"] == 0
        assert "'shoe_size'" in (await api.job(started["jobId"]))["error"]
        assert retry.status_code == 422
        assert f"POST /api/jobs/{started['jobId']}/retry" in retry.json()["error"]
