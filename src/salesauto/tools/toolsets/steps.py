"""What the pipeline toolsets (discovery, enrichment, crm) and campaigns_enroll share: the
answer of a queued step and the count of the contacts a selection names."""

from __future__ import annotations

from pydantic import Field

from salesauto.pipeline.schemas import ContactSelection
from salesauto.pipeline.selection import select_emails
from salesauto.tools.spec import ToolContext, ToolOutput


class StepQueued(ToolOutput):
    job_id: str = Field(description="The first job; follow it with jobs_get.")
    job_ids: list[str] = Field(description="Large selections are split into several jobs.")
    contacts: int = Field(description="How many contacts were selected.")


def step_queued(ids: list[int], contacts: int) -> StepQueued:
    return StepQueued(job_id=str(ids[0]), job_ids=[str(i) for i in ids], contacts=contacts)


async def selected_emails(ctx: ToolContext, selection: ContactSelection) -> list[str]:
    async with ctx.platform.engine.connect() as conn:
        return await select_emails(conn, ctx.workspace, selection)
