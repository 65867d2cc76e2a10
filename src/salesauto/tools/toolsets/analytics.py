"""analytics: the pipeline funnel, campaign performance and the health of the job queue.

The funnel and job counts are plain aggregates with no REST route yet; when one lands
(issue: dashboard) these queries move to its service and the tools call that.
"""

from __future__ import annotations

import sqlalchemy as sa
from pydantic import Field

from salesauto.campaigns.instances import InstanceService
from salesauto.campaigns.reporting import CampaignReports
from salesauto.campaigns.schemas import CampaignStats
from salesauto.campaigns.tables import INSTANCES
from salesauto.contacts.repository import CONTACTS
from salesauto.deadletter.repository import DeadLetterFilter
from salesauto.deadletter.service import DeadLetterService
from salesauto.jobs.schemas import JobView
from salesauto.models.base import table_of
from salesauto.models.contacts import CONTACT_STAGES
from salesauto.models.jobs import Job
from salesauto.tools.registry import tool
from salesauto.tools.spec import READ, PageInput, ToolContext, ToolInput, ToolOutput

JOBS = table_of(Job)
CAMPAIGN_COUNTERS = ("enrolled", "sent", "delivered", "opened", "clicked", "replied", "bounced")


class NoArguments(ToolInput):
    pass


class Funnel(ToolOutput):
    contacts_by_stage: dict[str, int] = Field(
        description="Stored contacts at each stage: imported → enriched → synced → enrolled → "
        "replied (a contact counts at its furthest stage)."
    )
    contacts: int
    campaigns: dict[str, int] = Field(description="Leads summed over every campaign.")


@tool(toolset="analytics", scope="contacts:read", flags=READ)
async def analytics_funnel(ctx: ToolContext, args: NoArguments) -> Funnel:
    """The workspace's pipeline funnel: contacts per stage (imported, enriched, synced to
    HubSpot, enrolled, replied) and campaign leads summed (enrolled, sent, delivered,
    opened, clicked, replied, bounced). Use it for a pipeline review. Free."""
    totals = [
        sa.func.coalesce(sa.func.sum(INSTANCES.c[f"total_{c}"]), 0) for c in CAMPAIGN_COUNTERS
    ]
    async with ctx.platform.engine.connect() as conn:
        stages: dict[str, int] = dict(
            (
                await conn.execute(
                    sa.select(CONTACTS.c.status, sa.func.count())
                    .where(CONTACTS.c.owner_id == ctx.workspace)
                    .group_by(CONTACTS.c.status)
                )
            ).all()
        )
        campaign_row = (
            await conn.execute(sa.select(*totals).where(INSTANCES.c.owner_id == ctx.workspace))
        ).one()
    by_stage = {stage: int(stages.get(stage, 0)) for stage in CONTACT_STAGES}
    return Funnel(
        contacts_by_stage=by_stage,
        contacts=sum(by_stage.values()),
        campaigns={
            name: int(value) for name, value in zip(CAMPAIGN_COUNTERS, campaign_row, strict=True)
        },
    )


class CampaignPerformance(ToolOutput):
    campaign_id: str
    name: str
    status: str
    stats: CampaignStats


class PerformancePage(ToolOutput):
    campaigns: list[CampaignPerformance]
    next_cursor: str | None = None


@tool(toolset="analytics", scope="campaigns:read", flags=READ)
async def analytics_campaign_performance(ctx: ToolContext, args: PageInput) -> PerformancePage:
    """Per campaign, newest first: the funnel and open, click, reply, bounce and unsubscribe
    rates (replies over delivered, not over opens). Use it to compare campaigns. Free."""
    page = await InstanceService(ctx.platform.engine, ctx.platform.integrations).page(
        ctx.workspace, status=None, cursor=args.cursor, limit=args.limit
    )
    reports = CampaignReports(ctx.platform.engine)
    rows = [
        CampaignPerformance(
            campaign_id=str(campaign.id),
            name=campaign.name,
            status=campaign.status,
            stats=await reports.stats(ctx.workspace, campaign.id),
        )
        for campaign in page.instances
    ]
    return PerformancePage(campaigns=rows, next_cursor=page.next_cursor)


class JobHealth(ToolOutput):
    jobs_by_status: dict[str, dict[str, int]] = Field(description="status → job type → count")
    recent_failures: list[JobView] = Field(description="The 5 latest failed jobs, with errors.")
    pending_dead_letters: int


@tool(toolset="analytics", scope="jobs:read", flags=READ)
async def analytics_job_health(ctx: ToolContext, args: NoArguments) -> JobHealth:
    """The workspace's job queue at a glance: jobs per status and type, the latest failures
    with their errors, and pending dead letters. Call it when work seems stuck. Free."""
    query = (
        sa.select(JOBS.c.status, JOBS.c.type, sa.func.count())
        .where(JOBS.c.owner_id == ctx.workspace)
        .group_by(JOBS.c.status, JOBS.c.type)
    )
    async with ctx.platform.engine.connect() as conn:
        rows = (await conn.execute(query)).all()
    by_status: dict[str, dict[str, int]] = {}
    for status, job_type, count in rows:
        by_status.setdefault(status, {})[job_type] = int(count)
    failures, _ = await ctx.platform.jobs.list_jobs(ctx.workspace, status="failed", limit=5)
    dead = await DeadLetterService(ctx.platform.engine, None).count(
        ctx.workspace, DeadLetterFilter(status="pending")
    )
    return JobHealth(jobs_by_status=by_status, recent_failures=failures, pending_dead_letters=dead)
