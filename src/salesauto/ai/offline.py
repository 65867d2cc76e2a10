"""The offline planner: a deterministic `LlmProvider` for when no model key is set.

Each agent has a plan — the tools its model would call, in the standard order (a spending
tool's dry run, then its confirmation, then following the job). The planner reads the
conversation so far to see which steps ran, so the same loop, policies and transcript apply,
and its final answer says the run was offline.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from salesauto.ai.messages import (
    AssistantMessage,
    ModelTurn,
    OnText,
    ToolCall,
    ToolResult,
    TurnRequest,
    UserMessage,
)

NAME = "offline"
MODEL = "offline-planner"
OFFLINE_NOTE = "Ran offline (no AI model is configured, so a fixed plan ran instead of a model)"


@dataclass(frozen=True)
class PlanState:
    input: dict[str, Any]
    done: list[tuple[ToolCall, ToolResult]]

    def last_of(self, tool: str) -> ToolResult | None:
        for call, result in reversed(self.done):
            if call.name == tool:
                return result
        return None


Step = Callable[[PlanState], tuple[str, dict[str, Any]] | None]


def call(tool: str, *, arguments: dict[str, Any] | None = None) -> Step:
    """Call `tool` with the run's input (or fixed arguments)."""
    return lambda state: (tool, dict(state.input if arguments is None else arguments))


def call_if(tool: str, field: str) -> Step:
    """Call `tool` with `{field: input[field]}` when the input has that field."""
    return lambda state: (tool, {field: state.input[field]}) if field in state.input else None


def confirm(tool: str) -> Step:
    """Repeat `tool` with the confirm token its dry run returned."""

    def step(state: PlanState) -> tuple[str, dict[str, Any]] | None:
        dry = state.last_of(tool)
        if dry is None or not dry.data or not dry.data.get("dry_run"):
            return None
        return tool, {**state.input, "confirm_token": dry.data["confirm_token"]}

    return step


def follow_job(state: PlanState) -> tuple[str, dict[str, Any]] | None:
    """Read the job the last step queued."""
    for _, result in reversed(state.done):
        if result.data and "job_id" in result.data and not result.data.get("dry_run"):
            return "jobs_get", {"job_id": str(result.data["job_id"])}
    return None


PLANS: dict[str, list[Step]] = {
    "lead_finder": [call("discovery_find_leads"), confirm("discovery_find_leads"), follow_job],
    "enricher": [
        call("enrichment_enrich_contacts"),
        confirm("enrichment_enrich_contacts"),
        follow_job,
    ],
    "crm_sync": [call("crm_sync_contacts"), follow_job],
    "outreach_writer": [
        call_if("campaigns_get", "campaign_id"),
        call("campaigns_enroll"),
        confirm("campaigns_enroll"),
    ],
    "reply_classifier": [call_if("contacts_get", "email")],
    "chat_assistant": [call("admin_whoami", arguments={})],
}


class OfflineProvider:
    def __init__(self, plan: str, input: dict[str, Any] | None = None) -> None:
        if plan not in PLANS:
            raise ValueError(f"no offline plan named {plan!r}; known: {', '.join(sorted(PLANS))}")
        self.plan = plan
        self.input = dict(input or {})

    @property
    def name(self) -> str:
        return NAME

    @property
    def model(self) -> str:
        return MODEL

    async def aclose(self) -> None:
        return None

    async def generate(self, request: TurnRequest, on_text: OnText | None = None) -> ModelTurn:
        turn = self._next_turn(request)
        if on_text is not None and turn.text:
            await on_text(turn.text)  # a plan's text is ready at once: one delta
        return turn

    def _next_turn(self, request: TurnRequest) -> ModelTurn:
        done = _calls_made(request)
        state = PlanState(self.input, done)
        made = 0
        for step in PLANS[self.plan]:
            planned = step(PlanState(self.input, done[:made]))
            if planned is None:
                continue
            if made < len(done):
                if done[made][1].is_error:
                    return self._finish(state, failed=done[made])
                made += 1
                continue
            tool, arguments = planned
            return ModelTurn(
                provider=NAME,
                model=MODEL,
                text=f"Offline plan step {made + 1}: {tool}.",
                tool_calls=[ToolCall(id=f"offline_{made + 1}", name=tool, arguments=arguments)],
                stop_reason="tool_use",
                raw_stop_reason="tool_use",
            )
        if made < len(done) and done[made][1].is_error:
            return self._finish(state, failed=done[made])
        return self._finish(state)

    def _finish(
        self, state: PlanState, failed: tuple[ToolCall, ToolResult] | None = None
    ) -> ModelTurn:
        lines = [f"{OFFLINE_NOTE}."]
        for tool_call, result in state.done:
            lines.append(f"- {tool_call.name}: {_gist(result)}")
        if failed is not None:
            lines.append(f"Stopped: {failed[0].name} failed ({failed[1].content}).")
        elif not state.done:
            lines.append("Nothing to do offline for this request; set a model key to run it.")
        return ModelTurn(
            provider=NAME,
            model=MODEL,
            text="\n".join(lines),
            stop_reason="end_turn",
            raw_stop_reason="end_turn",
        )


def _calls_made(request: TurnRequest) -> list[tuple[ToolCall, ToolResult]]:
    results: dict[str, ToolResult] = {}
    for message in request.messages:
        if isinstance(message, UserMessage):
            results.update({r.call_id: r for r in message.tool_results})
    done: list[tuple[ToolCall, ToolResult]] = []
    for message in request.messages:
        if isinstance(message, AssistantMessage):
            done += [(c, results[c.id]) for c in message.tool_calls if c.id in results]
    return done


def _gist(result: ToolResult) -> str:
    if result.is_error:
        return f"failed: {result.content}"
    data = result.data or {}
    if data.get("dry_run"):
        return f"dry run: {data.get('summary', '')}"
    if "job" in data and isinstance(data["job"], dict):
        job = data["job"]
        return f"job {job.get('id', '')} is {job.get('status', 'unknown')}"
    if "job_id" in data:
        return f"queued job {data['job_id']}"
    return result.content[:300]
