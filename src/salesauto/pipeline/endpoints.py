"""`/api/discover`, `/api/enrich`, `/api/sync/hubspot`, `/api/outreach` and `/api/pipeline`.

Each route validates, selects the contacts and queues jobs: `{success, jobId, status}` with
202. The work, the provider calls and the chaining happen in the workers. With a model
configured the four step routes queue their agent's run instead, whose result is the step
job's (`salesauto.pipeline.via_agent`).
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from salesauto.ai.step_jobs import StepName
from salesauto.config import Settings
from salesauto.discovery.profile import DiscoverRequest
from salesauto.jobs.endpoints import Owner
from salesauto.jobs.repository import NewJob
from salesauto.pipeline.schemas import (
    ChainOverrides,
    DiscoverBody,
    EnrichBody,
    OutreachBody,
    PipelineRequest,
    StepAccepted,
    SyncBody,
    Via,
)
from salesauto.pipeline.service import (
    retry_failed,
    retry_failed_run,
    run_report,
    start_run,
    start_step,
)
from salesauto.pipeline.steps import STEP_JOB_TYPES, Chain
from salesauto.pipeline.via_agent import (
    contacts_goal,
    discover_goal,
    outreach_goal,
    outreach_input,
    route,
    selected,
    start_agent,
    tool_input,
)
from salesauto.platform import Platform
from salesauto.security.principal import current_principal
from salesauto.security.scopes import scoped

router = APIRouter(tags=["pipeline"], dependencies=[scoped("contacts")])


def _platform(request: Request) -> Platform:
    platform: Platform = request.app.state.platform
    return platform


def _accepted(ids: list[int], contacts: int, via: Via = "direct") -> JSONResponse:
    body = StepAccepted(
        job_id=str(ids[0]),
        job_ids=[str(i) for i in ids],
        status=f"/api/jobs/{ids[0]}",
        contacts=contacts,
        via=via,
    )
    return JSONResponse(body.model_dump(by_alias=True), status_code=202)


async def _via_agent(
    request: Request, step: StepName, goal: str, input: dict[str, Any], contacts: int
) -> JSONResponse:
    """Queue the step's agent run (limited to the caller's scopes) and answer as the step."""
    job_id = await start_agent(_platform(request), current_principal(request), step, goal, input)
    return _accepted([job_id], contacts, "agent")


def _chain(
    settings: Settings, body: ChainOverrides | DiscoverRequest, **fixed: Any
) -> dict[str, Any]:
    chain = Chain.requested(
        settings,
        sync=body.auto_sync,
        outreach=body.auto_outreach,
        campaign_id=body.campaign_id,
        **fixed,
    )
    return chain.model_dump(mode="json")


@router.post("/api/discover", status_code=202)
async def discover(request: Request, owner: Owner, body: DiscoverBody) -> JSONResponse:
    """Find leads matching an ideal customer profile, score and store them (a job); with
    auto-enrich on, enrichment (then sync, outreach) follows by itself. Through the
    lead_finder agent when a model is configured (`via`)."""
    platform = _platform(request)
    chain = _chain(platform.settings, body, enrich=body.auto_enrich)
    if route(platform.settings, body.via) == "agent":
        input = tool_input(body)
        return await _via_agent(request, "discover", discover_goal(input), input, 0)
    job = NewJob(
        type=STEP_JOB_TYPES["discover"],
        parameters=body.job_parameters(chain),
        owner_id=owner,
    )
    enqueued = await platform.queue.enqueue(job)
    return _accepted([enqueued.job_id], 0)


@router.post("/api/enrich", status_code=202)
async def enrich(request: Request, owner: Owner, body: EnrichBody) -> JSONResponse:
    """Enrich contacts through the provider waterfall, cache first, within a credit budget.
    Through the enricher agent when a model is configured (`via`)."""
    platform = _platform(request)
    parameters = {
        "chain": _chain(platform.settings, body),
        "providers": body.providers,
        "credit_budget": body.credit_budget,
        "refresh": body.refresh,
    }
    if route(platform.settings, body.via) == "agent":
        count = len(await selected(platform, owner, body.contacts))
        goal = contacts_goal("enrich", count)
        return await _via_agent(request, "enrich", goal, tool_input(body), count)
    ids, count = await start_step(platform.queue, owner, "enrich", body.contacts, parameters)
    return _accepted(ids, count)


@router.post("/api/sync/hubspot", status_code=202)
async def sync_hubspot(request: Request, owner: Owner, body: SyncBody) -> JSONResponse:
    """Write contacts and their companies to HubSpot (upsert by email and domain). Through
    the crm_sync agent when a model is configured (`via`)."""
    platform = _platform(request)
    parameters = {
        "chain": _chain(platform.settings, body),
        "overwrite": body.overwrite,
        "resync": body.resync,
    }
    if route(platform.settings, body.via) == "agent":
        count = len(await selected(platform, owner, body.contacts))
        goal = contacts_goal("sync", count)
        return await _via_agent(request, "sync", goal, tool_input(body), count)
    ids, count = await start_step(platform.queue, owner, "sync", body.contacts, parameters)
    return _accepted(ids, count)


@router.post("/api/outreach", status_code=202, dependencies=[scoped("campaigns")])
async def outreach(request: Request, owner: Owner, body: OutreachBody) -> JSONResponse:
    """Enroll contacts in a lemlist campaign: deduplicated, never suppressed, daily-capped.
    Through the outreach_writer agent when a model is configured (`via`) and the campaign
    is known here (up to 1000 contacts); otherwise as the direct job."""
    platform = _platform(request)
    if route(platform.settings, body.via) == "agent":
        planned = await outreach_input(platform, owner, body, body.via)
        if planned is not None:
            input, count = planned
            return await _via_agent(request, "outreach", outreach_goal(body, count), input, count)
    parameters = {
        "campaign_id": body.campaign_id,
        "variables": body.variables,
        "daily_cap": body.daily_cap,
    }
    ids, count = await start_step(platform.queue, owner, "outreach", body.contacts, parameters)
    return _accepted(ids, count)


@router.post("/api/pipeline", status_code=202)
async def run_pipeline(request: Request, owner: Owner, body: PipelineRequest) -> JSONResponse:
    """Run the whole chain — discovery (for a profile) or the given contacts, then enrich,
    sync and outreach — as one run you can follow at `/api/pipeline/{runId}`."""
    platform = _platform(request)
    started = await start_run(platform.queue, owner, body)
    return JSONResponse({"success": True, **started}, status_code=202)


@router.get("/api/pipeline/{run_id}")
async def pipeline_run(request: Request, owner: Owner, run_id: str) -> dict[str, Any]:
    """A run's funnel (discovered → enriched → synced → enrolled), per-step counts, jobs."""
    return await run_report(_platform(request).queue, owner, run_id)


@router.post("/api/pipeline/jobs/{job_id}/retry-failed", status_code=202)
async def retry_failed_contacts(request: Request, owner: Owner, job_id: str) -> JSONResponse:
    """Run an enrich, sync or outreach job again for only the contacts that failed in it."""
    new_id = await retry_failed(_platform(request).queue, owner, job_id)
    return JSONResponse(
        {"success": True, "jobId": str(new_id), "status": f"/api/jobs/{new_id}"},
        status_code=202,
    )


@router.post("/api/pipeline/{run_id}/retry-failed", status_code=202)
async def retry_failed_run_contacts(request: Request, owner: Owner, run_id: str) -> JSONResponse:
    """Run each step of a run again for the contacts whose last outcome there is failed
    (after their automatic retries ran out); the new jobs belong to the same run."""
    ids = await retry_failed_run(_platform(request).queue, owner, run_id)
    return JSONResponse(
        {
            "success": True,
            "jobId": str(ids[0]),
            "jobIds": [str(i) for i in ids],
            "status": f"/api/pipeline/{run_id}",
        },
        status_code=202,
    )
