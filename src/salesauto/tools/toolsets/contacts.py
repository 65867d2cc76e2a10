"""contacts: our leads and their companies — search, read, upsert, suppress, erase."""

from __future__ import annotations

from collections.abc import AsyncIterator

from pydantic import Field

from salesauto.contacts.merge import CONTACT_FIELDS, ContactFacts
from salesauto.contacts.schemas import CompanyView, ContactView
from salesauto.contacts.service import CompanyService, ContactService
from salesauto.imports.schemas import ImportSummary
from salesauto.imports.sources import facts_from, merge_records
from salesauto.kit.errors import InvalidInput
from salesauto.suppressions.schemas import SuppressionAdded, SuppressionCreate
from salesauto.suppressions.service import SuppressionService
from salesauto.tools.registry import tool
from salesauto.tools.spec import (
    DELETE,
    OVERWRITE,
    READ,
    WRITE,
    PageInput,
    Preview,
    ToolContext,
    ToolInput,
    ToolOutput,
)

UPSERT_SOURCE = "tools"


class ContactSearch(PageInput):
    q: str | None = Field(None, max_length=200, description="Part of an email, name or company.")
    stage: str | None = Field(None, description="imported, enriched, synced, enrolled or replied.")
    source: str | None = Field(None, max_length=50, description="e.g. csv, discovery, hubspot.")
    company_domain: str | None = Field(None, max_length=253, description="e.g. acme.com")


class ContactPage(ToolOutput):
    contacts: list[ContactView]
    next_cursor: str | None = Field(None, description="Pass back as `cursor` for more.")


@tool(toolset="contacts", scope="contacts:read", flags=READ)
async def contacts_search(ctx: ToolContext, args: ContactSearch) -> ContactPage:
    """Search our stored leads by text (email, name, company), stage, source or company
    domain; ordered by email, a page at a time. Use it to find contacts before enriching,
    syncing or enrolling them. Free."""
    items, next_cursor = await ContactService(ctx.platform.engine).page(
        ctx.workspace,
        stage=args.stage,
        source=args.source,
        company_domain=args.company_domain,
        q=args.q,
        cursor=args.cursor,
        limit=args.limit,
    )
    return ContactPage(contacts=items, next_cursor=next_cursor)


class ContactRef(ToolInput):
    email: str = Field(..., min_length=3, max_length=320)


class ContactRecord(ToolOutput):
    contact: ContactView


@tool(toolset="contacts", scope="contacts:read", flags=READ)
async def contacts_get(ctx: ToolContext, args: ContactRef) -> ContactRecord:
    """One contact with every field, where each value came from (provenance), its ICP score
    with reasons, and its HubSpot and lemlist ids. Free."""
    return ContactRecord(
        contact=await ContactService(ctx.platform.engine).get(ctx.workspace, args.email)
    )


class CompanyRef(ToolInput):
    domain: str = Field(..., min_length=3, max_length=253, description="e.g. acme.com")


class CompanyAccount(ToolOutput):
    company: CompanyView
    contacts: list[ContactView] = Field(description="Its first 50 contacts, by email.")
    next_cursor: str | None = Field(
        None, description="More: contacts_search with this company_domain and this cursor."
    )


@tool(toolset="contacts", scope="contacts:read", flags=READ)
async def contacts_get_company(ctx: ToolContext, args: CompanyRef) -> CompanyAccount:
    """A company (by domain) with its data, HubSpot id and its first 50 contacts: the account
    view before writing to several people there. Free."""
    company = await CompanyService(ctx.platform.engine).get(ctx.workspace, args.domain)
    people, next_cursor = await ContactService(ctx.platform.engine).page(
        ctx.workspace, company_domain=company.domain, limit=50
    )
    return CompanyAccount(company=company, contacts=people, next_cursor=next_cursor)


class ContactUpsert(ToolInput):
    email: str = Field(..., min_length=3, max_length=320)
    fields: dict[str, str] = Field(
        default_factory=dict,
        description=f"Any of: {', '.join(CONTACT_FIELDS)}. Empty values never clear a field.",
    )
    data: dict[str, str] = Field(
        default_factory=dict, max_length=50, description="Other facts, kept under `data`."
    )


class UpsertResult(ToolOutput):
    email: str
    outcome: str = Field(description="created, updated, unchanged, or erased (not stored)")
    contact: ContactView | None = None


@tool(toolset="contacts", scope="contacts:write", flags=OVERWRITE)
async def contacts_upsert(ctx: ToolContext, args: ContactUpsert) -> UpsertResult:
    """Create a contact or update it by email, with the same merge rules as an import (a
    non-empty value replaces the stored one; the stage only moves forward). An address erased
    on request is never stored again. Free."""
    unknown = sorted(set(args.fields) - set(CONTACT_FIELDS))
    if unknown:
        raise InvalidInput(
            f"unknown contact fields {', '.join(unknown)}; use {', '.join(CONTACT_FIELDS)} "
            "or put other facts under `data`",
            field="fields",
        )
    facts = facts_from(args.email, dict(args.fields), dict(args.data))
    if isinstance(facts, str):
        raise InvalidInput(f"{args.email!r} cannot be a contact: {facts}", field="email")

    async def one() -> AsyncIterator[tuple[str, ContactFacts | str]]:
        yield args.email, facts

    summary = await merge_records(
        ctx.platform.engine, ctx.workspace, one(), ImportSummary(source=UPSERT_SOURCE), None
    )
    # One record in: exactly one of these counts is 1.
    outcome = next(
        (name for name in ("created", "updated", "erased") if getattr(summary, name)), "unchanged"
    )
    contact = None
    if outcome != "erased":
        contact = await ContactService(ctx.platform.engine).get(ctx.workspace, facts.email)
    return UpsertResult(email=facts.email, outcome=outcome, contact=contact)


class SuppressRequest(ToolInput):
    values: list[str] = Field(
        ..., min_length=1, max_length=1000, description="Emails, or whole domains (acme.com)."
    )
    reason: str = Field("requested", min_length=1, max_length=200)


class SuppressResult(ToolOutput):
    result: SuppressionAdded


@tool(toolset="contacts", scope="contacts:write", flags=WRITE)
async def contacts_suppress(ctx: ToolContext, args: SuppressRequest) -> SuppressResult:
    """Put emails or whole domains on the do-not-contact list: their running campaign
    enrollments stop at once and lemlist's unsubscribe list gets them. Invalid values come
    back under `rejected`. Use it when someone asks not to be contacted. Free."""
    service = SuppressionService(ctx.platform.engine, ctx.platform.notifier)
    entries = [SuppressionCreate(value=value, reason=args.reason) for value in args.values]
    return SuppressResult(result=await service.add(ctx.workspace, entries))


class Erased(ToolOutput):
    email: str
    job_id: str = Field(description="The job erasing the person at HubSpot and lemlist.")


async def _erase_preview(ctx: ToolContext, args: ContactRef) -> Preview:
    contact = await ContactService(ctx.platform.engine).get(ctx.workspace, args.email)
    return Preview(
        summary=f"erase {contact.email} here (with its enrollments and cached profiles), keep "
        "the address suppressed, and ask HubSpot and lemlist to delete it",
        details={"contact": contact.model_dump(mode="json", by_alias=False)},
    )


@tool(toolset="contacts", scope="contacts:write", flags=DELETE, preview=_erase_preview)
async def contacts_delete(ctx: ToolContext, args: ContactRef) -> Erased:
    """GDPR erasure of one contact: deleted here with its campaign enrollments, its address
    kept on the suppression list so nothing brings it back, and deleted at HubSpot and
    lemlist by a job. Irreversible: the first call is a dry run returning a confirm_token."""
    job_id = await ContactService(ctx.platform.engine).erase(
        ctx.workspace, args.email, queue=ctx.platform.queue
    )
    return Erased(email=args.email, job_id=str(job_id))
