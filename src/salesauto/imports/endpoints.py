"""`/api/import/csv` (a job) and `/api/import/csv/preview` (what the import would do), and
`/api/import/lemlist` / `/api/import/hubspot` (a provider's contacts, as a job)."""

from __future__ import annotations

import asyncio
import json
import re
from typing import Annotated, Any

from fastapi import APIRouter, File, Form, Request, UploadFile
from fastapi.responses import JSONResponse
from pydantic import Field, ValidationError, field_validator

from salesauto.config import Settings
from salesauto.imports.preview import CsvPreview, preview_csv
from salesauto.imports.service import SAMPLE_BYTES, check_columns
from salesauto.imports.tasks import upload_folder
from salesauto.imports.uploads import store_upload
from salesauto.integrations.hubspot.schemas import SearchRequest
from salesauto.jobs.endpoints import Owner
from salesauto.jobs.schemas import JobSubmit
from salesauto.kit.errors import InvalidInput
from salesauto.kit.schemas import ApiModel
from salesauto.pipeline.steps import Chain
from salesauto.platform import Platform
from salesauto.security.scopes import scoped

router = APIRouter(prefix="/api/import", tags=["import"], dependencies=[scoped("contacts")])


def _parse_mapping(mapping: str | None) -> dict[str, str | None] | None:
    if not mapping:
        return None
    try:
        parsed = json.loads(mapping)
    except json.JSONDecodeError:
        parsed = None
    if not isinstance(parsed, dict) or not all(
        isinstance(k, str) and (v is None or isinstance(v, str)) for k, v in parsed.items()
    ):
        raise InvalidInput(
            'mapping must be a JSON object of column → field, e.g. {"E-mail": "email"}',
            field="mapping",
        )
    return parsed


@router.post("/csv", status_code=202)
async def import_csv_upload(
    request: Request,
    owner: Owner,
    file: Annotated[UploadFile, File(description="The CSV file (any size up to the limit)")],
    mapping: Annotated[
        str | None, Form(description='JSON column → field overrides, e.g. {"Mail": "email"}')
    ] = None,
    source: Annotated[str, Form(max_length=50)] = "csv",
    auto_enrich: Annotated[bool | None, Form(alias="autoEnrich")] = None,
    auto_sync: Annotated[bool | None, Form(alias="autoSync")] = None,
    auto_outreach: Annotated[bool | None, Form(alias="autoOutreach")] = None,
    outreach_campaign_id: Annotated[
        str | None, Form(alias="outreachCampaignId", max_length=100)
    ] = None,
) -> JSONResponse:
    """Store the file and import it as a job: `{success, jobId, status}`; the job's result is
    the summary (rows read, created, updated, duplicates, rejected with reasons). With
    auto-enrich (settings default, or `autoEnrich`) the chain then runs for what it stored."""
    platform: Platform = request.app.state.platform
    overrides_chain = ChainRequest(
        auto_enrich=auto_enrich,
        auto_sync=auto_sync,
        auto_outreach=auto_outreach,
        outreach_campaign_id=outreach_campaign_id,
    )
    chain = overrides_chain.chain(platform.settings)
    max_bytes = platform.settings.import_max_upload_mb * 1024 * 1024
    overrides = _parse_mapping(mapping)
    stored = await store_upload(file, upload_folder(platform.settings), max_bytes=max_bytes)
    try:
        # The header and mapping are checked now, so a file that cannot import is a 422
        # here rather than a failed job later.
        await asyncio.to_thread(check_columns, stored, overrides)
    except InvalidInput:
        await asyncio.to_thread(stored.unlink, True)
        raise
    parameters = {
        "upload": stored.name,
        "file_name": file.filename,
        "source": source,
        "mapping": overrides,
        "chain": chain,
    }
    enqueued = await platform.jobs.submit(
        JobSubmit(type="import.csv", parameters=parameters), owner
    )
    job_id = str(enqueued.job_id)
    return JSONResponse(
        {"success": True, "jobId": job_id, "status": f"/api/jobs/{job_id}"}, status_code=202
    )


@router.post("/csv/preview", response_model=CsvPreview, response_model_by_alias=True)
async def preview_csv_upload(
    file: Annotated[UploadFile, File(description="The CSV file; only its start is read")],
) -> CsvPreview:
    """Detected encoding and delimiter, the proposed column mapping, sample rows and the
    problems an import would hit — before anything is written."""
    sample = await file.read(SAMPLE_BYTES)
    if not sample:
        raise InvalidInput("the uploaded file is empty; send a CSV with a header row")
    return preview_csv(sample)


class ChainRequest(ApiModel):
    """What runs after the import for the contacts it created or changed."""

    auto_enrich: bool | None = Field(None, description="Enrich them (default: settings)")
    auto_sync: bool | None = Field(None, description="Then sync them to HubSpot")
    auto_outreach: bool | None = Field(None, description="Then enroll them in `outreachCampaignId`")
    outreach_campaign_id: str | None = Field(
        None, max_length=100, description="The lemlist campaign to enroll them in"
    )

    def chain(self, settings: Settings) -> dict[str, Any] | None:
        chain = Chain.requested(
            settings,
            enrich=self.auto_enrich,
            sync=self.auto_sync,
            outreach=self.auto_outreach,
            campaign_id=self.outreach_campaign_id,
        )
        return chain.model_dump(mode="json") if chain.next_step("discover") else None


class LemlistImport(ChainRequest):
    campaign_id: str = Field(..., min_length=1, max_length=100, description="e.g. cam_…")
    state: str | None = Field(None, max_length=50, description="Only leads in this state.")


class HubspotImport(ChainRequest):
    filter_groups: list[dict[str, Any]] = Field(
        default_factory=list, description="HubSpot search filter groups; empty = all contacts"
    )
    query: str | None = Field(None, max_length=3000, description="HubSpot free-text search")
    list_id: str | None = Field(
        None,
        description="Import a HubSpot contact list's members instead of a search: the list's "
        "id is the number in its URL (HubSpot → Contacts → Lists, open the list).",
    )
    max_contacts: int = Field(10_000, ge=1, le=10_000)

    @field_validator("list_id", mode="before")
    @classmethod
    def _list_id_digits(cls, value: object) -> object:
        if isinstance(value, int) and not isinstance(value, bool):
            value = str(value)
        if value is None:
            return None
        if not isinstance(value, str) or not re.fullmatch(r"[0-9]{1,20}", value.strip()):
            raise ValueError(
                "listId is the number in the list's URL in HubSpot (Contacts → Lists, open "
                "the list), e.g. 123"
            )
        return value.strip()


async def _queue(
    platform: Platform, owner: str, job_type: str, params: dict[str, Any]
) -> JSONResponse:
    enqueued = await platform.jobs.submit(JobSubmit(type=job_type, parameters=params), owner)
    job_id = str(enqueued.job_id)
    return JSONResponse(
        {"success": True, "jobId": job_id, "status": f"/api/jobs/{job_id}"}, status_code=202
    )


@router.post("/lemlist", status_code=202)
async def import_lemlist(request: Request, owner: Owner, body: LemlistImport) -> JSONResponse:
    """Import a lemlist campaign's leads (same merge rules as CSV) as a job."""
    platform: Platform = request.app.state.platform
    params = {
        "campaign_id": body.campaign_id,
        "state": body.state,
        "chain": body.chain(platform.settings),
    }
    return await _queue(request.app.state.platform, owner, "import.lemlist", params)


@router.post("/hubspot", status_code=202)
async def import_hubspot(request: Request, owner: Owner, body: HubspotImport) -> JSONResponse:
    """Import, as a job, the HubSpot contacts a search matches (`filterGroups`, `query`; none
    = every contact) or the members of a contact list (`listId`), their HubSpot ids kept."""
    if body.list_id is not None:
        if body.filter_groups or body.query:
            raise InvalidInput(
                "give either listId or a search (filterGroups/query), not both: a list import "
                "takes the list's members as they are",
                field="listId",
            )
        params: dict[str, Any] = {
            "list_id": body.list_id,
            "max_contacts": body.max_contacts,
            "chain": body.chain(request.app.state.platform.settings),
        }
        return await _queue(request.app.state.platform, owner, "import.hubspot", params)
    try:
        search = SearchRequest.model_validate(
            {"filterGroups": body.filter_groups, "query": body.query}
        )
    except ValidationError as error:
        raise InvalidInput(f"invalid HubSpot search: {error.errors()[0]['msg']}") from None
    params = {
        "search": search.model_dump(by_alias=True, exclude_none=True),
        "max_contacts": body.max_contacts,
        "chain": body.chain(request.app.state.platform.settings),
    }
    return await _queue(request.app.state.platform, owner, "import.hubspot", params)
