"""`/api/discover`, `/api/enrich`, `/api/sync/hubspot` and `/api/outreach` through their agent
when a model is configured (or asked for), against the provider emulators: the agent's job
answers with the step job's result, and the records land as the direct route's do."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpx
import pytest
import sqlalchemy as sa
from fastapi import FastAPI
from pydantic import SecretStr

from salesauto.config import Settings
from salesauto.contacts.repository import CONTACTS
from salesauto.discovery.profile import DiscoverRequest
from salesauto.integrations.sandbox.kit import SandboxConfig
from salesauto.integrations.sandbox.server import build_sandbox_app
from salesauto.jobs.schemas import JobView
from salesauto.kit.aio import wait_event
from salesauto.platform import Platform
from salesauto.security.secrets import derived_key
from salesauto.tools.confirm import issue_token
from salesauto.tools.endpoints import CONFIRM_PURPOSE
from tests.ai.conftest import FakeLlmServer
from tests.ai.test_agent_job import agent_settings
from tests.api.conftest import client_for
from tests.support.servers import free_port, serve_app
from tests.support.waiting import eventually, wait_for_job

# US software companies on a sales CRM, their leaders: the sandbox holds hundreds.
LEADERS: dict[str, Any] = {
    "industries": ["software development"],
    "countries": ["us"],
    "employeeRanges": ["51-200", "201-500"],
    "technologies": ["Salesforce", "HubSpot", "Pipedrive"],
    "seniorities": ["vp", "head", "director", "c_suite", "founder"],
}
ACCEPTED = {"success", "jobId", "jobIds", "status", "contacts", "via"}


@pytest.fixture
async def sandbox() -> AsyncIterator[str]:
    app = build_sandbox_app(
        SandboxConfig(time_scale=0.0), ["explorium", "apollo", "hubspot", "lemlist"]
    )
    async with serve_app(app) as url:
        yield url


@asynccontextmanager
async def api(database_url: str, sandbox: str, **ai: Any) -> AsyncIterator[httpx.AsyncClient]:
    settings = agent_settings(
        database_url, sandbox_url=sandbox, provider_breaker_reset_seconds=0.2, **ai
    )
    async with client_for(settings, run_worker=True) as client:
        client.settings = settings  # type: ignore[attr-defined]
        yield client


def platform_of(client: httpx.AsyncClient) -> Platform:
    platform: Platform = client._transport.app.state.platform  # type: ignore[attr-defined]
    return platform


async def start(client: httpx.AsyncClient, path: str, body: dict[str, Any]) -> dict[str, Any]:
    answer = await client.post(path, json=body)
    assert answer.status_code == 202, answer.text
    accepted: dict[str, Any] = answer.json()
    assert set(accepted) == ACCEPTED
    return accepted


async def finished(client: httpx.AsyncClient, accepted: dict[str, Any]) -> JobView:
    job = await wait_for_job(platform_of(client), accepted["jobId"], ("completed", "failed"), 60)
    assert job.status == "completed", job.error
    assert isinstance(job.result, dict)
    return job


async def stored_emails(client: httpx.AsyncClient) -> list[str]:
    async with platform_of(client).engine.connect() as conn:
        return list(await conn.scalars(sa.select(CONTACTS.c.email).order_by(CONTACTS.c.email)))


def message_text(message: dict[str, Any]) -> str:
    content = message["content"]
    if isinstance(content, str):
        return content
    return "".join(part.get("text", "") for part in content)


def confirmed(settings: Settings, tool: str, arguments: dict[str, Any]) -> dict[str, Any]:
    """The arguments with the confirm token a dry run would have given (a scripted model
    cannot read it from the dry run's answer)."""
    signed = DiscoverRequest.model_validate(arguments).model_dump(mode="json", by_alias=False)
    token, _ = issue_token(derived_key(settings, CONFIRM_PURPOSE), tool, signed, "default")
    return {**arguments, "confirm_token": token}


async def test_with_a_model_discover_runs_the_lead_finder_and_stores_what_direct_would(
    database_url: str, sandbox: str, fake_llm: FakeLlmServer
) -> None:
    async with api(
        database_url,
        sandbox,
        anthropic_api_key=SecretStr("test-key"),
        anthropic_base_url=fake_llm.url,
        llm_max_retries=0,
    ) as client:
        settings: Settings = client.settings  # type: ignore[attr-defined]
        arguments = {"icp_profile": {"industries": LEADERS["industries"]}, "count": 4}
        arguments["icp_profile"] |= {
            "countries": LEADERS["countries"],
            "employee_ranges": LEADERS["employeeRanges"],
            "technologies": LEADERS["technologies"],
            "seniorities": LEADERS["seniorities"],
        }
        find = confirmed(settings, "discovery_find_leads", arguments)
        await fake_llm.script(
            anthropic=[
                {"tool_calls": [{"id": "f", "name": "discovery_find_leads", "arguments": find}]},
                {"text": "Stored 4 software leaders."},
            ]
        )

        accepted = await start(client, "/api/discover", {"icpProfile": LEADERS, "count": 4})
        job = await finished(client, accepted)
        via_agent = await stored_emails(client)
        # The same request, direct: the same four leads, already stored.
        direct = await start(
            client, "/api/discover", {"icpProfile": LEADERS, "count": 4, "via": "direct"}
        )
        direct_job = await finished(client, direct)

    assert (accepted["via"], accepted["contacts"], job.type) == ("agent", 0, "agent.run")
    result = job.result
    assert isinstance(result, dict)
    assert (result["step"], result["stored"], result["done"], result["shortfall"]) == (
        "discover",
        4,
        4,
        None,
    )
    assert (result["provider"], result["offline"], result["text"]) == (
        "anthropic",
        False,
        "Stored 4 software leaders.",
    )
    [step] = result["steps"]
    assert (step["type"], step["status"]) == ("pipeline.discover", "completed")
    assert len(via_agent) == 4
    # The model was asked with the request as the lead finder's input.
    first = (await fake_llm.received())[0]["body"]
    assert first["model"] == "claude-sonnet-4-6"
    assert '"count": 4' in message_text(first["messages"][0])

    assert (direct["via"], direct_job.type) == ("direct", "pipeline.discover")
    assert isinstance(direct_job.result, dict)
    assert set(direct_job.result) <= set(result)
    assert (direct_job.result["stored"], direct_job.result["existing"]) == (0, 4)
    assert direct_job.result["emailsBought"] == {}  # nothing new to buy: the same leads


async def test_without_a_key_discover_stays_direct_unless_the_agent_is_asked_for(
    database_url: str, sandbox: str
) -> None:
    async with api(database_url, sandbox) as client:
        direct = await start(client, "/api/discover", {"icpProfile": LEADERS, "count": 2})
        direct_job = await finished(client, direct)
        offline = await start(
            client, "/api/discover", {"icpProfile": LEADERS, "count": 4, "via": "agent"}
        )
        offline_job = await finished(client, offline)
        emails = await stored_emails(client)

    assert (direct["via"], direct_job.type) == ("direct", "pipeline.discover")
    assert (offline["via"], offline_job.type) == ("agent", "agent.run")
    result = offline_job.result
    assert isinstance(result, dict) and isinstance(direct_job.result, dict)
    assert (result["offline"], result["status"]) == (True, "completed")
    assert "discovery_find_leads" in result["text"]
    # The direct job's fields, with the agent's outcome and its step jobs added.
    assert set(direct_job.result) <= set(result)
    assert (result["step"], result["stored"], result["existing"]) == ("discover", 2, 2)
    assert [s["type"] for s in result["steps"]] == ["pipeline.discover"]
    assert len(emails) == 4


async def test_enrich_sync_and_outreach_through_their_agents_answer_as_their_jobs(
    database_url: str, sandbox: str
) -> None:
    async with api(database_url, sandbox, ai_workflows="agent") as client:
        platform = platform_of(client)
        seeded = await start(
            client, "/api/discover", {"icpProfile": LEADERS, "count": 3, "via": "direct"}
        )
        await finished(client, seeded)
        first, *rest = await stored_emails(client)
        campaign = (await platform.integrations.lemlist.list_campaigns())[0].id
        # The outreach writer enrolls in campaigns known here: a new one goes direct, and
        # asking for the agent says what to do.
        body = {"contacts": {"emails": [first]}, "campaignId": campaign}
        refused = await client.post("/api/outreach", json={**body, "via": "agent"})
        assert refused.status_code == 422 and "is not known here yet" in refused.text
        fallback = await start(client, "/api/outreach", body)
        assert (fallback["via"], (await finished(client, fallback)).type) == (
            "direct",
            "pipeline.outreach",
        )
        steps = [
            ("/api/enrich", {}, "pipeline.enrich"),
            ("/api/sync/hubspot", {}, "pipeline.sync_hubspot"),
            ("/api/outreach", {"campaignId": campaign}, "pipeline.outreach"),
        ]
        for path, extra, job_type in steps:
            direct = await start(
                client, path, {"contacts": {"emails": [first]}, "via": "direct", **extra}
            )
            direct_job = await finished(client, direct)
            agent = await start(client, path, {"contacts": {"emails": rest}, **extra})
            agent_job = await finished(client, agent)

            assert (direct_job.type, agent["via"], agent["contacts"]) == (job_type, "agent", 2)
            assert agent_job.type == "agent.run"
            result = agent_job.result
            assert isinstance(result, dict) and isinstance(direct_job.result, dict)
            assert set(direct_job.result) <= set(result), path
            assert (result["step"], result["contacts"], result["offline"]) == (
                direct_job.result["step"],
                2,
                True,
            )
            assert result["done"] + result["unchanged"] + result["skipped"] == 2, result
            assert [s["type"] for s in result["steps"]] == [job_type]

        hubspot = platform.integrations.hubspot
        synced = [r async for r in hubspot.contacts.iterate(properties=["email"])]
        leads = await platform.integrations.lemlist.list_campaign_leads(campaign, limit=50)

    # What the emulators hold: the direct contact and the agent's two, alike.
    assert {(r.properties.get("email") or "").lower() for r in synced} == {first, *rest}
    assert len(leads) == 3


@pytest.fixture
async def hanging() -> AsyncIterator[str]:
    """Providers that answer nothing until the test ends: a discovery stays running."""
    release = asyncio.Event()
    app = FastAPI()

    @app.api_route("/{path:path}", methods=["GET", "POST"])
    async def hang(path: str) -> dict[str, str]:
        await wait_event(release, 30)
        return {}

    async with serve_app(app) as url:
        try:
            yield url
        finally:
            release.set()


async def test_cancelling_the_agents_run_cancels_the_discovery_it_queued(
    database_url: str, hanging: str
) -> None:
    async with api(database_url, hanging, provider_timeout_seconds=30.0) as client:
        platform = platform_of(client)
        accepted = await start(
            client, "/api/discover", {"icpProfile": LEADERS, "count": 2, "via": "agent"}
        )

        async def discoveries() -> list[JobView]:
            jobs, _ = await platform.jobs.list_jobs("default", type="pipeline.discover")
            return jobs

        [step] = await eventually(
            discoveries, lambda jobs: [j.status for j in jobs] == ["processing"]
        )
        cancelled = await client.post(f"/api/jobs/{accepted['jobId']}/cancel")
        assert cancelled.status_code == 200, cancelled.text
        ended = ("cancelled", "completed", "failed")
        run = await wait_for_job(platform, accepted["jobId"], ended)
        discovery = await wait_for_job(platform, step.id, ended)

    assert (run.type, run.status, discovery.status) == ("agent.run", "cancelled", "cancelled")


async def test_a_failed_step_job_fails_the_agents_run_with_its_error(database_url: str) -> None:
    nowhere = f"http://127.0.0.1:{free_port()}"
    async with api(database_url, nowhere, provider_max_attempts=1) as client:
        accepted = await start(
            client, "/api/discover", {"icpProfile": LEADERS, "count": 2, "via": "agent"}
        )
        run = await wait_for_job(platform_of(client), accepted["jobId"], ("completed", "failed"))

    assert (run.type, run.status) == ("agent.run", "failed")
    assert run.error is not None
    assert run.error.startswith("the lead_finder agent's pipeline.discover job ")
    assert "failed: ProviderUnavailable: Explorium could not be reached" in run.error
