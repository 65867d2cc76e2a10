"""crm: write stored contacts and their companies to HubSpot (`pipeline.sync_hubspot` jobs)."""

from __future__ import annotations

from salesauto.pipeline.schemas import SyncRequest
from salesauto.pipeline.service import start_step
from salesauto.pipeline.steps import Chain
from salesauto.tools.registry import tool
from salesauto.tools.spec import ToolContext, ToolFlags
from salesauto.tools.toolsets.steps import StepQueued, step_queued


@tool(toolset="crm", scope="contacts:write", flags=ToolFlags(open_world=True))
async def crm_sync_contacts(ctx: ToolContext, args: SyncRequest) -> StepQueued:
    """Create or update the selected contacts and their companies in HubSpot (by email and
    domain, associated), as jobs; follow them with jobs_get. Non-empty HubSpot values are
    kept unless overwrite="always". Suppressed contacts are skipped. Select by `emails` or a
    filter (stage, source, company_domain, min_score). No credits spent."""
    chain = Chain.requested(
        ctx.platform.settings,
        sync=args.auto_sync,
        outreach=args.auto_outreach,
        campaign_id=args.campaign_id,
    )
    parameters = {
        "chain": chain.model_dump(mode="json"),
        "overwrite": args.overwrite,
        "resync": args.resync,
    }
    ids, count = await start_step(
        ctx.platform.queue, ctx.workspace, "sync", args.contacts, parameters
    )
    return step_queued(ids, count)
