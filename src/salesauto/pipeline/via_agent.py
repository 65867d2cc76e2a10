"""The pipeline routes through their AI agent: which way a request goes, and the agent run it
becomes.

With a model key set (or `SALESAUTO_AI_WORKFLOWS=agent`, or `"via": "agent"`), `/api/discover`
queues an `agent.run` of lead_finder instead of the `pipeline.discover` job — and so on for
enrich (enricher), sync (crm_sync) and outreach (outreach_writer). The request becomes the
agent's `input`, in the shape of the tool the agent calls, so the tool queues the same step
job the direct route would (and the offline planner calls it with exactly that input). The
run's result is the step job's (see `salesauto.ai.step_jobs`).
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from pydantic import BaseModel

from salesauto.ai.selector import ai_settings, configured_vendors
from salesauto.ai.step_jobs import StepName
from salesauto.ai.submit import submit_agent_run
from salesauto.kit.errors import InvalidInput
from salesauto.pipeline.campaigns import INSTANCES
from salesauto.pipeline.schemas import ContactSelection, OutreachBody, Via
from salesauto.pipeline.selection import select_emails
from salesauto.platform import Platform
from salesauto.security.principal import Principal

AGENTS: dict[StepName, str] = {
    "discover": "lead_finder",
    "enrich": "enricher",
    "sync": "crm_sync",
    "outreach": "outreach_writer",
}
# The run waits for the step jobs itself: a model polling jobs_get would spend its turns.
NO_POLLING = (
    "The run waits for the job it queues and reports its result: check it once with jobs_get "
    "at most, then finish with a short summary."
)
# campaigns_enroll, the outreach writer's tool, takes at most this many emails at once.
MAX_AGENT_ENROLLMENTS = 1000


def route(settings: BaseModel, asked: Via | None) -> Via:
    """The request's choice, else the setting's; `auto` is the agent when a model is set."""
    if asked is not None:
        return asked
    configured = ai_settings(settings)
    if configured.ai_workflows == "auto":
        return "agent" if configured_vendors(configured) else "direct"
    return configured.ai_workflows


def tool_input(body: BaseModel) -> dict[str, Any]:
    """The request as the agent's tool takes it: what the caller sent, snake_case."""
    return body.model_dump(mode="json", exclude_unset=True, exclude={"via"})


async def start_agent(
    platform: Platform, caller: Principal, step: StepName, goal: str, input: dict[str, Any]
) -> int:
    enqueued = await submit_agent_run(
        platform.jobs, caller, agent=AGENTS[step], goal=goal, input=input, step=step
    )
    return enqueued.job_id


async def selected(platform: Platform, owner_id: str, selection: ContactSelection) -> list[str]:
    """The emails a step would work on; refused, as the direct route refuses it, when none."""
    async with platform.engine.connect() as conn:
        emails = await select_emails(conn, owner_id, selection)
    if not emails:
        raise InvalidInput(
            "no contacts match this selection; import or discover contacts first, or widen "
            "the filter (GET /api/contacts shows what is stored)",
            field="contacts",
        )
    return emails


def discover_goal(input: dict[str, Any]) -> str:
    return (
        f"Find {input.get('count', 50)} leads matching the ideal customer profile in the input "
        "and store them as contacts (a POST /api/discover request). Call discovery_find_leads "
        "with exactly the input as its arguments (a dry run, then the confirmation). " + NO_POLLING
    )


def contacts_goal(step: StepName, count: int) -> str:
    what, tool, path = {
        "enrich": ("Enrich", "enrichment_enrich_contacts", "/api/enrich"),
        "sync": ("Write to HubSpot", "crm_sync_contacts", "/api/sync/hubspot"),
    }[step]
    return (
        f"{what} the {count} contact(s) the input selects (a POST {path} request). Call "
        f"{tool} with exactly the input as its arguments. " + NO_POLLING
    )


async def outreach_input(
    platform: Platform, owner_id: str, body: OutreachBody, asked: Via | None
) -> tuple[dict[str, Any], int] | None:
    """The outreach writer's `campaigns_enroll` arguments for this request and the contact
    count, or None when only the direct route can do it: the agent enrolls in campaigns
    known here (created here, or enrolled in before) and at most 1000 contacts at once. When
    the request itself asked for the agent, that is refused with what to change."""
    emails = await selected(platform, owner_id, body.contacts)
    async with platform.engine.connect() as conn:
        instance_id = await conn.scalar(
            sa.select(INSTANCES.c.id).where(
                INSTANCES.c.owner_id == owner_id,
                INSTANCES.c.provider == "lemlist",
                INSTANCES.c.provider_campaign_id == body.campaign_id,
            )
        )
    problem = None
    if instance_id is None:
        problem = (
            f"lemlist campaign {body.campaign_id!r} is not known here yet (link it with POST "
            "/api/campaigns/instances and its providerCampaignId, or enroll with via=direct "
            "once)"
        )
    elif len(emails) > MAX_AGENT_ENROLLMENTS:
        problem = (
            f"the selection has {len(emails)} contacts and the agent enrolls at most "
            f"{MAX_AGENT_ENROLLMENTS} at once (narrow it with `limit`, or use via=direct)"
        )
    if problem is None:
        input: dict[str, Any] = {"campaign_id": str(instance_id), "emails": emails}
        input |= body.model_dump(mode="json", include={"variables", "daily_cap"}, exclude_none=True)
        return input, len(emails)
    if asked == "agent":
        raise InvalidInput(f"via=agent cannot run this outreach: {problem}", field="via")
    return None


def outreach_goal(body: OutreachBody, count: int) -> str:
    return (
        f"Enroll the {count} contact(s) in the input in lemlist campaign {body.campaign_id} "
        "(a POST /api/outreach request). Read the campaign with campaigns_get, then call "
        "campaigns_enroll with exactly the input as its arguments (a dry run, then the "
        "confirmation). " + NO_POLLING
    )
