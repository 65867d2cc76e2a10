"""A lead's own switches: pause / resume its sequence (`POST /leads/pause|start/{lead}`) and
mark it interested or not (`POST /campaigns/{id}/leads/{lead}/interested|notinterested`)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from salesauto.integrations.sandbox.lemlist.common import campaign_or_404, lead_in_campaign
from salesauto.integrations.sandbox.lemlist.gate import LemlistError
from salesauto.integrations.sandbox.lemlist.runtime import LemlistRuntime
from salesauto.integrations.sandbox.lemlist.state import Lead


def lead_states_router(runtime: LemlistRuntime) -> APIRouter:
    router = APIRouter(tags=["leads"])
    state = runtime.state

    def matching_leads(lead_ref: str, campaign_id: str | None) -> list[Lead]:
        """The lead (by `lea_` id or email) in the given campaign, or in every campaign."""
        if campaign_id:
            return [lead_in_campaign(state, campaign_or_404(state, campaign_id), lead_ref)]
        wanted = lead_ref.strip().lower()
        found = [lead for lead in state.leads.values() if wanted in (lead.id.lower(), lead.email)]
        if not found:
            raise LemlistError(404, "Lead not found")
        return found

    @router.post("/leads/pause/{lead_ref}")
    async def pause_lead(lead_ref: str, campaignId: str | None = None) -> list[dict[str, Any]]:
        """Pause the lead's sequence (in `campaignId` only, or in all its campaigns)."""
        leads = matching_leads(lead_ref, campaignId)
        for lead in leads:
            lead.is_paused = True
            lead.updated_at = runtime.now
        return [lead.flat(state.campaigns[lead.campaign_id]) for lead in leads]

    @router.post("/leads/start/{lead_ref}")
    async def resume_lead(lead_ref: str, campaignId: str | None = None) -> list[dict[str, Any]]:
        """Resume a paused lead; in a running campaign its next email is scheduled again."""
        leads = matching_leads(lead_ref, campaignId)
        for lead in leads:
            lead.is_paused = False
            lead.updated_at = runtime.now
            campaign = state.campaigns[lead.campaign_id]
            # A send that came due while paused was dropped (`scheduled` went False): queue
            # it again; one still pending in the engine will simply go out.
            runtime.engine.lead_resumed(lead, campaign)
        return [lead.flat(state.campaigns[lead.campaign_id]) for lead in leads]

    def mark(campaign_id: str, lead_ref: str, interest: str) -> dict[str, Any]:
        campaign = campaign_or_404(state, campaign_id)
        lead = lead_in_campaign(state, campaign, lead_ref)
        # Marking a lead's interest ends its sequence, as it does in lemlist.
        lead.state, lead.status, lead.stopped = interest, "done", True
        lead.updated_at = runtime.now
        return lead.flat(campaign)

    @router.post("/campaigns/{campaign_id}/leads/{lead_ref}/interested")
    async def mark_interested(campaign_id: str, lead_ref: str) -> dict[str, Any]:
        return mark(campaign_id, lead_ref, "interested")

    @router.post("/campaigns/{campaign_id}/leads/{lead_ref}/notinterested")
    async def mark_not_interested(campaign_id: str, lead_ref: str) -> dict[str, Any]:
        return mark(campaign_id, lead_ref, "notInterested")

    return router
