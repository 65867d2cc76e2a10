"""An agent run that stands in for a pipeline route (`/api/discover`, `/api/enrich`,
`/api/sync/hubspot`, `/api/outreach` with a model configured) answers like the step job
the route would have queued.

The agent's tools queue the very step jobs the direct route queues, so the records are the
same; what differs is the job a client polls. So the run notes the jobs its tools queued,
waits for them once the agent is done, and returns the step job's result — the direct
path's fields — with the agent's outcome and the list of step jobs added. A step job that
failed fails the run with its error, as the direct job would have failed.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable
from typing import Any, Literal

from salesauto.ai.loop import AgentOutcome, RunTool
from salesauto.ai.messages import ToolCall, ToolResult
from salesauto.jobs.context import JobContext
from salesauto.jobs.schemas import JobView
from salesauto.jobs.worker import PermanentJobError
from salesauto.kit.errors import SalesautoError
from salesauto.models.jobs import FINISHED_STATUSES
from salesauto.pipeline.steps import STEP_JOB_TYPES
from salesauto.platform import Platform

StepName = Literal["discover", "enrich", "sync", "outreach"]
STEP_TYPES = frozenset(STEP_JOB_TYPES.values())
FIRST_POLL_SECONDS = 0.1
LONGEST_POLL_SECONDS = 2.0
# A step job finishes in minutes (its outage retries are later jobs of their own); past this
# the run stops waiting rather than hold a worker slot for good.
LONGEST_WAIT_SECONDS = 6 * 3600.0


def recording(run_tool: RunTool, started: list[int]) -> RunTool:
    """Runs tools like `run_tool` and notes the ids of the jobs they queued."""

    async def run(call: ToolCall) -> ToolResult:
        result = await run_tool(call)
        if not result.is_error:
            started.extend(queued_job_ids(result.data))
        return result

    return run


def queued_job_ids(data: dict[str, Any] | None) -> list[int]:
    """The jobs a tool's answer says it queued (`job_ids`, or one `job_id`); a dry run queued
    none."""
    if not data or data.get("dry_run"):
        return []
    ids = data.get("job_ids") or ([data["job_id"]] if "job_id" in data else [])
    return [int(i) for i in ids if str(i).isdigit()]


async def run_as_step(
    context: JobContext,
    platform: Platform,
    step: StepName,
    agent: str,
    run: Callable[[], Awaitable[AgentOutcome]],
    started: list[int],
) -> dict[str, Any]:
    """`run` the agent (its tools add the jobs they queue to `started`), wait for its step
    jobs and answer as the step. A cancelled run cancels the step jobs it queued: the user
    asked the work to stop (a worker shutting down does not, the run will start again)."""
    try:
        outcome = await run()
        jobs = await step_jobs(context, platform, started)
    except asyncio.CancelledError:
        await _cancel_unfinished(context, platform, started)
        raise
    if context.cancel_requested:  # the worker records the cancellation
        await _cancel_unfinished(context, platform, started)
        return outcome.model_dump(mode="json", by_alias=True)
    return step_result(step, agent, outcome, jobs)


async def step_jobs(context: JobContext, platform: Platform, started: list[int]) -> list[JobView]:
    """The pipeline step jobs among `started`, once every one has finished (or the run is
    cancelled)."""
    views = await _step_views(context, platform, started)
    wait, waited = FIRST_POLL_SECONDS, 0.0
    while any(view.status not in FINISHED_STATUSES for view in views):
        if waited > LONGEST_WAIT_SECONDS:
            running = ", ".join(v.id for v in views if v.status not in FINISHED_STATUSES)
            raise PermanentJobError(
                f"the agent's step jobs are still running after {waited / 3600:.0f} hours; "
                f"follow them at /api/jobs/{{id}} (ids {running})"
            )
        await context.progress(
            1.0 - 0.5 * sum(v.status not in FINISHED_STATUSES for v in views) / len(views),
            "waiting for " + ", ".join(f"{v.type} job {v.id}" for v in views),
        )
        if await context.wait_cancelled(wait):
            break
        waited += wait
        wait = min(wait * 2, LONGEST_POLL_SECONDS)
        views = [await platform.jobs.get(view.id, context.owner_id) for view in views]
    return views


async def _step_views(context: JobContext, platform: Platform, ids: list[int]) -> list[JobView]:
    views = [await platform.jobs.get(i, context.owner_id) for i in dict.fromkeys(ids)]
    return [view for view in views if view.type in STEP_TYPES]


async def _cancel_unfinished(context: JobContext, platform: Platform, started: list[int]) -> None:
    if not context.cancel_requested:
        return
    for view in await _step_views(context, platform, started):
        if view.status not in FINISHED_STATUSES:
            with contextlib.suppress(SalesautoError):  # it finished meanwhile
                await platform.jobs.cancel(view.id, context.owner_id)


def step_result(
    step: str, agent: str, outcome: AgentOutcome, jobs: list[JobView]
) -> dict[str, Any]:
    """The result of a run standing in for `step`: the step job's own result (its first job,
    as the route's `jobId` is the first), the agent's outcome, and `steps` — every step job
    the agent queued, with its status."""
    wanted = STEP_JOB_TYPES[step]
    main = [job for job in jobs if job.type == wanted]
    if not main:
        raise PermanentJobError(
            f"the {agent} agent ended without queuing a {wanted} job ({outcome.reason}): "
            f"{outcome.text[:500] or 'no answer'}; its transcript is at "
            "/api/jobs/{id}/transcript"
        )
    # A selection split into several jobs succeeds only if every one of them did.
    for job in main:
        if job.status != "completed":
            raise PermanentJobError(
                f"the {agent} agent's {wanted} job {job.id} {job.status}: "
                f"{job.error or 'no error recorded'}"
            )
    first = main[0]
    steps = [{"type": job.type, "jobId": job.id, "status": job.status} for job in jobs]
    own = first.result if isinstance(first.result, dict) else {}
    return {**outcome.model_dump(mode="json", by_alias=True), "steps": steps, **own}
