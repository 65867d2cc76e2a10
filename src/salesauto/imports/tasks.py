"""The `import.csv` job: a stored upload imported in batches, with progress."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from pydantic import Field

from salesauto.imports.service import import_csv
from salesauto.jobs.context import JobContext
from salesauto.jobs.registry import JobParameters, job_type


class ImportCsvParameters(JobParameters):
    path: str = Field(..., description="The stored upload (under the data folder's uploads/).")
    file_name: str | None = Field(None, description="The name the user uploaded.")
    source: str = Field("csv", max_length=50, description="Recorded as each field's source.")
    mapping: dict[str, str | None] | None = Field(
        None, description="Column → field overrides (null keeps a column as extra data)."
    )
    delete_after: bool = Field(True, description="Remove the stored upload once imported.")


@job_type("import.csv", ImportCsvParameters)
async def run_csv_import(context: JobContext, parameters: ImportCsvParameters) -> dict[str, Any]:
    """Imports a CSV upload into contacts and companies; the result is the import summary."""
    path = Path(parameters.path)

    async def report(rows: int, done: int, total: int) -> None:
        await context.progress(done / total if total else 1.0, f"{rows:,} rows read")

    summary = await import_csv(
        context.queue.engine,
        context.owner_id,
        path,
        source=parameters.source,
        file_name=parameters.file_name,
        mapping=parameters.mapping,
        batch_rows=context.queue.settings.import_batch_rows,
        progress=report,
    )
    if parameters.delete_after:
        await asyncio.to_thread(path.unlink, True)
    return summary.model_dump(by_alias=True)
