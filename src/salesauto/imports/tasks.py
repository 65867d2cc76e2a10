"""The `import.csv` job: a stored upload imported in batches, with progress."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from pydantic import Field

from salesauto.config import Settings
from salesauto.imports.service import import_csv
from salesauto.jobs.context import JobContext
from salesauto.jobs.registry import JobParameters, job_type
from salesauto.jobs.worker import PermanentJobError
from salesauto.kit.errors import InvalidInput


class ImportCsvParameters(JobParameters):
    # A name inside the uploads folder, never a path: a job submitted through the API must
    # not be able to read any other file of the server.
    upload: str = Field(
        ..., pattern=r"^[0-9a-f]{32}\.csv$", description="The stored upload's name in uploads/."
    )
    file_name: str | None = Field(None, description="The name the user uploaded.")
    source: str = Field("csv", max_length=50, description="Recorded as each field's source.")
    mapping: dict[str, str | None] | None = Field(
        None, description="Column → field overrides (null keeps a column as extra data)."
    )
    delete_after: bool = Field(True, description="Remove the stored upload once imported.")


@job_type("import.csv", ImportCsvParameters)
async def run_csv_import(context: JobContext, parameters: ImportCsvParameters) -> dict[str, Any]:
    """Imports a CSV upload into contacts and companies; the result is the import summary."""
    path = upload_folder(context.queue.settings) / parameters.upload
    if not await asyncio.to_thread(path.exists):
        raise PermanentJobError(f"the upload {parameters.upload} is gone; upload the file again")

    async def report(rows: int, done: int, total: int) -> None:
        await context.progress(done / total if total else 1.0, f"{rows:,} rows read")

    try:
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
    except InvalidInput as error:
        # The file itself is wrong: retrying cannot help.
        if parameters.delete_after:
            await asyncio.to_thread(path.unlink, True)
        raise PermanentJobError(error.message) from None
    if parameters.delete_after:
        await asyncio.to_thread(path.unlink, True)
    return summary.model_dump(by_alias=True)


def upload_folder(settings: Settings) -> Path:
    return settings.data_dir / "uploads"
