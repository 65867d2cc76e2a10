"""lemlist (continued): the leads of campaigns — search, add or update, change their state —
and the activity feed. Same client and conventions as `toolsets/lemlist.py`."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal
from urllib.parse import quote

from pydantic import Field

from salesauto.imports.cells import normalise_email
from salesauto.integrations.models import OutreachLead
from salesauto.kit.errors import InvalidInput
from salesauto.suppressions.service import SuppressionService
from salesauto.tools.registry import tool
from salesauto.tools.spec import PageInput, Preview, ToolContext, ToolInput, ToolOutput
from salesauto.tools.toolsets.lemlist import (
    LEMLIST_DELETE,
    LEMLIST_READ,
    LEMLIST_SEND,
    CampaignRef,
    lemlist_client,
    page_offset,
)
from salesauto.tools.toolsets.provider_calls import call_provider

# Leads ------------------------------------------------------------------------------------------


class LeadSearch(ToolInput):
    email: str | None = Field(None, max_length=320)
    lead_id: str | None = Field(None, max_length=64)
    campaign_id: str | None = Field(None, max_length=64, description="List this campaign's.")
    state: str | None = Field(None, max_length=50, description="With campaign_id, e.g. paused.")
    limit: int = Field(100, ge=1, le=500)


class LeadFound(ToolOutput):
    leads: list[dict[str, Any]] = Field(
        description="By email: one entry per campaign; by campaign: ids and states."
    )


@tool(toolset="lemlist", scope="integrations:read", flags=LEMLIST_READ)
async def lemlist_search_leads(ctx: ToolContext, args: LeadSearch) -> LeadFound:
    """Find lemlist leads: by email (its state in every campaign it is in), by lead id, or
    a campaign's leads filtered by state. Free."""
    client = lemlist_client(ctx)
    if args.email:
        memberships = await client.get_lead_memberships(args.email)
        return LeadFound(leads=[m.model_dump(mode="json") for m in memberships])
    if args.lead_id:
        lead = await client.find_lead(lead_id=args.lead_id)
        return LeadFound(leads=[lead.model_dump(mode="json")] if lead else [])
    if args.campaign_id:
        refs = await client.list_campaign_leads(
            args.campaign_id, state=args.state, limit=args.limit
        )
        return LeadFound(leads=[ref.model_dump(mode="json") for ref in refs])
    raise InvalidInput("give an email, a lead_id or a campaign_id", field="email")


class LeadIn(ToolInput):
    email: str = Field(..., min_length=3, max_length=320)
    first_name: str | None = None
    last_name: str | None = None
    company_name: str | None = None
    company_domain: str | None = None
    job_title: str | None = None
    linkedin_url: str | None = None
    icebreaker: str | None = None
    variables: dict[str, str] = Field(default_factory=dict, description="{{variables}}.")


class LeadsIn(CampaignRef):
    leads: list[LeadIn] = Field(..., min_length=1, max_length=100)
    deduplicate: bool = Field(True, description="Refuse emails already in another campaign.")


class LeadsUpserted(ToolOutput):
    added: list[dict[str, str | None]]
    updated: list[dict[str, str | None]] = Field(description="Already in it: fields updated.")
    skipped: list[dict[str, str | None]] = Field(
        description="In another campaign (deduplicate), or unsubscribed."
    )
    suppressed: list[dict[str, str]] = Field(default_factory=list)


# lemlist's answer when the email is already in this very campaign.
ALREADY_HERE = "already in the campaign"
# The names `PATCH /campaigns/{id}/leads/{leadId}` takes; other keys are custom variables.
LEAD_FIELD_NAMES = {
    "first_name": "firstName", "last_name": "lastName", "company_name": "companyName",
    "job_title": "jobTitle", "linkedin_url": "linkedinUrl", "icebreaker": "icebreaker",
}  # fmt: skip


async def _update_lead(ctx: ToolContext, campaign_id: str, lead: LeadIn) -> str | None:
    """Update a lead already in the campaign (fields and variables); its id, or None when
    lemlist no longer lists it there."""
    memberships = await lemlist_client(ctx).get_lead_memberships(lead.email)
    lead_id = next(
        (m.id for m in memberships if m.campaign is not None and m.campaign.id == campaign_id),
        None,
    )
    if lead_id is None:
        return None
    body: dict[str, str] = dict(lead.variables)
    for field, wire in LEAD_FIELD_NAMES.items():
        value = getattr(lead, field)
        if value is not None:
            body[wire] = value
    if body:
        await call_provider(
            ctx,
            "lemlist",
            "PATCH",
            f"campaigns/{quote(campaign_id)}/leads/{quote(lead_id)}",
            json=body,
            idempotent=True,
        )
    return lead_id


async def _split_suppressed(
    ctx: ToolContext, leads: list[LeadIn]
) -> tuple[list[LeadIn], list[dict[str, str]]]:
    blocked = await SuppressionService(ctx.platform.engine).check(
        ctx.workspace, [lead.email for lead in leads]
    )
    kept = [lead for lead in leads if (normalise_email(lead.email) or lead.email) not in blocked]
    dropped = [
        {"email": lead.email, "reason": f"suppressed: {blocked[key]}"}
        for lead in leads
        if (key := normalise_email(lead.email) or lead.email) in blocked
    ]
    return kept, dropped


async def _leads_preview(ctx: ToolContext, args: LeadsIn) -> Preview:
    campaign = await lemlist_client(ctx).get_campaign(args.campaign_id)
    kept, dropped = await _split_suppressed(ctx, args.leads)
    when = "at once" if campaign.status == "running" else "when the campaign starts"
    return Preview(
        summary=f"add or update {len(kept)} lead(s) in lemlist campaign {campaign.name!r}; its "
        f"sequence emails new ones {when}",
        details={"suppressed": dropped, "status": campaign.status},
    )


@tool(toolset="lemlist", scope="campaigns:write", flags=LEMLIST_SEND, preview=_leads_preview)
async def lemlist_upsert_leads(ctx: ToolContext, args: LeadsIn) -> LeadsUpserted:
    """Add up to 100 leads (with their {{variables}}) to a lemlist campaign; a lead already
    in it gets its fields and variables updated. Addresses on our suppression list are left
    out. A running campaign emails new leads: the first call is a dry run returning a
    confirm_token. Free (sends email)."""
    client = lemlist_client(ctx)
    kept, dropped = await _split_suppressed(ctx, args.leads)
    result = LeadsUpserted(added=[], updated=[], skipped=[], suppressed=dropped)
    for lead in kept:
        outcome = await client.enroll_lead(
            args.campaign_id,
            OutreachLead(**lead.model_dump()),
            deduplicate=args.deduplicate,
        )
        entry = {"email": outcome.email, "lead_id": outcome.lead_id}
        if outcome.enrolled:
            result.added.append(entry)
            continue
        if ALREADY_HERE in (outcome.skipped_reason or "").lower():
            lead_id = await _update_lead(ctx, args.campaign_id, lead)
            if lead_id is not None:
                result.updated.append({"email": outcome.email, "lead_id": lead_id})
                continue
        result.skipped.append(entry | {"reason": outcome.skipped_reason})
    return result


LEAD_ACTIONS = {
    "pause": ("POST", "leads/pause/{lead}"),
    "resume": ("POST", "leads/start/{lead}"),
    "interested": ("POST", "campaigns/{campaign}/leads/{lead}/interested"),
    "not_interested": ("POST", "campaigns/{campaign}/leads/{lead}/notinterested"),
}


class LeadState(CampaignRef):
    lead: str = Field(..., min_length=1, max_length=320, description="Lead id or email.")
    state: Literal["pause", "resume", "interested", "not_interested", "unsubscribe", "remove"]


class LeadStateSet(ToolOutput):
    lead: str
    state: str
    answer: dict[str, Any] = Field(default_factory=dict)


async def _lead_state_preview(ctx: ToolContext, args: LeadState) -> Preview:
    effects = {
        "pause": "stop its sequence until resumed",
        "resume": "continue its sequence (it may be emailed at once)",
        "interested": "mark it interested (its sequence stops)",
        "not_interested": "mark it not interested (its sequence stops)",
        "unsubscribe": "unsubscribe it from this campaign for good",
        "remove": "delete it from the campaign, with its history there",
    }
    return Preview(
        summary=f"lead {args.lead} in campaign {args.campaign_id}: {effects[args.state]}"
    )


@tool(
    toolset="lemlist",
    scope="campaigns:write",
    flags=LEMLIST_DELETE,
    preview=_lead_state_preview,
)
async def lemlist_set_lead_state(ctx: ToolContext, args: LeadState) -> LeadStateSet:
    """Pause, resume, mark interested / not interested, unsubscribe or remove one lead of a
    lemlist campaign. Remove and unsubscribe cannot be undone: the first call is a dry run
    returning a confirm_token. Free."""
    client = lemlist_client(ctx)
    if args.state == "remove":
        answer = (await client.delete_lead(args.campaign_id, args.lead)).model_dump(mode="json")
    elif args.state == "unsubscribe":
        lead = await client.unsubscribe_lead(args.campaign_id, args.lead)
        answer = lead.model_dump(mode="json")
    else:
        method, path = LEAD_ACTIONS[args.state]
        body = await call_provider(
            ctx,
            "lemlist",
            method,
            path.format(lead=quote(args.lead, safe="@"), campaign=quote(args.campaign_id)),
            params={"campaignId": args.campaign_id},
            idempotent=True,
        )
        answer = body if isinstance(body, dict) else {"result": body}
    return LeadStateSet(lead=args.lead, state=args.state, answer=answer)


class ActivitySearch(PageInput):
    campaign_id: str | None = Field(None, max_length=64)
    type: str | None = Field(
        None, max_length=50, description="e.g. emailsOpened, emailsReplied, emailsBounced."
    )
    since: datetime | None = None


class ActivityPage(ToolOutput):
    activities: list[dict[str, Any]]
    next_cursor: str | None = None


@tool(toolset="lemlist", scope="integrations:read", flags=LEMLIST_READ)
async def lemlist_list_activities(ctx: ToolContext, args: ActivitySearch) -> ActivityPage:
    """lemlist events, newest first: sends, opens, clicks, replies, bounces, unsubscribes,
    optionally for one campaign, one type or since a date. Replies we received are also
    classified in campaigns_list_replies. Free."""
    limit = min(args.limit, 100)
    offset = page_offset(args.cursor)
    found = await lemlist_client(ctx).list_activities(
        campaign_id=args.campaign_id, type=args.type, since=args.since, limit=limit, offset=offset
    )
    return ActivityPage(
        activities=[a.model_dump(mode="json") for a in found],
        next_cursor=str(offset + len(found)) if len(found) == limit else None,
    )
