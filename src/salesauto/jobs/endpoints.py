"""REST routes of the job queue: submit, list, read, results, cancel, retry."""

from __future__ import annotations

import functools
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel

from salesauto.jobs.queue import Enqueued
from salesauto.jobs.registry import get_job_type, known_job_types
from salesauto.jobs.schemas import (
    JobAccepted,
    JobPage,
    JobResultPage,
    JobStatus,
    JobSubmit,
    JobTypeView,
    JobView,
)
from salesauto.jobs.service import JobService
from salesauto.kit.errors import InvalidInput
from salesauto.security.principal import current_principal
from salesauto.security.scopes import scoped

AGENT_RUN_JOB = "agent.run"

router = APIRouter(prefix="/api/jobs", tags=["jobs"], dependencies=[scoped("jobs")])


def _service(request: Request) -> JobService:
    service: JobService = request.app.state.platform.jobs
    return service


def current_owner(request: Request) -> str:
    """The workspace of the caller's key: every query is scoped to it."""
    return current_principal(request).workspace


Service = Annotated[JobService, Depends(_service)]
Owner = Annotated[str, Depends(current_owner)]


@router.post("", status_code=202, response_model=JobAccepted, response_model_by_alias=True)
async def submit_job(body: JobSubmit, service: Service, owner: Owner) -> JSONResponse:
    """Queue a job. Answers 202 with its id and where to poll it; the worker runs it.

    With `idempotencyKey`, a retried request returns the job the first one created (200).
    """
    if body.type == AGENT_RUN_JOB:
        # /api/agent/run narrows the agent's scopes to the caller's; a raw job would not.
        raise InvalidInput(
            "run agents with POST /api/agent/run (it limits the agent to your key's scopes)",
            field="type",
        )
    if get_job_type(body.type).internal:
        raise InvalidInput(
            f"{body.type!r} is queued by the platform itself and cannot be submitted",
            field="type",
        )
    return accepted_response(await service.submit(body, owner))


def accepted_response(enqueued: Enqueued) -> JSONResponse:
    """202 `{success, jobId, status}`; 200 when an idempotency key found the earlier job."""
    accepted = JobAccepted(
        job_id=str(enqueued.job_id),
        status=f"/api/jobs/{enqueued.job_id}",
        created=enqueued.created,
    )
    return JSONResponse(
        accepted.model_dump(by_alias=True), status_code=202 if enqueued.created else 200
    )


@router.get("", response_model=JobPage, response_model_by_alias=True)
async def list_jobs(
    service: Service,
    owner: Owner,
    status: Annotated[JobStatus | None, Query(description="Only jobs in this state.")] = None,
    type: Annotated[
        str | None, Query(max_length=100, description="Only jobs of this type.")
    ] = None,
    cursor: Annotated[
        str | None, Query(max_length=200, description="nextCursor of the last page.")
    ] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> JobPage:
    """Jobs, newest first, one page at a time."""
    items, next_cursor = await service.list_jobs(
        owner, status=status, type=type, cursor=cursor, limit=limit
    )
    return JobPage(items=items, next_cursor=next_cursor)


@router.get("/types", response_model=list[JobTypeView], response_model_by_alias=True)
async def list_job_types() -> list[JobTypeView]:
    """Registered job types with the JSON schema of their parameters."""
    return [
        JobTypeView(
            name=t.name, description=t.description, parameters_schema=_schema_of(t.parameters)
        )
        for t in known_job_types()
    ]


@functools.cache
def _schema_of(parameters: type[BaseModel]) -> dict[str, Any]:
    # Building a JSON schema costs milliseconds and a model never changes once registered.
    return parameters.model_json_schema()


@router.get("/{job_id}", response_model=JobView, response_model_by_alias=True)
async def get_job(job_id: str, service: Service, owner: Owner) -> JobView:
    """A job's state, progress, result or error, and attempt history."""
    return await service.get(job_id, owner)


@router.get("/{job_id}/results", response_model=JobResultPage, response_model_by_alias=True)
async def get_job_results(
    job_id: str,
    service: Service,
    owner: Owner,
    cursor: Annotated[str | None, Query(max_length=200)] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> JobResultPage:
    """Per-item outcomes of a batch job (rows imported, contacts enriched, …)."""
    items, next_cursor = await service.results(job_id, owner, cursor=cursor, limit=limit)
    return JobResultPage(items=items, next_cursor=next_cursor)


@router.post("/{job_id}/cancel", response_model=JobView, response_model_by_alias=True)
async def cancel_job(job_id: str, service: Service, owner: Owner) -> JobView:
    """Cancel a queued job, or ask the worker to stop a running one. 409 if already finished."""
    return await service.cancel(job_id, owner)


@router.post("/{job_id}/retry", response_model=JobView, response_model_by_alias=True)
async def retry_job(job_id: str, service: Service, owner: Owner) -> JobView:
    """Queue a failed or cancelled job again with fresh attempts. 409 for other states."""
    return await service.retry(job_id, owner)
