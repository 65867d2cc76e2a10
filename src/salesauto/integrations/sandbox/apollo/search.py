"""Apollo search filters applied to the universe (every parameter given must match)."""

from __future__ import annotations

from collections.abc import Callable

from salesauto.integrations.sandbox.apollo.render import EMAIL_STATUS, technology_uid
from salesauto.integrations.sandbox.apollo.schemas import OrganizationFilters, PeopleSearch
from salesauto.integrations.sandbox.universe import Company, Person, normalise_domain


def _employee_range(spec: str) -> tuple[int, int]:
    """`"51,200"` → (51, 200); an empty bound is open."""
    low, _, high = spec.partition(",")
    return int(low or 0), int(high) if high.strip() else 10**9


def _located(locations: list[str], company: Company) -> bool:
    places = {company.city, company.region, company.country, company.country_code}
    return any(location.split(",")[0].strip().lower() in places for location in locations)


def organization_tests(params: OrganizationFilters) -> list[Callable[[Company], bool]]:
    tests: list[Callable[[Company], bool]] = []
    if params.organization_locations:
        locations = params.organization_locations
        tests.append(lambda c: _located(locations, c))
    if params.organization_num_employees_ranges:
        try:
            ranges = [_employee_range(spec) for spec in params.organization_num_employees_ranges]
        except ValueError:
            ranges = []
        tests.append(lambda c: any(low <= c.employees <= high for low, high in ranges))
    if params.organization_ids:
        ids = set(params.organization_ids)
        tests.append(lambda c: c.apollo_id in ids)
    if params.q_organization_domains_list:
        domains = {normalise_domain(d) for d in params.q_organization_domains_list}
        tests.append(lambda c: c.domain in domains)
    if params.q_organization_keyword_tags:
        tags = {tag.strip().lower() for tag in params.q_organization_keyword_tags}
        tests.append(lambda c: not tags.isdisjoint(c.keywords))
    if params.q_organization_name:
        name = params.q_organization_name.strip().lower()
        tests.append(lambda c: name in c.name.lower())
    if params.revenue_range is not None:
        low = params.revenue_range.min
        high = params.revenue_range.max
        tests.append(
            lambda c: (
                (low is None or c.annual_revenue_usd >= low)
                and (high is None or c.annual_revenue_usd <= high)
            )
        )
    using_any = {uid.lower() for uid in params.currently_using_any_of_technology_uids}
    using_all = {uid.lower() for uid in params.currently_using_all_of_technology_uids}
    not_using = {uid.lower() for uid in params.currently_not_using_any_of_technology_uids}
    if using_any or using_all or not_using:

        def uses(company: Company) -> bool:
            uids = {technology_uid(tool) for tool in company.technologies}
            return (
                (not using_any or not using_any.isdisjoint(uids))
                and using_all <= uids
                and not_using.isdisjoint(uids)
            )

        tests.append(uses)
    return tests


def person_tests(params: PeopleSearch) -> list[Callable[[Person], bool]]:
    tests: list[Callable[[Person], bool]] = []
    if params.person_titles:
        titles = [title.strip().lower() for title in params.person_titles]
        tests.append(lambda p: any(title in p.title.lower() for title in titles))
    if params.person_seniorities:
        seniorities = {s.strip().lower() for s in params.person_seniorities}
        tests.append(lambda p: p.seniority in seniorities)
    if params.person_locations:
        locations = params.person_locations
        tests.append(lambda p: _located(locations, p.company))
    if params.contact_email_status:
        statuses = {s.strip().lower() for s in params.contact_email_status}
        tests.append(lambda p: EMAIL_STATUS[p.email_status] in statuses)
    if params.q_keywords:
        words = params.q_keywords.lower().split()
        tests.append(
            lambda p: all(w in f"{p.full_name} {p.title} {p.company.name}".lower() for w in words)
        )
    if params.q_organization_job_titles:
        org_titles = [t.strip().lower() for t in params.q_organization_job_titles]
        tests.append(
            lambda p: any(
                title in other.title.lower() for other in p.company.people for title in org_titles
            )
        )
    for test in organization_tests(params):
        tests.append(_of_company(test))
    return tests


def _of_company(test: Callable[[Company], bool]) -> Callable[[Person], bool]:
    return lambda person: test(person.company)
