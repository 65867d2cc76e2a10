"""agent (and jobs_get_logs): run an AI agent as a job, and read what an agent job did."""

from __future__ import annotations

from typing import Any

from pydantic import Field, field_validator

from salesauto.ai.definitions import builtin_agents, known_agent
from salesauto.ai.schemas import TranscriptEntry
from salesauto.ai.selector import ai_settings, configured_vendors, model_for
from salesauto.ai.submit import submit_agent_run
from salesauto.ai.transcript import turns_of
from salesauto.jobs.service import parse_job_id
from salesauto.kit.errors import InvalidInput
from salesauto.tools.registry import tool
from salesauto.tools.spec import READ, Preview, ToolContext, ToolFlags, ToolInput, ToolOutput

# The model call leaves the platform; the tools the agent runs may call providers.
SPENDS_TOKENS = ToolFlags(open_world=True, spends_credits=True)


class LogPage(ToolInput):
    job_id: str = Field(..., min_length=1, max_length=30, description="From jobs_list.")
    # Tool results are kept up to 20,000 characters each: pages stay small.
    limit: int = Field(20, ge=1, le=100, description="Entries per page.")
    cursor: str | None = Field(
        None, max_length=20, description="`next_cursor` of the previous page, unchanged."
    )


class JobLogs(ToolOutput):
    job_id: str
    entries: list[TranscriptEntry] = Field(
        description="In order: model turns (text, tool calls, tokens, cost) and tool calls "
        "(arguments, result, error, duration)."
    )
    total_entries: int
    next_cursor: str | None = Field(None, description="Pass back as `cursor` for more.")


@tool(toolset="jobs", scope="jobs:read", flags=READ)
async def jobs_get_logs(ctx: ToolContext, args: LogPage) -> JobLogs:
    """The transcript of an agent job, a page at a time, in order: what the model said and
    which tools it called with which arguments, their results or errors, tokens and cost.
    Use it to explain what an agent did or why it stopped. A job that ran no agent has no
    entries. Free."""
    if args.cursor is not None and not args.cursor.isdigit():
        raise InvalidInput("cursor must be the next_cursor of a previous page", field="cursor")
    await ctx.platform.jobs.get(args.job_id, ctx.workspace)  # not found unless the caller's
    job_id = parse_job_id(args.job_id)
    async with ctx.platform.engine.connect() as conn:
        rows = await turns_of(conn, ctx.workspace, job_id)
    after = int(args.cursor) if args.cursor else 0
    later = [row for row in rows if row.seq > after]
    page = later[: args.limit]
    fields = TranscriptEntry.model_fields
    return JobLogs(
        job_id=str(job_id),
        entries=[
            TranscriptEntry.model_validate({k: v for k, v in row._mapping.items() if k in fields})
            for row in page
        ],
        total_entries=len(rows),
        next_cursor=str(page[-1].seq) if len(later) > args.limit else None,
    )


class AgentRun(ToolInput):
    agent: str = Field(
        ...,
        max_length=50,
        description="lead_finder, enricher, crm_sync, outreach_writer, reply_classifier…",
    )
    goal: str = Field(..., min_length=1, max_length=4000, description="What to achieve.")
    input: dict[str, Any] = Field(
        default_factory=dict, description="Structured input (an ICP, emails, a campaign id)."
    )
    model: str | None = Field(None, max_length=100, description="Overrides the tier's model.")
    offline: bool = Field(False, description="Run the offline planner even with a model key.")
    idempotency_key: str | None = Field(
        None, min_length=1, max_length=200, description="Resubmitting with it returns the same job."
    )

    @field_validator("agent")
    @classmethod
    def _known_agent(cls, name: str) -> str:
        return known_agent(name)


class AgentQueued(ToolOutput):
    job_id: str = Field(description="Follow it with jobs_get, its steps with jobs_get_logs.")
    created: bool = Field(description="False when the idempotency key matched an earlier job.")


def _engine(ctx: ToolContext, args: AgentRun) -> dict[str, Any]:
    """Who would answer: the first configured vendor and its model, or the offline planner."""
    agent = builtin_agents()[args.agent]
    settings = ai_settings(ctx.platform.settings)
    vendors = [] if args.offline else configured_vendors(settings)
    if not vendors:
        return {"provider": "offline", "model": None, "model_tier": agent.model_tier}
    return {
        "provider": vendors[0],
        "model": args.model or model_for(settings, vendors[0], agent.model_tier),
        "model_tier": agent.model_tier,
        "fallback": vendors[1] if len(vendors) > 1 else None,
    }


async def _run_preview(ctx: ToolContext, args: AgentRun) -> Preview:
    agent = builtin_agents()[args.agent]
    engine = _engine(ctx, args)
    who = (
        "the offline planner (no model tokens spent)"
        if engine["provider"] == "offline"
        else f"{engine['provider']} {engine['model']} ({agent.model_tier} tier)"
    )
    return Preview(
        summary=f"run the {agent.name} agent with {who}, within {agent.max_iterations} "
        f"steps, {agent.budget_tokens} tokens and ${agent.budget_usd:.2f}",
        details={
            **engine,
            "agent": agent.name,
            "toolsets": agent.toolsets,
            "read_only": agent.read_only,
            "budget_usd": agent.budget_usd,
            "budget_tokens": agent.budget_tokens,
            "max_iterations": agent.max_iterations,
        },
    )


@tool(toolset="agent", scope="ai:write", flags=SPENDS_TOKENS, preview=_run_preview)
async def agent_run(ctx: ToolContext, args: AgentRun) -> AgentQueued:
    """Start an AI agent (lead_finder, enricher, crm_sync, outreach_writer,
    reply_classifier…) on a goal as an `agent.run` job, limited to its toolsets and to
    this caller's scopes. Without a model key the offline planner runs its standard steps.
    Spends model tokens up to the agent's budget: the first call is a dry run naming the
    model and budget, returning a confirm_token."""
    enqueued = await submit_agent_run(
        ctx.platform.jobs,
        ctx.principal,
        agent=args.agent,
        goal=args.goal,
        input=args.input,
        model=args.model,
        offline=args.offline,
        idempotency_key=args.idempotency_key,
    )
    return AgentQueued(job_id=str(enqueued.job_id), created=enqueued.created)
