"""Job types the reliability tests need (loaded through SALESAUTO_JOB_MODULES)."""

from __future__ import annotations

import asyncio
import os
import time
from typing import Any

from pydantic import Field

from salesauto.jobs.context import JobContext
from salesauto.jobs.registry import JobParameters, job_type


class RecordParameters(JobParameters):
    seconds: float = Field(0.0, ge=0)


@job_type("test.record", RecordParameters)
async def record_run(context: JobContext, parameters: RecordParameters) -> dict[str, Any]:
    """Writes one job_results row per run: duplicates prove a job ran twice."""
    if parameters.seconds:
        await asyncio.sleep(parameters.seconds)
    await context.add_results(
        [{"item_key": str(context.job_id), "status": "ran", "data": {"pid": os.getpid()}}]
    )
    return {"pid": os.getpid(), "attempt": context.attempt}


class FailParameters(JobParameters):
    succeed_on_attempt: int | None = None


@job_type("test.fail", FailParameters)
async def fail_run(context: JobContext, parameters: FailParameters) -> dict[str, Any]:
    """Raises until `succeed_on_attempt` (never, when unset)."""
    if parameters.succeed_on_attempt and context.attempt >= parameters.succeed_on_attempt:
        return {"succeeded_on": context.attempt}
    raise RuntimeError(f"provider said no (attempt {context.attempt})")


class BlockParameters(JobParameters):
    seconds: float = Field(..., gt=0)


@job_type("test.block", BlockParameters)
async def block_loop(context: JobContext, parameters: BlockParameters) -> dict[str, Any]:
    """Blocks the worker's event loop (CPU-bound style), then records its run."""
    deadline = time.monotonic() + parameters.seconds
    while time.monotonic() < deadline:
        sum(range(10_000))
    await context.add_results([{"item_key": str(context.job_id), "status": "ran"}])
    return {"pid": os.getpid()}


class BadResultParameters(JobParameters):
    kind: str = "object"


@job_type("test.bad_result", BadResultParameters)
async def bad_result(context: JobContext, parameters: BadResultParameters) -> Any:
    """Returns something the databases cannot store as JSON."""
    return {
        "object": {"when": time},
        "nan": {"score": float("nan")},
        "nul": {"name": "a\x00b"},
    }[parameters.kind]
