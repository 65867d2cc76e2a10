"""`ApolloClient`: Apollo's people and organization APIs as typed calls, and the
Discovery/Enrichment capabilities.

Parameters go as a JSON body (Apollo documents them as query parameters; both are accepted).
Bulk calls are split at Apollo's 10 records; searches and matches are reads, safe to retry.
"""

from __future__ import annotations

from typing import Any

from salesauto.integrations.apollo import mapping
from salesauto.integrations.apollo.schemas import (
    BulkMatchResult,
    MatchedPerson,
    Organization,
    OrganizationPage,
    OrganizationQuery,
    PeoplePage,
    PeopleQuery,
    PersonDetails,
)
from salesauto.integrations.http.client import ProviderHttp
from salesauto.integrations.models import (
    CompanyProfile,
    IcpCriteria,
    PersonLookup,
    PersonProfile,
)
from salesauto.kit.batching import chunked

BULK_LIMIT = 10
PER_PAGE = 100
# Apollo shows at most 500 pages (50,000 records) of any search.
MAX_PAGES = 500


class ApolloClient:
    """Apollo people search and enrichment, organization search and enrichment."""

    name = "apollo"

    def __init__(self, http: ProviderHttp) -> None:
        self.http = http

    async def _post(self, path: str, body: dict[str, Any], *, group: str = "default") -> Any:
        response = await self.http.request("POST", path, json=body, group=group, idempotent=True)
        return response.json()

    async def check(self) -> str:
        """One free call (a one-row people search) summarised in a line."""
        page = await self.search_people(PeopleQuery(per_page=1))
        return f"ok, {page.total_entries:,} people searchable"

    # --- typed endpoints -----------------------------------------------------------------------

    async def search_people(self, query: PeopleQuery) -> PeoplePage:
        """One page of `mixed_people/api_search` (0 credits; no emails or phones)."""
        body = await self._post(
            "/mixed_people/api_search",
            query.model_dump(exclude_none=True, exclude_defaults=True)
            | {"page": query.page, "per_page": query.per_page},
        )
        return PeoplePage.model_validate(body)

    async def search_organizations(self, query: OrganizationQuery) -> OrganizationPage:
        """One page of `mixed_companies/search`."""
        body = await self._post(
            "/mixed_companies/search",
            query.model_dump(exclude_none=True, exclude_defaults=True)
            | {"page": query.page, "per_page": query.per_page},
        )
        return OrganizationPage.model_validate(body)

    async def match_person(
        self, details: PersonDetails, *, reveal_personal_emails: bool = False
    ) -> MatchedPerson | None:
        """`people/match`: one person with work email (None when Apollo finds nobody or the
        input is too thin, e.g. a bare name)."""
        body = await self._post(
            "/people/match",
            details.model_dump(exclude_none=True)
            | {"reveal_personal_emails": reveal_personal_emails},
        )
        person = body.get("person")
        return MatchedPerson.model_validate(person) if person else None

    async def bulk_match_people(
        self, details: list[PersonDetails], *, reveal_personal_emails: bool = False
    ) -> list[MatchedPerson | None]:
        """`people/bulk_match` in calls of 10; one result per input, in order."""
        results: list[MatchedPerson | None] = []
        for chunk in chunked(details, BULK_LIMIT):
            body = await self._post(
                "/people/bulk_match",
                {
                    "details": [d.model_dump(exclude_none=True) for d in chunk],
                    "reveal_personal_emails": reveal_personal_emails,
                },
                group="people_bulk_match",
            )
            result = BulkMatchResult.model_validate(body)
            matches = list(result.matches)
            # Matches come back in input order; pad defensively so positions stay aligned.
            results += (matches + [None] * len(chunk))[: len(chunk)]
        return results

    async def enrich_organization(self, domain: str) -> Organization | None:
        """`organizations/enrich` by domain (None when Apollo does not know it)."""
        response = await self.http.request(
            "GET", "/organizations/enrich", params={"domain": mapping.normalise_domain(domain)}
        )
        organization = response.json().get("organization")
        return Organization.model_validate(organization) if organization else None

    async def bulk_enrich_organizations(self, domains: list[str]) -> dict[str, Organization]:
        """`organizations/bulk_enrich` in calls of 10; found organizations by domain."""
        unique = list(dict.fromkeys(mapping.normalise_domain(d) for d in domains))
        found: dict[str, Organization] = {}
        for chunk in chunked(unique, BULK_LIMIT):
            body = await self._post(
                "/organizations/bulk_enrich",
                {"domains": list(chunk)},
                group="organizations_bulk_enrich",
            )
            for row in body.get("organizations") or []:
                organization = Organization.model_validate(row)
                if organization.primary_domain:
                    found[mapping.normalise_domain(organization.primary_domain)] = organization
        return found

    # --- capabilities --------------------------------------------------------------------------

    async def find_companies(self, icp: IcpCriteria, *, limit: int) -> list[CompanyProfile]:
        """Companies matching the ICP via organization search, paged until `limit`."""
        query = mapping.organization_query(icp)
        found: list[CompanyProfile] = []
        for page in range(1, MAX_PAGES + 1):
            result = await self.search_organizations(
                query.model_copy(update={"page": page, "per_page": PER_PAGE})
            )
            for organization in result.organizations:
                profile = mapping.company_profile(organization)
                if mapping.matches_icp(profile, icp):
                    found.append(profile)
            if len(found) >= limit or page >= result.pagination.total_pages:
                break
        return found[:limit]

    async def find_people(
        self, icp: IcpCriteria, *, company_domains: list[str], limit: int
    ) -> list[PersonProfile]:
        """People matching the ICP's titles and seniorities, searched one company domain at a
        time (search rows do not say which domain a person works at). Search reveals no emails
        and only an obfuscated last name: `match_person(PersonDetails(id=…))` reveals them."""
        seniority = icp.seniorities[0] if len(icp.seniorities) == 1 else None
        base = PeopleQuery(person_titles=icp.titles, person_seniorities=icp.seniorities)
        targets: list[str | None] = list(
            dict.fromkeys(mapping.normalise_domain(d) for d in company_domains)
        ) or [None]
        if not company_domains:
            base = PeopleQuery(
                **mapping.organization_query(icp).model_dump(exclude={"page", "per_page"}),
                person_titles=icp.titles,
                person_seniorities=icp.seniorities,
            )
        people: list[PersonProfile] = []
        for domain in targets:
            query = base.model_copy(
                update={"q_organization_domains_list": [domain]} if domain else {}
            )
            for page in range(1, MAX_PAGES + 1):
                result = await self.search_people(
                    query.model_copy(update={"page": page, "per_page": PER_PAGE})
                )
                people += [mapping.person_from_search(r, domain, seniority) for r in result.people]
                last_page = page * PER_PAGE >= result.total_entries
                if len(people) >= limit or last_page or not result.people:
                    break
            if len(people) >= limit:
                break
        return people[:limit]

    async def enrich_companies(self, domains: list[str]) -> dict[str, CompanyProfile | None]:
        """Organization profiles by domain (bulk calls of 10; one GET for a single domain)."""
        normalised = {domain: mapping.normalise_domain(domain) for domain in domains}
        unique = list(dict.fromkeys(normalised.values()))
        if len(unique) == 1:
            single = await self.enrich_organization(unique[0])
            organizations = {unique[0]: single} if single else {}
        else:
            organizations = await self.bulk_enrich_organizations(unique)
        return {
            original: mapping.company_profile(organizations[domain], domain)
            if domain in organizations
            else None
            for original, domain in normalised.items()
        }

    async def enrich_people(self, people: list[PersonLookup]) -> list[PersonProfile | None]:
        """Work email, title and company per person, in input order (None: no match)."""
        details = [mapping.details_of(lookup) for lookup in people]
        if len(details) == 1:
            matches: list[MatchedPerson | None] = [await self.match_person(details[0])]
        else:
            matches = await self.bulk_match_people(details)
        return [mapping.person_from_match(m) if m else None for m in matches]
