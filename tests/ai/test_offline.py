"""The offline planner: the standard tool order per agent, driven by the results it gets."""

from __future__ import annotations

from typing import Any

from salesauto.ai.loop import AgentLoop, LoopLimits
from salesauto.ai.messages import ToolCall, ToolDefinition, ToolResult
from salesauto.ai.offline import OFFLINE_NOTE, OfflineProvider
from salesauto.ai.settings import default_prices
from salesauto.ai.transcript import MemoryTranscript

ICP = {"icp": {"industries": ["software"]}, "count": 5}


def stub_tools(fail: str | None = None) -> tuple[list[ToolCall], Any]:
    """A stand-in for the registry: dry runs, then a queued job, then its status."""
    seen: list[ToolCall] = []

    async def run_tool(call: ToolCall) -> ToolResult:
        seen.append(call)
        if call.name == fail:
            return ToolResult(call_id=call.id, name=call.name, content="closed", is_error=True)
        if call.name == "jobs_get":
            data: dict[str, Any] = {"job": {"id": call.arguments["job_id"], "status": "queued"}}
        elif "confirm_token" in call.arguments:
            data = {"job_id": "17", "job_ids": ["17"], "contacts": 0}
        else:
            data = {"dry_run": True, "summary": "search explorium", "confirm_token": "tok"}
        return ToolResult(call_id=call.id, name=call.name, content="{}", data=data)

    return seen, run_tool


async def run(plan: str, input: dict[str, Any], fail: str | None = None) -> tuple[Any, Any]:
    seen, run_tool = stub_tools(fail)
    loop = AgentLoop(
        provider=OfflineProvider(plan, input),
        system="",
        tools=[ToolDefinition(name="x", description="", input_schema={})],
        run_tool=run_tool,
        limits=LoopLimits(max_iterations=10, max_tokens=1000, max_cost_usd=1.0),
        prices=default_prices(),
        transcript=MemoryTranscript(),
    )
    return await loop.run("find leads"), seen


async def test_lead_finder_dry_runs_confirms_then_follows_the_job() -> None:
    outcome, seen = await run("lead_finder", ICP)
    assert [(c.name, c.arguments) for c in seen] == [
        ("discovery_find_leads", ICP),
        ("discovery_find_leads", {**ICP, "confirm_token": "tok"}),
        ("jobs_get", {"job_id": "17"}),
    ]
    assert (outcome.status, outcome.offline, outcome.cost_usd) == ("completed", True, 0.0)
    assert outcome.text.startswith(OFFLINE_NOTE)
    assert "job 17 is queued" in outcome.text


async def test_a_failed_step_stops_the_plan_and_says_why() -> None:
    outcome, seen = await run("crm_sync", {"contacts": {"emails": ["a@b.co"]}}, "crm_sync_contacts")
    assert [c.name for c in seen] == ["crm_sync_contacts"]
    assert "Stopped: crm_sync_contacts failed (closed)" in outcome.text
