"""`/api/contacts` and `/api/companies`."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import JSONResponse, StreamingResponse

from salesauto.contacts.schemas import CompanyPage, CompanyView, ContactPage, ContactView
from salesauto.contacts.service import CompanyService, ContactService
from salesauto.jobs.endpoints import Owner
from salesauto.security import audit
from salesauto.security.scopes import scoped

router = APIRouter(tags=["contacts"], dependencies=[scoped("contacts")])


def _contacts(request: Request) -> ContactService:
    return ContactService(request.app.state.platform.engine)


def _companies(request: Request) -> CompanyService:
    return CompanyService(request.app.state.platform.engine)


Contacts = Annotated[ContactService, Depends(_contacts)]
Companies = Annotated[CompanyService, Depends(_companies)]
Limit = Annotated[int, Query(ge=1, le=500)]


@router.get("/api/contacts", response_model=ContactPage, response_model_by_alias=True)
async def list_contacts(
    contacts: Contacts,
    owner: Owner,
    stage: str | None = None,
    source: str | None = None,
    company_domain: Annotated[str | None, Query(alias="companyDomain")] = None,
    q: Annotated[str | None, Query(max_length=200, description="Email, name or company")] = None,
    cursor: str | None = None,
    limit: Limit = 100,
) -> ContactPage:
    """Contacts by email; filter by `stage`, `source`, `companyDomain` or search with `q`."""
    items, next_cursor = await contacts.page(
        owner,
        stage=stage,
        source=source,
        company_domain=company_domain,
        q=q,
        cursor=cursor,
        limit=limit,
    )
    return ContactPage(contacts=items, next_cursor=next_cursor)


@router.get(
    "/api/contacts/export.csv",
    response_class=StreamingResponse,
    responses={200: {"content": {"text/csv": {}}, "description": "The contacts as CSV."}},
)
async def export_contacts(
    contacts: Contacts,
    owner: Owner,
    stage: str | None = None,
    source: str | None = None,
    company_domain: Annotated[str | None, Query(alias="companyDomain")] = None,
    q: Annotated[str | None, Query(max_length=200)] = None,
) -> StreamingResponse:
    """The filtered contacts as CSV (formula-like cells neutralised for spreadsheets)."""
    stream = contacts.export_csv(
        owner, stage=stage, source=source, company_domain=company_domain, q=q
    )
    return StreamingResponse(
        stream,
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="contacts.csv"'},
    )


@router.get("/api/contacts/{email}", response_model=ContactView, response_model_by_alias=True)
async def get_contact(email: str, contacts: Contacts, owner: Owner) -> ContactView:
    """One contact with every field and where each came from."""
    return await contacts.get(owner, email)


@router.delete("/api/contacts/{email}", status_code=202)
async def erase_contact(
    email: str, request: Request, contacts: Contacts, owner: Owner
) -> JSONResponse:
    """Erase the contact here, keep the address on the suppression list (reason "erased on
    request") so nothing brings it back, and ask HubSpot and lemlist to delete it too (a job:
    `{success, jobId, status}`). Its company stays."""
    job_id = await contacts.erase(owner, email, queue=request.app.state.platform.queue)
    # The audit names the job, not the address: the log must not keep what was erased.
    await audit.record_request(
        request.app.state.platform.engine, request.scope, "contact.erased", f"job:{job_id}"
    )
    return JSONResponse(
        {"success": True, "jobId": str(job_id), "status": f"/api/jobs/{job_id}"},
        status_code=202,
    )


@router.get("/api/companies", response_model=CompanyPage, response_model_by_alias=True)
async def list_companies(
    companies: Companies,
    owner: Owner,
    q: Annotated[str | None, Query(max_length=200, description="Domain or name")] = None,
    cursor: str | None = None,
    limit: Limit = 100,
) -> CompanyPage:
    """Companies, oldest first, with how many contacts each has."""
    items, next_cursor = await companies.page(owner, q=q, cursor=cursor, limit=limit)
    return CompanyPage(companies=items, next_cursor=next_cursor)


@router.get("/api/companies/{domain}", response_model=CompanyView, response_model_by_alias=True)
async def get_company(domain: str, companies: Companies, owner: Owner) -> CompanyView:
    return await companies.get(owner, domain)
