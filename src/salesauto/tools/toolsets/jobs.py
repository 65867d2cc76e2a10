"""jobs: the queue every long task runs on — types, submit, follow, cancel, retry."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field

from salesauto.jobs.registry import get_job_type, known_job_types
from salesauto.jobs.schemas import JobStatus, JobSubmit, JobTypeView, JobView
from salesauto.kit.errors import InvalidInput
from salesauto.tools.registry import tool
from salesauto.tools.spec import (
    DELETE,
    READ,
    WRITE,
    PageInput,
    Preview,
    ToolContext,
    ToolInput,
    ToolOutput,
)


class NoArguments(ToolInput):
    pass


class JobTypes(ToolOutput):
    types: list[JobTypeView]


@tool(toolset="jobs", scope="jobs:read", flags=READ)
async def jobs_list_types(ctx: ToolContext, args: NoArguments) -> JobTypes:
    """The job types a caller may submit, each with its description and the JSON schema of
    its parameters. Read it before jobs_submit. Free."""
    return JobTypes(
        types=[
            JobTypeView(
                name=t.name,
                description=t.description,
                parameters_schema=t.parameters.model_json_schema(),
            )
            for t in known_job_types()
            if not t.internal
        ]
    )


class JobSubmitInput(ToolInput):
    type: str = Field(..., min_length=1, max_length=100, description="From jobs_list_types.")
    parameters: dict[str, Any] = Field(default_factory=dict, description="The type's parameters.")
    priority: Literal["low", "normal", "high", "critical"] = "normal"
    idempotency_key: str | None = Field(
        None, min_length=1, max_length=200, description="Resubmitting with it returns the same job."
    )


class JobQueued(ToolOutput):
    job_id: str
    created: bool = Field(description="False when the idempotency key matched an earlier job.")


@tool(toolset="jobs", scope="jobs:write", flags=WRITE)
async def jobs_submit(ctx: ToolContext, args: JobSubmitInput) -> JobQueued:
    """Queue a job of any public type with its parameters (checked against the type's
    schema now). Prefer the specific tools (discovery_find_leads, imports_start…) when one
    fits. Follow the job with jobs_get. Cost: that of the job type."""
    if get_job_type(args.type).internal:
        # As `POST /api/jobs`: internal types follow a change in its own transaction.
        raise InvalidInput(
            f"{args.type!r} is queued by the platform itself and cannot be submitted",
            field="type",
        )
    submit = JobSubmit(
        type=args.type,
        parameters=args.parameters,
        priority=args.priority,
        idempotency_key=args.idempotency_key,
    )
    enqueued = await ctx.platform.jobs.submit(submit, ctx.workspace)
    return JobQueued(job_id=str(enqueued.job_id), created=enqueued.created)


class JobRef(ToolInput):
    job_id: str = Field(..., min_length=1, max_length=30)


class JobRecord(ToolOutput):
    job: JobView


@tool(toolset="jobs", scope="jobs:read", flags=READ)
async def jobs_get(ctx: ToolContext, args: JobRef) -> JobRecord:
    """A job's status (queued, processing, completed, failed, cancelled), progress, result
    or error, and attempts. Poll it after starting any long task. Free."""
    return JobRecord(job=await ctx.platform.jobs.get(args.job_id, ctx.workspace))


class JobFilter(PageInput):
    status: JobStatus | None = None
    type: str | None = Field(None, max_length=100, description="e.g. pipeline.enrich")


class JobPage(ToolOutput):
    jobs: list[JobView]
    next_cursor: str | None = None


@tool(toolset="jobs", scope="jobs:read", flags=READ)
async def jobs_list(ctx: ToolContext, args: JobFilter) -> JobPage:
    """Jobs newest first, filtered by status or type, a page at a time: what ran, what is
    queued, what failed. Use jobs_get for one job's result. Free."""
    items, next_cursor = await ctx.platform.jobs.list_jobs(
        ctx.workspace, status=args.status, type=args.type, cursor=args.cursor, limit=args.limit
    )
    return JobPage(jobs=items, next_cursor=next_cursor)


async def _cancel_preview(ctx: ToolContext, args: JobRef) -> Preview:
    job = await ctx.platform.jobs.get(args.job_id, ctx.workspace)
    return Preview(
        summary=f"cancel {job.type} job {job.id}, now {job.status} at "
        f"{round(job.progress * 100)}% (a running job stops at its next step)",
        details={"job": job.model_dump(mode="json", by_alias=False)},
    )


@tool(toolset="jobs", scope="jobs:write", flags=DELETE, preview=_cancel_preview)
async def jobs_cancel(ctx: ToolContext, args: JobRef) -> JobRecord:
    """Cancel a queued job, or ask the worker to stop a running one (work already done
    stays). Refused for finished jobs. The first call is a dry run returning a
    confirm_token."""
    return JobRecord(job=await ctx.platform.jobs.cancel(args.job_id, ctx.workspace))


@tool(toolset="jobs", scope="jobs:write", flags=WRITE)
async def jobs_retry(ctx: ToolContext, args: JobRef) -> JobRecord:
    """Queue a failed or cancelled job again with fresh attempts (same parameters). Check
    its error with jobs_get first: retrying a job whose input is wrong fails again."""
    return JobRecord(job=await ctx.platform.jobs.retry(args.job_id, ctx.workspace))
