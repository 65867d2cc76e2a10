"""The import jobs: `import.csv` (a stored upload, in batches, with progress), and
`import.lemlist` / `import.hubspot` (a provider's contacts through the same merge)."""

from __future__ import annotations

import asyncio
from datetime import datetime
from pathlib import Path
from typing import Any, Self

from pydantic import Field, model_validator

from salesauto.config import Settings
from salesauto.imports.checkpoint import ImportJournal
from salesauto.imports.schemas import ImportSummary
from salesauto.imports.service import import_csv
from salesauto.imports.sources import (
    hubspot_contacts,
    hubspot_list_contacts,
    lemlist_campaign_leads,
    merge_records,
)
from salesauto.integrations.http.errors import ProviderRejected
from salesauto.integrations.hubspot import HubSpotClient
from salesauto.integrations.hubspot.lists import HubSpotList, HubSpotListNotFound
from salesauto.integrations.hubspot.schemas import SearchRequest
from salesauto.integrations.registry import Integrations
from salesauto.jobs.context import JobContext
from salesauto.jobs.registry import JobParameters, job_type
from salesauto.jobs.worker import PermanentJobError
from salesauto.kit.errors import InvalidInput
from salesauto.kit.time import utcnow
from salesauto.pipeline.selection import chain_after_import
from salesauto.pipeline.steps import Chain


class ChainedImport(JobParameters):
    chain: Chain | None = Field(
        None, description="Pipeline steps to run for the contacts the import created or changed"
    )


class ImportCsvParameters(ChainedImport):
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
    """Imports a CSV upload into contacts and companies; the result is the import summary.

    A retried attempt resumes after the last batch an earlier one committed."""
    path = upload_folder(context.queue.settings) / parameters.upload
    if not await asyncio.to_thread(path.exists):
        raise PermanentJobError(f"the upload {parameters.upload} is gone; upload the file again")
    journal = await ImportJournal.open(context, path, utcnow())

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
            journal=journal,
        )
    except InvalidInput as error:
        # The file itself is wrong: retrying cannot help.
        if parameters.delete_after:
            await asyncio.to_thread(path.unlink, True)
        raise PermanentJobError(error.message) from None
    except Exception:
        # No attempt will follow the last one: the upload would stay on disk for good.
        if parameters.delete_after and context.attempt >= context.max_attempts:
            await asyncio.to_thread(path.unlink, True)
        raise
    if parameters.delete_after:
        await asyncio.to_thread(path.unlink, True)
    # Since the first attempt started: the chain covers what every attempt stored.
    return await _chained(context, parameters, summary, journal.point.started)


def upload_folder(settings: Settings) -> Path:
    return settings.data_dir / "uploads"


def _integrations(context: JobContext) -> Integrations:
    integrations = getattr(context.services, "integrations", None)
    if not isinstance(integrations, Integrations):
        raise PermanentJobError("this worker was started without provider clients")
    return integrations


class ImportLemlistParameters(ChainedImport):
    campaign_id: str = Field(..., min_length=1, max_length=100, description="e.g. cam_…")
    state: str | None = Field(None, max_length=50, description="Only leads in this state.")


@job_type("import.lemlist", ImportLemlistParameters)
async def run_lemlist_import(
    context: JobContext, parameters: ImportLemlistParameters
) -> dict[str, Any]:
    """Imports the leads of a lemlist campaign (up to the 500 lemlist lists per campaign)."""
    started = utcnow()
    lemlist = _integrations(context).lemlist
    try:
        await lemlist.get_campaign(parameters.campaign_id)
    except ProviderRejected as error:
        if error.status == 404:
            raise PermanentJobError(
                f"lemlist has no campaign {parameters.campaign_id!r}; list them with "
                "`salesauto integrations check` or the lemlist app"
            ) from None
        raise

    async def report(rows: int) -> None:
        await context.progress(0.5, f"{rows:,} leads read")

    summary = await merge_records(
        context.queue.engine,
        context.owner_id,
        lemlist_campaign_leads(lemlist, parameters.campaign_id, state=parameters.state),
        ImportSummary(source="lemlist", file_name=f"lemlist campaign {parameters.campaign_id}"),
        report,
    )
    return await _chained(context, parameters, summary, started)


class ImportHubspotParameters(ChainedImport):
    search: SearchRequest | None = Field(
        None,
        description="A HubSpot contact search (filterGroups, query). Without it (and without "
        "list_id) every contact is imported.",
    )
    list_id: str | None = Field(
        None,
        pattern=r"^[0-9]{1,20}$",
        description="A HubSpot contact list's id, instead of a search: HubSpot → Contacts → "
        "Lists, open the list, the number in its URL.",
    )
    max_contacts: int = Field(10_000, ge=1, le=10_000, description="HubSpot pages 10,000 at most.")

    @model_validator(mode="after")
    def _one_source(self) -> Self:
        if self.search is not None and self.list_id is not None:
            raise ValueError(
                "give either search or list_id, not both: a list import takes the list's "
                "members as they are"
            )
        return self


@job_type("import.hubspot", ImportHubspotParameters)
async def run_hubspot_import(
    context: JobContext, parameters: ImportHubspotParameters
) -> dict[str, Any]:
    """Imports the HubSpot contacts a search matches, or a list's members, with their ids."""
    started = utcnow()
    hubspot = _integrations(context).hubspot
    expected = parameters.max_contacts
    if parameters.list_id is not None:
        found = await _contact_list(hubspot, parameters.list_id)
        if found.size is not None:
            expected = max(1, min(found.size, parameters.max_contacts))
        records = hubspot_list_contacts(hubspot, found.list_id, limit=parameters.max_contacts)
        summary = ImportSummary(
            source="hubspot", file_name=f"hubspot list {found.list_id} ({found.name})"
        )
    else:
        search = parameters.search or SearchRequest()
        records = hubspot_contacts(hubspot, search, limit=parameters.max_contacts)
        summary = ImportSummary(source="hubspot", file_name="hubspot search")

    async def report(rows: int) -> None:
        await context.progress(min(rows / expected, 1.0), f"{rows:,} contacts read")

    summary = await merge_records(context.queue.engine, context.owner_id, records, summary, report)
    return await _chained(context, parameters, summary, started)


async def _contact_list(hubspot: HubSpotClient, list_id: str) -> HubSpotList:
    """The list to import, or a permanent failure: no retry can make a wrong id right."""
    try:
        found = await hubspot.lists.get_list(list_id)
    except HubSpotListNotFound:
        raise PermanentJobError(
            f"HubSpot has no list {list_id}. Find the list's id in HubSpot under Contacts → "
            "Lists: open the list and copy the number in its URL (…/objectLists/<id>/…)."
        ) from None
    if not found.holds_contacts:
        raise PermanentJobError(
            f"HubSpot list {list_id} ({found.name}) holds records of object type "
            f"{found.object_type_id}, not contacts (0-1); pick a contact list."
        )
    return found


async def _chained(
    context: JobContext, parameters: ChainedImport, summary: ImportSummary, started: datetime
) -> dict[str, Any]:
    """The summary, after queueing the chain (if asked) for what the import stored."""
    result = summary.model_dump(by_alias=True)
    result["nextJobId"] = await chain_after_import(context, parameters.chain, started)
    return result
