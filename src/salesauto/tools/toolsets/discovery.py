"""discovery: find, score and store leads matching a profile (a `pipeline.discover` job)."""

from __future__ import annotations

from salesauto.discovery.profile import DEFAULT_PROVIDERS, DiscoverRequest
from salesauto.jobs.repository import NewJob
from salesauto.pipeline.steps import STEP_JOB_TYPES, Chain
from salesauto.tools.registry import tool
from salesauto.tools.spec import Preview, ToolContext, ToolFlags
from salesauto.tools.toolsets.steps import StepQueued, step_queued

SPENDS = ToolFlags(open_world=True, spends_credits=True)


def _chain(ctx: ToolContext, args: DiscoverRequest) -> Chain:
    # As `POST /api/discover` builds it: the request's switches over the settings' defaults.
    return Chain.requested(
        ctx.platform.settings,
        enrich=args.auto_enrich,
        sync=args.auto_sync,
        outreach=args.auto_outreach,
        campaign_id=args.campaign_id,
    )


async def _preview(ctx: ToolContext, args: DiscoverRequest) -> Preview:
    chain = _chain(ctx, args)
    providers = list(args.providers or DEFAULT_PROVIDERS)
    then = [step for step in ("enrich", "sync", "outreach") if getattr(chain, step)]
    return Preview(
        summary=f"search {' then '.join(providers)} for up to {args.count} leads (spends their "
        "credits), score and store them" + (f", then {', '.join(then)}" if then else ""),
        details={"providers": providers, "count": args.count, "chain": chain.model_dump()},
    )


@tool(toolset="discovery", scope="contacts:write", flags=SPENDS, preview=_preview)
async def discovery_find_leads(ctx: ToolContext, args: DiscoverRequest) -> StepQueued:
    """Find people matching an ideal customer profile (industries, sizes, countries,
    technologies, titles, seniorities, signals) or a free-text query at Explorium then
    Apollo, score them and store them as contacts — a job; follow it with jobs_get. With
    auto_enrich (and auto_sync, auto_outreach) the chain continues by itself.

    Spends provider credits: the first call is a dry run returning a confirm_token."""
    job = NewJob(
        type=STEP_JOB_TYPES["discover"],
        parameters=args.job_parameters(_chain(ctx, args).model_dump(mode="json")),
        owner_id=ctx.workspace,
    )
    enqueued = await ctx.platform.queue.enqueue(job)
    return step_queued([enqueued.job_id], 0)
