"""campaigns, continued: editing a template and reading a campaign's enrollments."""

from __future__ import annotations

import uuid
from typing import Literal

from pydantic import Field

from salesauto.campaigns.reporting import CampaignReports
from salesauto.campaigns.schemas import EnrollmentView, TemplateUpdate, TemplateView
from salesauto.campaigns.templates import TemplateService
from salesauto.tools.registry import tool
from salesauto.tools.spec import OVERWRITE, READ, PageInput, ToolContext, ToolOutput

EnrollmentStatus = Literal[
    "pending",
    "enrolled",
    "active",
    "paused",
    "completed",
    "stopped",
    "replied",
    "bounced",
    "unsubscribed",
]


class TemplateEdit(TemplateUpdate):
    """The `PATCH /api/campaigns/templates/{id}` body plus the template's id: only the
    fields sent change."""

    template_id: uuid.UUID = Field(description="From campaigns_list_templates.")


class TemplateRecord(ToolOutput):
    template: TemplateView


@tool(toolset="campaigns", scope="campaigns:write", flags=OVERWRITE)
async def campaigns_update_template(ctx: ToolContext, args: TemplateEdit) -> TemplateRecord:
    """Edit a sequence template: its name, description, status (draft, active, archived),
    steps (channel, delay, subject, body with {{variables}}) or default variables. Only
    the fields sent change; `structure` replaces every step. Campaigns already created
    from it keep their sequence at lemlist. Free."""
    return TemplateRecord(
        template=await TemplateService(ctx.platform.engine).update(
            ctx.workspace, args.template_id, args
        )
    )


class EnrollmentFilter(PageInput):
    campaign_id: uuid.UUID = Field(description="A campaign's id from campaigns_list.")
    status: EnrollmentStatus | None = Field(
        None, description="Only enrollments in this state; all when left out."
    )


class EnrollmentPage(ToolOutput):
    enrollments: list[EnrollmentView] = Field(
        description="Newest first: the lead, its state, step, funnel times and stop reason."
    )
    next_cursor: str | None = None


@tool(toolset="campaigns", scope="campaigns:read", flags=READ)
async def campaigns_list_enrollments(ctx: ToolContext, args: EnrollmentFilter) -> EnrollmentPage:
    """The leads enrolled in a campaign, newest first, filtered by state (active, paused,
    completed, stopped, bounced, unsubscribed…): when each was sent, opened, clicked or
    replied, and why it stopped. Use it to see who is still in a sequence. Free."""
    page = await CampaignReports(ctx.platform.engine).enrollments(
        ctx.workspace, args.campaign_id, status=args.status, cursor=args.cursor, limit=args.limit
    )
    return EnrollmentPage(enrollments=page.enrollments, next_cursor=page.next_cursor)
