"""`POST /api/agent/run`: any agent on demand, as a job whose turns and tool calls stream to
the workspace's `/ws` clients as `agent.*` events; offline, each workflow agent runs its
standard steps and returns the same result shape as a model run."""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
import websockets
from pydantic import SecretStr

from salesauto.ai.loop import AgentOutcome
from salesauto.ai.offline import OFFLINE_NOTE
from tests.ai.conftest import FakeLlmServer
from tests.ai.live import live_api, platform_of
from tests.ai.test_agent_job import agent_settings
from tests.conftest import AUTH
from tests.support.waiting import wait_for_job

RESULT_FIELDS = {f.alias or name for name, f in AgentOutcome.model_fields.items()}


@pytest.fixture
async def offline_api(database_url: str) -> AsyncIterator[httpx.AsyncClient]:
    # The discovery, enrichment and sync jobs the agents queue need not finish at the end.
    settings = agent_settings(database_url, job_shutdown_grace_seconds=0.2)
    async with live_api(settings) as client:
        yield client


@pytest.fixture
async def claude_api(
    database_url: str, fake_llm: FakeLlmServer
) -> AsyncIterator[httpx.AsyncClient]:
    settings = agent_settings(
        database_url,
        anthropic_api_key=SecretStr("test-key"),
        anthropic_base_url=fake_llm.url,
        llm_max_retries=0,
    )
    async with live_api(settings) as client:
        yield client


async def run_agent(
    client: httpx.AsyncClient, body: dict[str, Any], headers: dict[str, str] | None = None
) -> dict[str, Any]:
    submitted = await client.post("/api/agent/run", json=body, headers=headers)
    assert submitted.status_code == 202, submitted.text
    job_id = submitted.json()["jobId"]
    job = await wait_for_job(platform_of(client), job_id, ("completed", "failed"))
    assert job.status == "completed", job.error
    assert isinstance(job.result, dict)
    return {"id": job_id, **job.result}


async def events_until_done(socket: websockets.ClientConnection, job_id: str) -> list[dict]:
    received: list[dict] = []
    async with asyncio.timeout(15):
        while True:
            message = json.loads(await socket.recv())
            if message["jobId"] == job_id:
                received.append(message)
                if message["event"] == "job.completed":
                    return received


async def test_each_step_of_a_model_run_reaches_the_workspaces_sockets(
    claude_api: httpx.AsyncClient, fake_llm: FakeLlmServer
) -> None:
    await fake_llm.script(
        anthropic=[
            {
                "text": "Looking.",
                "tool_calls": [{"id": "w", "name": "admin_whoami", "arguments": {}}],
                "usage": {"input_tokens": 1000, "output_tokens": 10},
            },
            {"text": "You are the default workspace."},
        ]
    )
    address = claude_api.address  # type: ignore[attr-defined]
    other = await platform_of(claude_api).keys.create("other-team", "t", ["jobs:read"])
    other_auth = {"Authorization": f"Bearer {other.plain}"}
    async with (
        websockets.connect(f"ws://{address}/ws", additional_headers=AUTH) as socket,
        websockets.connect(f"ws://{address}/ws", additional_headers=other_auth) as outsider,
    ):
        submitted = await claude_api.post(
            "/api/agent/run", json={"agent": "chat_assistant", "goal": "Who am I?"}
        )
        job_id = submitted.json()["jobId"]
        messages = await events_until_done(socket, job_id)
        with pytest.raises(TimeoutError):
            await asyncio.wait_for(outsider.recv(), 0.5)

    agent = [(m["event"], m["data"]) for m in messages if m["event"].startswith("agent.")]
    assert [event for event, _ in agent] == [
        "agent.turn",
        "agent.tool_call",
        "agent.tool_result",
        "agent.turn",
        "agent.finished",
    ]
    turn, call, result, last, finished = (data for _, data in agent)
    assert (turn["text"], turn["toolCalls"], turn["stopReason"]) == (
        "Looking.",
        [{"id": "w", "name": "admin_whoami"}],
        "tool_use",
    )
    assert turn["usage"]["inputTokens"] == 1000 and turn["costUsd"] > 0
    assert (call["name"], call["arguments"]) == ("admin_whoami", {})
    assert result["isError"] is False and '"workspace":"default"' in result["content"]
    assert last["text"] == "You are the default workspace."
    assert finished["status"] == "completed" and finished["toolCalls"] == 1
    events = [m["event"] for m in messages]
    assert events.index("agent.finished") < events.index("job.completed")


WORKFLOWS: list[tuple[str, dict[str, Any], list[str]]] = [
    (
        "lead_finder",
        {"icp_profile": {"industries": ["software development"]}, "count": 3},
        ["discovery_find_leads", "discovery_find_leads", "jobs_get"],
    ),
    (
        "enricher",
        {"contacts": {"emails": ["ada@example.test"]}},
        ["enrichment_enrich_contacts", "enrichment_enrich_contacts", "jobs_get"],
    ),
    ("crm_sync", {"contacts": {"emails": ["ada@example.test"]}}, ["crm_sync_contacts", "jobs_get"]),
]


async def test_offline_workflow_agents_run_their_standard_steps(
    offline_api: httpx.AsyncClient,
) -> None:
    for agent, input, steps in WORKFLOWS:
        result = await run_agent(offline_api, {"agent": agent, "goal": "Do it.", "input": input})

        assert set(result) - {"id"} == RESULT_FIELDS
        assert (result["status"], result["offline"], result["costUsd"]) == ("completed", True, 0)
        assert result["text"].startswith(OFFLINE_NOTE) and "Stopped" not in result["text"]
        transcript = (await offline_api.get(f"/api/jobs/{result['id']}/transcript")).json()
        tools = [e for e in transcript["entries"] if e["role"] == "tool"]
        assert [t["toolName"] for t in tools] == steps, agent
        assert not any(t["isError"] for t in tools), tools
        assert "confirm_token" not in tools[0]["content"]["arguments"]
        if steps[0] == steps[1]:  # spends credits: a dry run, then its confirmation
            assert "confirm_token" in tools[1]["content"]["arguments"]

    # Without a campaign to enroll in, the outreach writer stops at its first step and says so.
    input = {"campaign_id": str(uuid.uuid4()), "emails": ["ada@example.test"]}
    result = await run_agent(
        offline_api, {"agent": "outreach_writer", "goal": "Enroll Ada.", "input": input}
    )
    assert set(result) - {"id"} == RESULT_FIELDS
    assert result["text"].startswith(OFFLINE_NOTE)
    assert "Stopped: campaigns_get failed" in result["text"]


# Dialect-independent: one backend is enough.
@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
async def test_the_agent_never_gets_more_than_the_callers_key(
    offline_api: httpx.AsyncClient,
) -> None:
    key = await platform_of(offline_api).keys.create("default", "t", ["ai:write", "jobs:read"])
    result = await run_agent(
        offline_api,
        {"agent": "lead_finder", "goal": "Find leads.", "input": {"count": 3}},
        headers={"Authorization": f"Bearer {key.plain}"},
    )
    transcript = (await offline_api.get(f"/api/jobs/{result['id']}/transcript")).json()
    [find] = [e for e in transcript["entries"] if e["role"] == "tool"]
    assert find["toolName"] == "discovery_find_leads" and find["isError"] is True
    assert "Stopped: discovery_find_leads failed" in result["text"]


# Dialect-independent: one backend is enough.
@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
async def test_bad_requests_are_refused(offline_api: httpx.AsyncClient) -> None:
    unknown = await offline_api.post("/api/agent/run", json={"agent": "nope", "goal": "x"})
    assert unknown.status_code == 422 and "unknown agent 'nope'" in unknown.json()["error"]
    extra = await offline_api.post(
        "/api/agent/run", json={"agent": "enricher", "goal": "x", "scopes": ["admin"]}
    )
    assert extra.status_code == 422 and "scopes: Extra inputs" in extra.json()["error"]
    key = await platform_of(offline_api).keys.create("default", "t", ["jobs:write"])
    refused = await offline_api.post(
        "/api/agent/run",
        json={"agent": "enricher", "goal": "x"},
        headers={"Authorization": f"Bearer {key.plain}"},
    )
    assert refused.status_code == 403 and "ai:write" in refused.json()["error"]
