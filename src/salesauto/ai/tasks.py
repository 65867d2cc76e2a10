"""`agent.run`: one agent works towards a goal with its toolsets, as the job owner's
workspace, through the tool registry and its policies. Every turn lands in the transcript."""

from __future__ import annotations

import json
from typing import Any

from pydantic import Field, field_validator

from salesauto.ai.activity import (
    ActivityKind,
    ReportingTranscript,
    finished_data,
    reporting_runner,
)
from salesauto.ai.definitions import AgentDefinition, builtin_agents, known_agent
from salesauto.ai.errors import LlmRejected
from salesauto.ai.loop import AgentLoop, AgentOutcome, LoopLimits, RunTool
from salesauto.ai.messages import LlmProvider, ToolCall, ToolDefinition, ToolResult
from salesauto.ai.selector import ai_settings, select_provider
from salesauto.ai.settings import AiSettings
from salesauto.ai.step_jobs import StepName, recording, run_as_step
from salesauto.ai.transcript import JobTranscript
from salesauto.jobs.context import JobContext
from salesauto.jobs.registry import JobParameters, job_type
from salesauto.jobs.worker import PermanentJobError
from salesauto.platform import Platform
from salesauto.security.principal import SCOPES, Principal
from salesauto.security.secrets import derived_key
from salesauto.tools.endpoints import CONFIRM_PURPOSE
from salesauto.tools.registry import ToolRegistry
from salesauto.tools.spec import ToolContext
from salesauto.tools.toolsets import platform_registry


class AgentRunParameters(JobParameters):
    agent: str = Field(..., max_length=50, description="The agent: lead_finder, enricher, …")
    goal: str = Field(..., min_length=1, max_length=4000, description="What to achieve.")
    input: dict[str, Any] = Field(
        default_factory=dict,
        description="Structured input (e.g. the ICP); the offline planner passes it to tools.",
    )
    model: str | None = Field(None, max_length=100, description="Overrides the tier's model.")
    offline: bool = Field(False, description="Run the offline planner even with a model key.")
    scopes: list[str] | None = Field(
        None,
        max_length=len(SCOPES),
        description="Narrow the agent's tools to these scopes (`POST /api/agent/run` sets the "
        "caller's); never widens them.",
    )
    step: StepName | None = Field(
        None,
        description="The pipeline step this run stands in for (set by `/api/discover` & co.): "
        "the run waits for the step jobs its tools queue and its result carries the step "
        "job's result, as the direct route's job would.",
    )

    @field_validator("agent")
    @classmethod
    def _known_agent(cls, name: str) -> str:
        return known_agent(name)

    @field_validator("scopes")
    @classmethod
    def _known_scopes(cls, scopes: list[str] | None) -> list[str] | None:
        unknown = sorted(set(scopes or ()) - set(SCOPES))
        if unknown:
            raise ValueError(f"unknown scopes {', '.join(unknown)}; use {', '.join(SCOPES)}")
        return scopes


def agent_tools(agent: AgentDefinition) -> ToolRegistry:
    return platform_registry().select(toolsets=agent.toolsets, read_only=agent.read_only)


def agent_scopes(tools: ToolRegistry) -> frozenset[str]:
    """Exactly the scopes the agent's tools need."""
    return frozenset(spec.scope for spec in tools.specs if spec.scope is not None)


def scopes_allowed(caller: Principal, tools: ToolRegistry) -> frozenset[str]:
    """The agent's scopes that `caller` holds too: an agent never does more than its user."""
    return frozenset(scope for scope in agent_scopes(tools) if caller.allows(scope))


def agent_principal(
    owner_id: str, job_id: int, tools: ToolRegistry, allowed: list[str] | None = None
) -> Principal:
    """The job owner's workspace with the agent's scopes (narrowed to `allowed` if given)."""
    scopes = agent_scopes(tools)
    if allowed is not None:
        scopes &= frozenset(allowed)
    return Principal(workspace=owner_id, key_id=f"agent-job-{job_id}", scopes=scopes)


def tool_definitions(tools: ToolRegistry, principal: Principal) -> list[ToolDefinition]:
    return [
        ToolDefinition(name=s.name, description=s.description, input_schema=s.input_schema())
        for s in tools.visible_to(principal)
    ]


def registry_runner(tools: ToolRegistry, ctx: ToolContext) -> RunTool:
    async def run_tool(call: ToolCall) -> ToolResult:
        outcome = await tools.call(call.name, call.arguments, ctx)
        return ToolResult(
            call_id=call.id,
            name=call.name,
            content=outcome.text,
            is_error=outcome.is_error,
            data=outcome.structured_content,
        )

    return run_tool


def goal_text(parameters: AgentRunParameters) -> str:
    if not parameters.input:
        return parameters.goal
    return f"{parameters.goal}\n\nInput (JSON):\n{json.dumps(parameters.input, indent=1)}"


def loop_limits(agent: AgentDefinition, settings: AiSettings) -> LoopLimits:
    return LoopLimits(
        max_iterations=agent.max_iterations,
        max_tokens=agent.budget_tokens,
        max_cost_usd=agent.budget_usd,
        tool_timeout_seconds=settings.agent_tool_timeout_seconds,
        max_output_tokens=settings.llm_max_output_tokens,
    )


@job_type("agent.run", AgentRunParameters)
async def run_agent(context: JobContext, parameters: AgentRunParameters) -> dict[str, Any]:
    """Runs an AI agent towards a goal with its toolsets; offline planner when no key is set."""
    platform: Platform = context.services
    settings = ai_settings(platform.settings)
    agent = builtin_agents()[parameters.agent]
    provider = select_provider(
        settings,
        agent,
        input=parameters.input,
        model=parameters.model,
        offline=parameters.offline,
    )
    started: list[int] = []

    async def run() -> AgentOutcome:
        try:
            return await run_with(context, platform, agent, provider, settings, parameters, started)
        except LlmRejected as error:
            raise PermanentJobError(error.message) from None
        finally:
            await provider.aclose()

    if parameters.step is not None:
        return await run_as_step(context, platform, parameters.step, agent.name, run, started)
    outcome = await run()
    return outcome.model_dump(mode="json", by_alias=True)


async def run_with(
    context: JobContext,
    platform: Platform,
    agent: AgentDefinition,
    provider: LlmProvider,
    settings: AiSettings,
    parameters: AgentRunParameters,
    started: list[int],
) -> AgentOutcome:
    """Runs the loop; the ids of the jobs the agent's tools queue are added to `started`."""
    tools = agent_tools(agent)
    principal = agent_principal(context.owner_id, context.job_id, tools, parameters.scopes)
    ctx = ToolContext(
        platform=platform,
        principal=principal,
        dry_run_secret=derived_key(platform.settings, CONFIRM_PURPOSE),
    )
    limits = loop_limits(agent, settings)

    async def on_step(iteration: int, message: str) -> None:
        await context.progress(iteration / (limits.max_iterations + 1), message)

    async def report(kind: ActivityKind, data: dict[str, Any]) -> None:
        await context.publish(f"agent.{kind}", data)

    transcript = JobTranscript(
        context.queue.engine, context.queue.write, context.owner_id, context.job_id
    )
    loop = AgentLoop(
        provider=provider,
        system=agent.prompt,
        tools=tool_definitions(tools, principal),
        run_tool=reporting_runner(recording(registry_runner(tools, ctx), started), report),
        limits=limits,
        prices=settings.llm_prices,
        transcript=ReportingTranscript(transcript, report),
        cancelled=lambda: context.cancel_requested,
        on_step=on_step,
    )
    outcome = await loop.run(goal_text(parameters))
    await report("finished", finished_data(outcome))
    return outcome
