"""imports: preview and import CSV text, follow an import job."""

from __future__ import annotations

import asyncio
import uuid
from pathlib import Path
from typing import Literal

from pydantic import Field

from salesauto.imports.preview import CsvPreview, preview_csv
from salesauto.imports.service import SAMPLE_BYTES, check_columns
from salesauto.imports.tasks import upload_folder
from salesauto.jobs.schemas import JobSubmit, JobView
from salesauto.kit.errors import InvalidInput
from salesauto.pipeline.steps import Chain
from salesauto.tools.registry import tool
from salesauto.tools.spec import READ, WRITE, ToolContext, ToolInput, ToolOutput

IMPORT_JOB_TYPES = ("import.csv", "import.lemlist", "import.hubspot")
# CSV given as text in a tool call; larger files go through `POST /api/import/csv`.
MAX_CSV_CHARS = 5_000_000


class CsvText(ToolInput):
    csv: str = Field(
        ..., min_length=1, max_length=MAX_CSV_CHARS, description="The CSV text, header first."
    )


class PreviewResult(ToolOutput):
    preview: CsvPreview


@tool(toolset="imports", scope="contacts:read", flags=READ)
async def imports_preview_csv(ctx: ToolContext, args: CsvText) -> PreviewResult:
    """What importing this CSV would do, before anything is written: detected delimiter, the
    proposed column → field mapping, sample rows and the problems an import would hit (no
    email column, invalid addresses…). Call it before imports_start. Free."""
    return PreviewResult(preview=preview_csv(args.csv.encode()[:SAMPLE_BYTES]))


class ImportStart(CsvText):
    mapping: dict[str, str | None] | None = Field(
        None,
        description='Column → field overrides of the preview\'s mapping, e.g. {"Mail": "email"}.',
    )
    source: str = Field("csv", min_length=1, max_length=50, description="Recorded on contacts.")
    auto_enrich: bool | None = Field(None, description="Enrich what it stores (default: settings).")
    auto_sync: bool | None = Field(None, description="Then sync to HubSpot (default: settings).")


class JobStarted(ToolOutput):
    job_id: str
    status: str = Field(description="Follow it with jobs_get or imports_get.")


def _store_text(folder: Path, text: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / f"{uuid.uuid4().hex}.csv"
    target.write_text(text, encoding="utf-8")
    return target


@tool(toolset="imports", scope="contacts:write", flags=WRITE)
async def imports_start(ctx: ToolContext, args: ImportStart) -> JobStarted:
    """Import CSV text into contacts as a job (rows merge by email; erased and suppressed
    addresses are respected). Returns the job id; imports_get shows the counts (created,
    updated, duplicates, rejected with reasons) when it is done. Free (no provider calls
    unless auto-enrich is on)."""
    settings = ctx.platform.settings
    stored = await asyncio.to_thread(_store_text, upload_folder(settings), args.csv)
    try:
        # As the upload route does: a header or mapping that cannot import fails now.
        await asyncio.to_thread(check_columns, stored, args.mapping)
    except InvalidInput:
        await asyncio.to_thread(stored.unlink, True)
        raise
    chain = Chain.requested(settings, enrich=args.auto_enrich, sync=args.auto_sync)
    parameters = {
        "upload": stored.name,
        "file_name": "tool-import.csv",
        "source": args.source,
        "mapping": args.mapping,
        "chain": chain.model_dump(mode="json") if chain.next_step("discover") else None,
    }
    enqueued = await ctx.platform.jobs.submit(
        JobSubmit(type="import.csv", parameters=parameters), ctx.workspace
    )
    return JobStarted(job_id=str(enqueued.job_id), status=f"/api/jobs/{enqueued.job_id}")


class ImportRef(ToolInput):
    job_id: str | None = Field(None, description="An import job; leave out to list recent ones.")
    type: Literal["import.csv", "import.lemlist", "import.hubspot"] = Field(
        "import.csv", description="Which imports to list when no job_id is given."
    )


class ImportJobs(ToolOutput):
    imports: list[JobView] = Field(description="The job, or the 20 latest imports.")


@tool(toolset="imports", scope="contacts:read", flags=READ)
async def imports_get(ctx: ToolContext, args: ImportRef) -> ImportJobs:
    """An import's status and, once done, its summary (rows read, created, updated,
    duplicates, rejected rows with reasons). Without job_id: the 20 latest imports. Free."""
    jobs = ctx.platform.jobs
    if args.job_id is not None:
        job = await jobs.get(args.job_id, ctx.workspace)
        if job.type not in IMPORT_JOB_TYPES:
            raise InvalidInput(
                f"job {args.job_id} is a {job.type} job, not an import; use jobs_get",
                field="job_id",
            )
        return ImportJobs(imports=[job])
    items, _ = await jobs.list_jobs(ctx.workspace, type=args.type, limit=20)
    return ImportJobs(imports=items)
