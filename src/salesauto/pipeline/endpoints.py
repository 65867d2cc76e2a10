"""`/api/discover`, `/api/enrich`, `/api/sync/hubspot`, `/api/outreach` and `/api/pipeline`.

Each route validates, selects the contacts and queues jobs: `{success, jobId, status}` with
202. The work, the provider calls and the chaining happen in the workers.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from salesauto.config import Settings
from salesauto.discovery.profile import DiscoverRequest
from salesauto.jobs.endpoints import Owner
from salesauto.jobs.repository import NewJob
from salesauto.pipeline.schemas import (
    ChainOverrides,
    EnrichRequest,
    OutreachRequest,
    PipelineRequest,
    StepAccepted,
    SyncRequest,
)
from salesauto.pipeline.service import (
    retry_failed,
    retry_failed_run,
    run_report,
    start_run,
    start_step,
)
from salesauto.pipeline.steps import STEP_JOB_TYPES, Chain
from salesauto.platform import Platform
from salesauto.security.scopes import scoped

router = APIRouter(tags=["pipeline"], dependencies=[scoped("contacts")])


def _platform(request: Request) -> Platform:
    platform: Platform = request.app.state.platform
    return platform


def _accepted(ids: list[int], contacts: int) -> JSONResponse:
    body = StepAccepted(
        job_id=str(ids[0]),
        job_ids=[str(i) for i in ids],
        status=f"/api/jobs/{ids[0]}",
        contacts=contacts,
    )
    return JSONResponse(body.model_dump(by_alias=True), status_code=202)


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
async def discover(request: Request, owner: Owner, body: DiscoverRequest) -> JSONResponse:
    """Find leads matching an ideal customer profile, score and store them (a job); with
    auto-enrich on, enrichment (then sync, outreach) follows by itself."""
    platform = _platform(request)
    chain = _chain(platform.settings, body, enrich=body.auto_enrich)
    job = NewJob(
        type=STEP_JOB_TYPES["discover"],
        parameters=body.job_parameters(chain),
        owner_id=owner,
    )
    enqueued = await platform.queue.enqueue(job)
    return _accepted([enqueued.job_id], 0)


@router.post("/api/enrich", status_code=202)
async def enrich(request: Request, owner: Owner, body: EnrichRequest) -> JSONResponse:
    """Enrich contacts through the provider waterfall, cache first, within a credit budget."""
    platform = _platform(request)
    parameters = {
        "chain": _chain(platform.settings, body),
        "providers": body.providers,
        "credit_budget": body.credit_budget,
        "refresh": body.refresh,
    }
    ids, count = await start_step(platform.queue, owner, "enrich", body.contacts, parameters)
    return _accepted(ids, count)


@router.post("/api/sync/hubspot", status_code=202)
async def sync_hubspot(request: Request, owner: Owner, body: SyncRequest) -> JSONResponse:
    """Write contacts and their companies to HubSpot (upsert by email and domain)."""
    platform = _platform(request)
    parameters = {
        "chain": _chain(platform.settings, body),
        "overwrite": body.overwrite,
        "resync": body.resync,
    }
    ids, count = await start_step(platform.queue, owner, "sync", body.contacts, parameters)
    return _accepted(ids, count)


@router.post("/api/outreach", status_code=202, dependencies=[scoped("campaigns")])
async def outreach(request: Request, owner: Owner, body: OutreachRequest) -> JSONResponse:
    """Enroll contacts in a lemlist campaign: deduplicated, never suppressed, daily-capped."""
    platform = _platform(request)
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
