"""Campaign routes: list (bare array or `{campaigns, pagination}`), create, get, start, pause,
stats, a campaign's sequences, and adding steps to its sequence.

A `conditional` step (`conditionKey`, `delayType: within`, `delay` days) is kept in the main
sequence. lemlist's editor splits the sequence there into two branches (nested sequences the
public API lists but cannot fill); the emulator reads the step right after the condition as
the "condition not met" branch: a lead who met it (opened, clicked) skips that one step, every
other lead gets it, and both go on with the rest. `engagement.py` runs it.
"""

from __future__ import annotations

import math
from typing import Any

from fastapi import APIRouter, Body, Query

from salesauto.integrations.sandbox.lemlist.common import campaign_or_404, page, parse_moment
from salesauto.integrations.sandbox.lemlist.gate import LemlistError
from salesauto.integrations.sandbox.lemlist.runtime import LemlistRuntime
from salesauto.integrations.sandbox.lemlist.state import Campaign, Step, iso

CAMPAIGNS_MAX = 100
STEP_TYPES = (
    "email", "manual", "phone", "api", "linkedinVisit", "linkedinInvite", "linkedinSend",
    "conditional",
)  # fmt: skip
CONDITION_KEYS = (
    "hasEmailAddress", "hasLinkedinUrl", "hasPhoneNumber", "hasScore", "emailsOpened",
    "emailsClicked", "emailsUnsubscribed", "meetingBooked", "linkedinInviteAccepted",
    "linkedinOpened", "aircallDone", "linkedinNetworkCheck", "hasWhatsappAccount",
)  # fmt: skip
DELAY_TYPES = ("within", "waitUntil")


def campaigns_router(runtime: LemlistRuntime) -> APIRouter:
    router = APIRouter(tags=["campaigns"])
    state = runtime.state

    @router.get("/campaigns")
    async def list_campaigns(
        version: str | None = None,
        limit: int | None = None,
        offset: int | None = None,
        page_number: int | None = Query(None, alias="page"),
        sortBy: str | None = None,
        sortOrder: str | None = None,
        status: str | None = None,
        createdBy: str | None = None,
    ) -> Any:
        """Campaigns, oldest first (`sortOrder=desc` for newest first); at most 100 a page."""
        del sortBy  # only createdAt is sortable, and it is the default
        size = CAMPAIGNS_MAX if not limit or limit <= 0 else min(limit, CAMPAIGNS_MAX)
        if offset is None and page_number:
            offset = (page_number - 1) * size
        return _list(runtime, version, size, offset, sortOrder, status, createdBy)

    @router.post("/campaigns")
    async def create_campaign(body: dict[str, Any] = Body(...)) -> dict[str, Any]:
        """A new campaign, in draft, with an empty sequence."""
        name = body.get("name")
        if not isinstance(name, str) or not name.strip():
            raise LemlistError(400, "Bad params: name is required")
        campaign = state.add_campaign(name.strip(), "draft", runtime.now, empty=True)
        return {
            "_id": campaign.id,
            "name": campaign.name,
            "sequenceId": campaign.sequence_id,
            "scheduleIds": [campaign.schedule_id],
            "teamId": state.team_id,
            "createdBy": campaign.created_by,
            "createdAt": iso(campaign.created_at),
            "state": campaign.status,
            "senders": [],
            "stopOnEmailReplied": True,
            "unsubscribe": "campaign",
        }

    @router.post("/sequences/{sequence_id}/steps")
    async def add_step(sequence_id: str, body: dict[str, Any] = Body(...)) -> dict[str, Any]:
        """Append a step; `delay` is days after the previous step (0 first, else 1)."""
        campaign = next((c for c in state.campaigns.values() if c.sequence_id == sequence_id), None)
        if campaign is None:
            raise LemlistError(404, "Sequence not found")
        kind = body.get("type")
        if kind not in STEP_TYPES:
            raise LemlistError(400, f"Bad params: type must be one of {', '.join(STEP_TYPES)}")
        if kind == "email" and not body.get("subject"):
            raise LemlistError(400, "Bad params: subject is required for email steps")
        delay = body.get("delay", 1 if campaign.steps else 0)
        if not isinstance(delay, int) or delay < 0:
            raise LemlistError(400, "Bad params: delay must be a positive integer")
        condition, delay_type = _condition(kind, body)
        start = campaign.steps[-1].delay_days if campaign.steps else 0
        step = Step(
            state.new_id("stp"),
            len(campaign.steps),
            start + delay,
            str(body.get("subject") or body.get("title") or ""),
            str(body.get("message") or ""),
            state.new_id("etp"),
            kind=kind,
            delay=delay,
            condition_key=condition,
            delay_type=delay_type,
        )
        campaign.steps.append(step)
        answer: dict[str, Any] = {"_id": step.id, "type": kind, "delay": delay}
        if kind != "conditional":
            answer["emailTemplateId"] = step.template_id
        return answer

    @router.get("/campaigns/{campaign_id}/sequences")
    async def campaign_sequences(campaign_id: str) -> dict[str, Any]:
        """The campaign's sequences by id; the emulator has only the main one (level 0)."""
        campaign = campaign_or_404(state, campaign_id)
        sequence = campaign.sequence_id
        steps = [step.view(sequence) for step in campaign.steps]
        return {sequence: {"_id": sequence, "steps": steps, "level": 0}}

    @router.get("/campaigns/{campaign_id}")
    async def get_campaign(campaign_id: str) -> dict[str, Any]:
        campaign = campaign_or_404(state, campaign_id)
        return campaign.detail(state.team_id, state.owner.email)

    @router.post("/campaigns/{campaign_id}/start")
    async def start_campaign(campaign_id: str) -> dict[str, str]:
        """Start or resume: leads waiting for a send are scheduled from now."""
        campaign = campaign_or_404(state, campaign_id)
        campaign.status = "running"
        runtime.engine.campaign_started(campaign)
        return {"_id": campaign.id, "state": "running"}

    @router.post("/campaigns/{campaign_id}/pause")
    async def pause_campaign(campaign_id: str) -> dict[str, str]:
        campaign = campaign_or_404(state, campaign_id)
        campaign.status = "paused"
        return {"_id": campaign.id, "state": "paused"}

    @router.get("/v2/campaigns/{campaign_id}/stats")
    async def campaign_stats(
        campaign_id: str,
        startDate: str | None = None,
        endDate: str | None = None,
    ) -> dict[str, Any]:
        """Lead and message counts of the campaign's activities between the two dates."""
        campaign = campaign_or_404(state, campaign_id)
        start = parse_moment(startDate, "startDate")
        end = parse_moment(endDate, "endDate")
        if start is None or end is None:
            raise LemlistError(400, "Bad params: startDate and endDate are required")
        return _stats(runtime, campaign, start, end)

    return router


def _condition(kind: str, body: dict[str, Any]) -> tuple[str | None, str | None]:
    """A conditional step's `conditionKey` and `delayType`, checked; (None, None) otherwise."""
    if kind != "conditional":
        return None, None
    condition, delay_type = body.get("conditionKey"), body.get("delayType", "within")
    if condition not in CONDITION_KEYS:
        raise LemlistError(
            400, f"Bad params: conditionKey must be one of {', '.join(CONDITION_KEYS)}"
        )
    if delay_type not in DELAY_TYPES:
        raise LemlistError(400, f"Bad params: delayType must be one of {', '.join(DELAY_TYPES)}")
    return str(condition), str(delay_type)


def _list(
    runtime: LemlistRuntime,
    version: str | None,
    size: int,
    offset: int | None,
    sort_order: str | None,
    status: str | None,
    created_by: str | None,
) -> Any:
    state = runtime.state
    campaigns = sorted(state.campaigns.values(), key=lambda c: c.created_at)
    if sort_order == "desc":
        campaigns.reverse()
    if status == "errors":
        campaigns = []  # the sandbox's campaigns never have sender errors
    elif status:
        campaigns = [c for c in campaigns if c.status == status]
    if created_by:
        campaigns = [c for c in campaigns if c.created_by == created_by]
    chosen = page(campaigns, offset, size, cap=CAMPAIGNS_MAX)
    if version != "v2":
        # v1 (the default of some accounts) only knew ids, names and labels.
        return [{"_id": c.id, "name": c.name, "labels": list(c.labels)} for c in chosen]
    items = [c.summary() for c in chosen]
    if not state.campaigns_envelope:
        return items
    current = (offset or 0) // size + 1
    total_pages = max(math.ceil(len(campaigns) / size), 1)
    return {
        "campaigns": items,
        "pagination": {
            "totalRecords": len(campaigns),
            "currentPage": current,
            "nextPage": current + 1 if current < total_pages else None,
            "totalPage": total_pages,
        },
    }


def _stats(runtime: LemlistRuntime, campaign: Campaign, start: int, end: int) -> dict[str, Any]:
    state = runtime.state
    activities = [
        a
        for a in state.activities
        if a.get("campaignId") == campaign.id
        and start <= state.activity_times[str(a["_id"])] <= end
    ]
    steps: list[dict[str, Any]] = []
    by_type: dict[str, set[str]] = {}
    for activity in activities:
        by_type.setdefault(str(activity["type"]), set()).add(str(activity["leadId"]))

    def count(kind: str, step: int | None = None) -> int:
        return sum(
            1
            for a in activities
            if a["type"] == kind and (step is None or a.get("sequenceStep") == step)
        )

    for step in campaign.steps:
        sent = count("emailsSent", step.index)
        bounced = count("emailsBounced", step.index)
        steps.append(
            {
                "index": step.index + 1,
                "sequenceId": campaign.sequence_id,
                "sequenceStep": step.index,
                "taskType": "email",
                "invited": 0,
                "sent": sent,
                "delivered": sent - bounced,
                "opened": count("emailsOpened", step.index),
                "clicked": count("emailsClicked", step.index),
                "replied": count("emailsReplied", step.index),
                "notDelivered": bounced,
                "bounced": bounced,
                "unsubscribed": count("emailsUnsubscribed", step.index),
            }
        )

    def leads(*kinds: str) -> int:
        return len(set().union(*(by_type.get(kind, set()) for kind in kinds)))

    sent, bounced = count("emailsSent"), count("emailsBounced")
    return {
        "nbLeads": len(state.campaign_leads(campaign.id)),
        "nbLeadsLaunched": leads("emailsSent"),
        "nbLeadsReached": len(
            by_type.get("emailsSent", set()) - by_type.get("emailsBounced", set())
        ),
        "nbLeadsOpened": leads("emailsOpened"),
        "nbLeadsInteracted": leads("emailsClicked", "emailsReplied"),
        "nbLeadsAnswered": leads("emailsReplied"),
        "nbLeadsInterested": leads("emailsInterested"),
        "nbLeadsNotInterested": leads("emailsNotInterested"),
        "nbLeadsUnsubscribed": leads("emailsUnsubscribed"),
        "nbLeadsInterrupted": leads("emailsBounced", "emailsUnsubscribed"),
        "messagesSent": sent,
        "messagesNotSent": 0,
        "messagesBounced": bounced,
        "delivered": sent - bounced,
        "opened": count("emailsOpened"),
        "clicked": count("emailsClicked"),
        "replied": count("emailsReplied"),
        "invitationAccepted": 0,
        "meetingBooked": 0,
        "steps": steps,
    }
