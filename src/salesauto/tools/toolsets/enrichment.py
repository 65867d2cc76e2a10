"""enrichment: the provider waterfall over stored contacts (`pipeline.enrich` jobs)."""

from __future__ import annotations

from salesauto.pipeline.schemas import EnrichRequest
from salesauto.pipeline.service import start_step
from salesauto.pipeline.steps import Chain
from salesauto.tools.registry import tool
from salesauto.tools.spec import Preview, ToolContext, ToolFlags
from salesauto.tools.toolsets.steps import StepQueued, selected_emails, step_queued

SPENDS = ToolFlags(open_world=True, spends_credits=True)


async def _preview(ctx: ToolContext, args: EnrichRequest) -> Preview:
    emails = await selected_emails(ctx, args.contacts)
    settings = ctx.platform.settings
    providers = list(args.providers or settings.enrichment_order)
    budget = (
        args.credit_budget if args.credit_budget is not None else settings.enrichment_credit_budget
    )
    return Preview(
        summary=f"enrich {len(emails)} contact(s) through {' then '.join(providers)} (cached "
        f"profiles first{'' if not args.refresh else ', here refreshed'}), at most {budget} "
        "paid lookups per job",
        details={"contacts": len(emails), "sample": emails[:10], "providers": providers},
    )


@tool(toolset="enrichment", scope="contacts:write", flags=SPENDS, preview=_preview)
async def enrichment_enrich_contacts(ctx: ToolContext, args: EnrichRequest) -> StepQueued:
    """Fill in stored contacts (title, phone, LinkedIn, company firmographics) through the
    provider waterfall (Explorium then Apollo by default), cache first, within a credit
    budget — as jobs; follow them with jobs_get. Select contacts by `emails` or by a filter
    (stage, source, company_domain, min_score).

    Spends provider credits: the first call is a dry run returning a confirm_token."""
    chain = Chain.requested(
        ctx.platform.settings,
        sync=args.auto_sync,
        outreach=args.auto_outreach,
        campaign_id=args.campaign_id,
    )
    parameters = {
        "chain": chain.model_dump(mode="json"),
        "providers": args.providers,
        "credit_budget": args.credit_budget,
        "refresh": args.refresh,
    }
    ids, count = await start_step(
        ctx.platform.queue, ctx.workspace, "enrich", args.contacts, parameters
    )
    return step_queued(ids, count)
