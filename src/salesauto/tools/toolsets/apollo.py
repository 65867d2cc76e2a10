"""apollo: Apollo's people and company database, its enrichment, and its sequences, through
`ApolloClient`. People search is free; company search and enrichment spend credits and adding
contacts to a sequence sends email, so those run as a dry run first."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from pydantic import Field

from salesauto.imports.cells import normalise_email
from salesauto.integrations.apollo import ApolloClient
from salesauto.integrations.apollo.schemas import (
    OrganizationQuery,
    PeopleQuery,
    PersonDetails,
)
from salesauto.suppressions.service import SuppressionService
from salesauto.tools.registry import tool
from salesauto.tools.spec import Preview, ToolContext, ToolFlags, ToolInput, ToolOutput
from salesauto.tools.toolsets.provider_calls import call_provider

APOLLO_READ = ToolFlags(read_only=True, idempotent=True, open_world=True)
APOLLO_SPEND = ToolFlags(read_only=True, idempotent=True, open_world=True, spends_credits=True)
APOLLO_SEND = ToolFlags(open_world=True, sends_outreach=True)


def _apollo(ctx: ToolContext) -> ApolloClient:
    return ctx.platform.integrations.apollo


async def _post(ctx: ToolContext, path: str, body: dict[str, Any]) -> Any:
    # Searches, and creates Apollo deduplicates (`run_dedupe`): all safe to repeat.
    return await call_provider(ctx, "apollo", "POST", path, json=body, idempotent=True)


class Paged(ToolInput):
    page: int = Field(1, ge=1, le=500)
    per_page: int = Field(25, ge=1, le=100)


class CompanyFacets(Paged):
    organization_domains: list[str] = Field(default_factory=list, max_length=1000)
    organization_locations: list[str] = Field(default_factory=list, description="e.g. Germany")
    organization_num_employees_ranges: list[str] = Field(
        default_factory=list, description='Inclusive ranges like "51,200".'
    )
    organization_keyword_tags: list[str] = Field(default_factory=list, description="Industries.")


class PeopleSearch(CompanyFacets):
    person_titles: list[str] = Field(default_factory=list, description="e.g. Head of Sales")
    person_seniorities: list[str] = Field(
        default_factory=list, description="owner, founder, c_suite, vp, head, director, manager…"
    )
    person_locations: list[str] = Field(default_factory=list)
    keywords: str | None = Field(None, max_length=200)


class PeopleResults(ToolOutput):
    total: int
    people: list[dict[str, Any]] = Field(
        description="Apollo id, first name, title, company; no email (enrich for it)."
    )


@tool(toolset="apollo", scope="integrations:read", flags=APOLLO_READ)
async def apollo_search_people(ctx: ToolContext, args: PeopleSearch) -> PeopleResults:
    """Search Apollo's people database by title, seniority, location and company facets
    (domains, size, industry). Rows carry an Apollo id but no email or full last name:
    reveal those with apollo_enrich_people (credits). Costs 0 credits."""
    query = PeopleQuery(
        person_titles=args.person_titles,
        person_seniorities=args.person_seniorities,
        person_locations=args.person_locations,
        q_keywords=args.keywords,
        q_organization_domains_list=args.organization_domains,
        organization_locations=args.organization_locations,
        organization_num_employees_ranges=args.organization_num_employees_ranges,
        q_organization_keyword_tags=args.organization_keyword_tags,
        page=args.page,
        per_page=args.per_page,
    )
    page = await _apollo(ctx).search_people(query)
    return PeopleResults(
        total=page.total_entries,
        people=[person.model_dump(mode="json", exclude_none=True) for person in page.people],
    )


class CompanySearch(CompanyFacets):
    company_name: str | None = Field(None, max_length=200, description="Part of the company name.")


class CompanyResults(ToolOutput):
    total: int
    total_pages: int
    companies: list[dict[str, Any]]


def _organization_query(args: CompanySearch) -> OrganizationQuery:
    return OrganizationQuery(
        q_organization_name=args.company_name,
        q_organization_domains_list=args.organization_domains,
        organization_locations=args.organization_locations,
        organization_num_employees_ranges=args.organization_num_employees_ranges,
        q_organization_keyword_tags=args.organization_keyword_tags,
        page=args.page,
        per_page=args.per_page,
    )


async def _company_search_preview(ctx: ToolContext, args: CompanySearch) -> Preview:
    return Preview(
        summary=f"search Apollo organizations, page {args.page} ({args.per_page} per page): "
        "1 Apollo credit"
    )


@tool(
    toolset="apollo",
    scope="integrations:read",
    flags=APOLLO_SPEND,
    preview=_company_search_preview,
)
async def apollo_search_companies(ctx: ToolContext, args: CompanySearch) -> CompanyResults:
    """Search Apollo's company database by name, domains, location, headcount range and
    industry tags; rows have domain, size, industry, funding and technologies. Costs 1
    credit per page: the first call is a dry run returning a confirm_token."""
    page = await _apollo(ctx).search_organizations(_organization_query(args))
    return CompanyResults(
        total=page.pagination.total_entries,
        total_pages=page.pagination.total_pages,
        companies=[o.model_dump(mode="json", exclude_none=True) for o in page.organizations],
    )


class PeopleEnrich(ToolInput):
    people: list[PersonDetails] = Field(
        ...,
        min_length=1,
        max_length=10,
        description="Each: an Apollo id, an email, a LinkedIn URL, or a name with a domain.",
    )
    reveal_personal_emails: bool = Field(False, description="Costs extra credits.")


class PeopleEnriched(ToolOutput):
    people: list[dict[str, Any] | None] = Field(description="Per input, in order; None: no match.")


async def _people_enrich_preview(ctx: ToolContext, args: PeopleEnrich) -> Preview:
    extra = " plus personal-email credits" if args.reveal_personal_emails else ""
    return Preview(
        summary=f"enrich {len(args.people)} person(s) at Apollo: up to "
        f"{len(args.people)} credit(s){extra}"
    )


@tool(
    toolset="apollo",
    scope="integrations:read",
    flags=APOLLO_SPEND,
    preview=_people_enrich_preview,
)
async def apollo_enrich_people(ctx: ToolContext, args: PeopleEnrich) -> PeopleEnriched:
    """Match up to 10 people at Apollo and reveal their work email, title, seniority,
    employment history and company (ids from apollo_search_people work best). About one
    credit per person matched; the first call is a dry run returning a confirm_token."""
    client = _apollo(ctx)
    if len(args.people) == 1:
        matches = [
            await client.match_person(
                args.people[0], reveal_personal_emails=args.reveal_personal_emails
            )
        ]
    else:
        matches = await client.bulk_match_people(
            args.people, reveal_personal_emails=args.reveal_personal_emails
        )
    return PeopleEnriched(
        people=[m.model_dump(mode="json", exclude_none=True) if m else None for m in matches]
    )


class CompanyEnrich(ToolInput):
    domains: list[str] = Field(..., min_length=1, max_length=10, description="e.g. acme.com")


class CompaniesEnriched(ToolOutput):
    companies: dict[str, dict[str, Any]] = Field(description="By domain.")
    not_found: list[str]


async def _company_enrich_preview(ctx: ToolContext, args: CompanyEnrich) -> Preview:
    return Preview(
        summary=f"enrich {len(set(args.domains))} organization(s) at Apollo: up to "
        f"{len(set(args.domains))} credit(s)"
    )


@tool(
    toolset="apollo",
    scope="integrations:read",
    flags=APOLLO_SPEND,
    preview=_company_enrich_preview,
)
async def apollo_enrich_companies(ctx: ToolContext, args: CompanyEnrich) -> CompaniesEnriched:
    """Company profiles for up to 10 domains from Apollo: industry, headcount, revenue,
    funding, technologies, location, description, and the Apollo organization id that
    apollo_get_company_jobs takes. About one credit per domain; dry run first."""
    profiles = await _apollo(ctx).enrich_companies(args.domains)
    return CompaniesEnriched(
        companies={
            domain: profile.model_dump(mode="json", exclude_none=True)
            for domain, profile in profiles.items()
            if profile is not None
        },
        not_found=[domain for domain, profile in profiles.items() if profile is None],
    )


class CompanyJobs(ToolInput):
    organization_id: str = Field(
        ..., pattern=r"^[A-Za-z0-9]{1,64}$", description="From apollo_enrich_companies."
    )


class Jobs(ToolOutput):
    jobs: list[dict[str, Any]] = Field(description="Title, location, URL, posted_at.")


@tool(toolset="apollo", scope="integrations:read", flags=APOLLO_READ)
async def apollo_get_company_jobs(ctx: ToolContext, args: CompanyJobs) -> Jobs:
    """A company's open job postings from Apollo: a hiring signal (e.g. sales roles mean a
    growing sales team) to prioritise an account or open a message. Free."""
    body = await call_provider(
        ctx, "apollo", "GET", f"/organizations/{quote(args.organization_id)}/job_postings"
    )
    return Jobs(jobs=list(body.get("organization_job_postings") or []))


class ContactSearch(Paged):
    keywords: str | None = Field(None, max_length=200, description="Name, email, company…")


class ApolloContacts(ToolOutput):
    total: int
    contacts: list[dict[str, Any]]


@tool(toolset="apollo", scope="integrations:read", flags=APOLLO_READ)
async def apollo_search_contacts(ctx: ToolContext, args: ContactSearch) -> ApolloContacts:
    """Contacts already saved in the Apollo workspace (not the people database), by
    keywords: check before adding someone to a sequence twice. Free."""
    body = await _post(
        ctx,
        "/contacts/search",
        {"q_keywords": args.keywords, "page": args.page, "per_page": args.per_page},
    )
    return ApolloContacts(
        total=int((body.get("pagination") or {}).get("total_entries") or 0),
        contacts=list(body.get("contacts") or []),
    )


class SequenceSearch(Paged):
    sequence_name: str | None = Field(None, max_length=200)


class Sequences(ToolOutput):
    sequences: list[dict[str, Any]] = Field(description="id, name, active, num_steps.")
    email_accounts: list[dict[str, Any]] = Field(
        description="Mailboxes a sequence can send from (id, email, active)."
    )


@tool(toolset="apollo", scope="integrations:read", flags=APOLLO_READ)
async def apollo_list_sequences(ctx: ToolContext, args: SequenceSearch) -> Sequences:
    """Apollo sequences (id, name, active or not, steps) and the mailboxes they can send
    from: the two ids apollo_add_to_sequence needs. Free."""
    body = await _post(
        ctx,
        "/emailer_campaigns/search",
        {"q_name": args.sequence_name, "page": args.page, "per_page": args.per_page},
    )
    accounts = await call_provider(ctx, "apollo", "GET", "/email_accounts")
    keys = ("id", "name", "active", "archived", "num_steps", "created_at")
    return Sequences(
        sequences=[{k: s.get(k) for k in keys} for s in body.get("emailer_campaigns") or []],
        email_accounts=[
            {k: a.get(k) for k in ("id", "email", "active", "default")}
            for a in accounts.get("email_accounts") or []
        ],
    )


class SequencePerson(ToolInput):
    email: str = Field(..., min_length=3, max_length=320)
    first_name: str | None = None
    last_name: str | None = None
    organization_name: str | None = None
    title: str | None = None


class SequenceAdd(ToolInput):
    sequence_id: str = Field(..., min_length=1, max_length=64, description="apollo_list_sequences")
    email_account_id: str = Field(..., min_length=1, max_length=64, description="The sender.")
    people: list[SequencePerson] = Field(..., min_length=1, max_length=100)


class SequenceAdded(ToolOutput):
    contact_ids: list[str]
    suppressed: list[dict[str, str]] = Field(default_factory=list)


async def _allowed(
    ctx: ToolContext, people: list[SequencePerson]
) -> tuple[list[SequencePerson], list[dict[str, str]]]:
    blocked = await SuppressionService(ctx.platform.engine).check(
        ctx.workspace, [p.email for p in people]
    )
    kept, dropped = [], []
    for person in people:
        reason = blocked.get(normalise_email(person.email) or person.email)
        if reason is None:
            kept.append(person)
        else:
            dropped.append({"email": person.email, "reason": f"suppressed: {reason}"})
    return kept, dropped


async def _sequence_preview(ctx: ToolContext, args: SequenceAdd) -> Preview:
    kept, dropped = await _allowed(ctx, args.people)
    return Preview(
        summary=f"save {len(kept)} contact(s) in Apollo and add them to sequence "
        f"{args.sequence_id}; an active sequence emails them on its schedule",
        details={"suppressed": dropped},
    )


@tool(toolset="apollo", scope="campaigns:write", flags=APOLLO_SEND, preview=_sequence_preview)
async def apollo_add_to_sequence(ctx: ToolContext, args: SequenceAdd) -> SequenceAdded:
    """Save people as Apollo contacts (deduplicated by email) and add them to an Apollo
    sequence sending from one mailbox (ids from apollo_list_sequences). Addresses on our
    suppression list are left out. It sends email: the first call is a dry run returning a
    confirm_token. Costs no credits."""
    kept, dropped = await _allowed(ctx, args.people)
    contact_ids: list[str] = []
    for person in kept:
        body = await _post(
            ctx, "/contacts", person.model_dump(exclude_none=True) | {"run_dedupe": True}
        )
        contact_ids.append(str(body["contact"]["id"]))
    if contact_ids:
        await _post(
            ctx,
            f"/emailer_campaigns/{quote(args.sequence_id)}/add_contact_ids",
            {
                "emailer_campaign_id": args.sequence_id,
                "contact_ids": contact_ids,
                "send_email_from_email_account_id": args.email_account_id,
            },
        )
    return SequenceAdded(contact_ids=contact_ids, suppressed=dropped)
