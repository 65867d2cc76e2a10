"""Progress of long tools: a tool that started a job (imports, discovery, enrichment, syncs)
is followed while the client listens, as MCP progress notifications, until the job ends or
`FOLLOW_SECONDS` pass — then the answer says where the job stands and `jobs_get` follows it.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable

from salesauto.jobs.schemas import JobView
from salesauto.jobs.service import JobService
from salesauto.tools.spec import ToolOutcome

FOLLOW_SECONDS = 60.0
POLL_SECONDS = 0.5
FINISHED = frozenset({"completed", "failed", "cancelled"})
Report = Callable[[float, float, str], Awaitable[None]]


def started_job(outcome: ToolOutcome) -> str | None:
    content = outcome.structured_content or {}
    job_id = content.get("job_id")
    return job_id if not outcome.is_error and isinstance(job_id, str) else None


async def follow_job(jobs: JobService, workspace: str, job_id: str, report: Report) -> JobView:
    """Report the job's progress (0–1 and its message) until it ends or time runs out."""
    deadline = time.monotonic() + FOLLOW_SECONDS
    while True:
        job = await jobs.get(job_id, workspace)
        await report(job.progress, 1.0, job.progress_message or job.status)
        if job.status in FINISHED or time.monotonic() >= deadline:
            return job
        await asyncio.sleep(POLL_SECONDS)


def with_job_state(outcome: ToolOutcome, job: JobView) -> ToolOutcome:
    """The tool's answer, with a line saying how the job it started stands now."""
    if job.status in FINISHED:
        line = f"job {job.id} {job.status}" + (f": {job.error}" if job.error else "")
    else:
        line = f"job {job.id} still {job.status} ({job.progress:.0%}); follow it with jobs_get"
    return outcome.model_copy(update={"text": f"{outcome.text}\n{line}"})
