"""`agent.run` jobs end to end: the worker runs the loop as the job owner's workspace through
the platform's tool registry, and `GET /api/jobs/{id}/transcript` shows every step."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from pydantic import SecretStr

from salesauto.ai.endpoints import router as agent_router
from salesauto.ai.offline import OFFLINE_NOTE
from salesauto.ai.settings import AiSettings
from salesauto.app import create_app
from salesauto.config import Settings
from salesauto.platform import Platform
from tests.ai.conftest import FakeLlmServer
from tests.conftest import AUTH, TEST_JOB_MODULES, make_settings
from tests.support.waiting import eventually, wait_for_job


class WiredSettings(Settings, AiSettings):
    """`Settings` with the AI fields, until `config.py` declares them itself."""


def agent_settings(database_url: str, **ai: Any) -> Settings:
    base = make_settings(database_url, job_modules=[*TEST_JOB_MODULES, "salesauto.ai.tasks"], **ai)
    if isinstance(base, AiSettings):
        return base
    return WiredSettings(_env_file=None, **base.model_dump(), **ai)


async def api(settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(settings, run_worker=True)
    if not any(getattr(r, "path", "").endswith("/transcript") for r in app.routes):
        app.include_router(agent_router)  # until app.py includes it
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(
            transport=transport, base_url="http://test", headers=AUTH
        ) as http:
            http.platform = app.state.platform  # type: ignore[attr-defined]
            yield http


@pytest.fixture
async def offline_client(database_url: str) -> AsyncIterator[httpx.AsyncClient]:
    async for http in api(agent_settings(database_url)):
        yield http


@pytest.fixture
async def claude_client(
    database_url: str, fake_llm: FakeLlmServer
) -> AsyncIterator[httpx.AsyncClient]:
    settings = agent_settings(
        database_url,
        anthropic_api_key=SecretStr("test-key"),
        anthropic_base_url=fake_llm.url,
        llm_max_retries=0,
    )
    async for http in api(settings):
        yield http


async def run_job(client: httpx.AsyncClient, parameters: dict[str, Any]) -> dict[str, Any]:
    submitted = await client.post("/api/agent/run", json=parameters)
    assert submitted.status_code == 202, submitted.text
    job_id = submitted.json()["jobId"]
    platform: Platform = client.platform  # type: ignore[attr-defined]
    job = await wait_for_job(platform, job_id, ("completed", "failed"))
    assert job.status == "completed", job.error
    assert isinstance(job.result, dict)
    return {"id": job_id, **job.result}


async def test_offline_run_is_recorded_and_private_to_its_workspace(
    offline_client: httpx.AsyncClient,
) -> None:
    result = await run_job(offline_client, {"agent": "chat_assistant", "goal": "Who am I?"})
    assert (result["status"], result["offline"], result["provider"]) == (
        "completed",
        True,
        "offline",
    )
    assert result["text"].startswith(OFFLINE_NOTE)
    assert "admin_whoami" in result["text"]

    transcript = (await offline_client.get(f"/api/jobs/{result['id']}/transcript")).json()
    roles = [(e["role"], e["toolName"]) for e in transcript["entries"]]
    assert roles == [("assistant", None), ("tool", "admin_whoami"), ("assistant", None)]
    whoami = transcript["entries"][1]
    assert whoami["isError"] is False and '"workspace":"default"' in whoami["content"]["result"]
    assert transcript["totals"]["toolCalls"] == 1 and transcript["totals"]["costUsd"] == 0

    platform: Platform = offline_client.platform  # type: ignore[attr-defined]
    other = await platform.keys.create("other-team", "t", ["jobs:read"])
    hidden = await offline_client.get(
        f"/api/jobs/{result['id']}/transcript",
        headers={"Authorization": f"Bearer {other.plain}"},
    )
    assert hidden.status_code == 404


async def test_unknown_agent_is_refused_with_the_names(offline_client: httpx.AsyncClient) -> None:
    raw = await offline_client.post(
        "/api/jobs", json={"type": "agent.run", "parameters": {"agent": "enricher", "goal": "x"}}
    )
    assert raw.status_code == 422 and "/api/agent/run" in raw.text
    answer = await offline_client.post("/api/agent/run", json={"agent": "nope", "goal": "x"})
    assert answer.status_code == 422
    assert "unknown agent 'nope'; use one of chat_assistant" in answer.text


async def test_model_run_uses_only_the_agents_toolsets_and_records_cost(
    claude_client: httpx.AsyncClient, fake_llm: FakeLlmServer
) -> None:
    await fake_llm.script(
        anthropic=[
            {
                "tool_calls": [
                    {"id": "a", "name": "contacts_search", "arguments": {"q": "acme"}},
                    {"id": "b", "name": "discovery_find_leads", "arguments": {}},
                ],
                "usage": {"input_tokens": 2000, "output_tokens": 100, "cache_read_tokens": 0},
            },
            {"text": "No Acme contacts yet.", "usage": {"input_tokens": 2500, "output_tokens": 40}},
        ]
    )
    result = await run_job(claude_client, {"agent": "chat_assistant", "goal": "Any Acme leads?"})
    assert (result["status"], result["text"], result["offline"]) == (
        "completed",
        "No Acme contacts yet.",
        False,
    )
    first = (await fake_llm.received())[0]["body"]
    assert first["model"] == "claude-sonnet-4-6"
    offered = {t["name"] for t in first["tools"]}
    assert "contacts_search" in offered and "discovery_find_leads" not in offered

    transcript = (await claude_client.get(f"/api/jobs/{result['id']}/transcript")).json()
    tools = {e["toolName"]: e for e in transcript["entries"] if e["role"] == "tool"}
    assert tools["contacts_search"]["isError"] is False
    assert tools["discovery_find_leads"]["isError"] is True
    assert "enable the 'discovery' toolset" in tools["discovery_find_leads"]["content"]["result"]
    # claude-sonnet-4-6: $3 in, $15 out per million tokens.
    expected = (4500 * 3.0 + 140 * 15.0) / 1_000_000
    assert transcript["totals"]["costUsd"] == pytest.approx(expected)
    assert result["costUsd"] == pytest.approx(expected)
    assert result["usage"] == {
        "inputTokens": 4500,
        "outputTokens": 140,
        "cacheCreationTokens": 0,
        "cacheReadTokens": 0,
    }


async def test_cancelling_a_running_agent_job_stops_it_mid_loop(
    claude_client: httpx.AsyncClient, fake_llm: FakeLlmServer
) -> None:
    search = {"id": "a", "name": "contacts_search", "arguments": {}}
    await fake_llm.script(
        anthropic=[{"tool_calls": [search]}, {"text": "too late", "delay_ms": 10_000}]
    )
    submitted = await claude_client.post(
        "/api/agent/run", json={"agent": "chat_assistant", "goal": "Search"}
    )
    job_id = submitted.json()["jobId"]
    await eventually(fake_llm.received, lambda received: len(received) == 2)
    cancelled = await claude_client.post(f"/api/jobs/{job_id}/cancel")
    assert cancelled.status_code == 200, cancelled.text
    platform: Platform = claude_client.platform  # type: ignore[attr-defined]
    job = await wait_for_job(platform, job_id, ("cancelled", "completed", "failed"))
    assert job.status == "cancelled"
    transcript = (await claude_client.get(f"/api/jobs/{job_id}/transcript")).json()
    assert [e["role"] for e in transcript["entries"]] == ["assistant", "tool"]
