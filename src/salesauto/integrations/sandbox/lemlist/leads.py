"""Lead routes: add to a campaign (body or legacy path email, deduplication, unsubscribe list),
list a campaign's leads, get by email (per-campaign array) or `?email=`/`?id=` (single), update,
unsubscribe from a campaign, delete (`action=remove`)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Query, Request

from salesauto.integrations.sandbox.lemlist.common import (
    as_text,
    bool_param,
    campaign_or_404,
    lead_in_campaign,
    page,
)
from salesauto.integrations.sandbox.lemlist.gate import LemlistError
from salesauto.integrations.sandbox.lemlist.runtime import LemlistRuntime
from salesauto.integrations.sandbox.lemlist.state import STANDARD_FIELDS, Campaign, Lead

CAMPAIGN_LEADS_MAX = 500
UPDATABLE = ("firstName", "lastName", "companyName", "jobTitle", "preferredContactMethod")


def leads_router(runtime: LemlistRuntime) -> APIRouter:
    router = APIRouter(tags=["leads"])
    state = runtime.state

    async def add_lead(
        request: Request, campaign_id: str, path_email: str | None
    ) -> dict[str, Any]:
        campaign = campaign_or_404(state, campaign_id)
        try:
            body = await request.json() if await request.body() else {}
        except ValueError:
            raise LemlistError(400, "Bad params: invalid JSON body") from None
        if not isinstance(body, dict):
            raise LemlistError(400, "Bad params: the body must be an object")
        email = as_text(path_email or body.get("email") or "").strip().lower()
        if "@" not in email:
            raise LemlistError(400, "Bad params: email is invalid")
        others = state.leads_for_email(email)
        if any(lead.campaign_id == campaign.id for lead in others):
            raise LemlistError(400, "Already in the campaign")
        if bool_param(request.query_params.get("deduplicate")) and others:
            raise LemlistError(400, "Lead already exists in another campaign")
        lead = _new_lead(runtime, campaign, email, body)
        runtime.engine.lead_added(lead, campaign)
        return lead.flat(campaign)

    @router.post("/campaigns/{campaign_id}/leads/")
    @router.post("/campaigns/{campaign_id}/leads")
    async def add_lead_current(request: Request, campaign_id: str) -> dict[str, Any]:
        """Add a lead (email in the body). `deduplicate=true` refuses emails of other campaigns."""
        return await add_lead(request, campaign_id, None)

    @router.post("/campaigns/{campaign_id}/leads/{email}")
    async def add_lead_legacy(request: Request, campaign_id: str, email: str) -> dict[str, Any]:
        """The legacy form with the email in the path."""
        return await add_lead(request, campaign_id, email)

    @router.get("/campaigns/{campaign_id}/leads/")
    @router.get("/campaigns/{campaign_id}/leads")
    async def campaign_leads(
        campaign_id: str,
        lead_state: str | None = Query(None, alias="state"),
        limit: int | None = 100,
        offset: int | None = None,
    ) -> list[dict[str, Any]]:
        """Ids and states of the campaign's leads; `limit` at most 500."""
        campaign = campaign_or_404(state, campaign_id)
        leads = [
            lead
            for lead in state.campaign_leads(campaign.id)
            if not lead_state or lead.state == lead_state
        ]
        chosen = page(leads, offset, limit, cap=CAMPAIGN_LEADS_MAX)
        return [
            {"_id": lead.id, "contactId": lead.contact_id, "state": lead.state} for lead in chosen
        ]

    @router.get("/leads/{email}")
    async def lead_by_email(email: str, version: str | None = None) -> Any:
        """v2: the lead in every campaign it belongs to; v1: the latest one, flat."""
        leads = sorted(state.leads_for_email(email.strip().lower()), key=lambda x: x.created_at)
        if not leads:
            raise LemlistError(404, "Lead not found")
        if version != "v2":
            latest = leads[-1]
            return latest.flat(state.campaigns[latest.campaign_id])
        return [lead.membership(state.campaigns[lead.campaign_id], state.owner) for lead in leads]

    @router.get("/leads")
    async def lead_by_query(
        email: str | None = None, id: str | None = None, version: str | None = None
    ) -> dict[str, Any]:
        """One lead by `email` or `id` (the most recently added when several campaigns)."""
        del version  # v2 is the only form of this route
        if not email and not id:
            raise LemlistError(400, "Bad params: email or id is required")
        leads = [
            lead
            for lead in state.leads.values()
            if (not id or lead.id == id) and (not email or lead.email == email.strip().lower())
        ]
        if not leads:
            raise LemlistError(404, "Lead not found")
        latest = max(leads, key=lambda lead: lead.created_at)
        return latest.flat(state.campaigns[latest.campaign_id])

    @router.patch("/campaigns/{campaign_id}/leads/{lead_id}")
    async def update_lead(request: Request, campaign_id: str, lead_id: str) -> dict[str, Any]:
        campaign = campaign_or_404(state, campaign_id)
        lead = lead_in_campaign(state, campaign, lead_id)
        try:
            body = await request.json()
        except ValueError:
            raise LemlistError(400, "Bad params: invalid JSON body") from None
        if not isinstance(body, dict):
            raise LemlistError(400, "Bad params: the body must be an object")
        for key, value in body.items():
            if key in UPDATABLE:
                lead.fields[key] = as_text(value)
            elif key not in STANDARD_FIELDS and key != "_id":
                lead.variables[key] = as_text(value)
        lead.updated_at = runtime.now
        return {**lead.flat(campaign), "leadUrl": f"{request.base_url}leads/{lead.email}"}

    @router.delete("/campaigns/{campaign_id}/leads/{lead_id_or_email}")
    async def delete_lead(
        campaign_id: str, lead_id_or_email: str, action: str | None = None
    ) -> dict[str, Any]:
        """`action=remove` deletes the lead; without it the lead is unsubscribed from it."""
        campaign = campaign_or_404(state, campaign_id)
        lead = lead_in_campaign(state, campaign, lead_id_or_email)
        if action == "remove":
            del state.leads[lead.id]
            return lead.flat(campaign)
        lead.unsubscribed = True
        lead.stopped = True
        lead.state = "unsubscribed"
        lead.updated_at = runtime.now
        return lead.flat(campaign)

    return router


def _new_lead(
    runtime: LemlistRuntime, campaign: Campaign, email: str, body: dict[str, Any]
) -> Lead:
    state = runtime.state
    fields: dict[str, str] = {}
    variables: dict[str, str] = {}
    for key, value in body.items():
        if key == "email" or value is None:
            continue
        if key in STANDARD_FIELDS:
            fields[key] = as_text(value)
        else:
            variables[key] = as_text(value)
    if "companyDomain" not in fields:
        fields["companyDomain"] = email.rsplit("@", 1)[-1]
    now = runtime.now
    lead = Lead(
        id=state.new_id("lea"),
        contact_id=state.contact_id(email),
        campaign_id=campaign.id,
        email=email,
        fields=fields,
        variables=variables,
        created_at=now,
        updated_at=now,
    )
    if state.unsubscribe_for(email) is not None:
        # lemlist keeps the lead but never contacts an unsubscribed address or domain.
        lead.unsubscribed = True
        lead.state = "unsubscribed"
    state.leads[lead.id] = lead
    return lead
