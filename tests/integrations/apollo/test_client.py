"""ApolloClient against the Apollo emulator over real HTTP: search, enrichment, batch limits."""

from __future__ import annotations

import httpx
import pytest

from salesauto.integrations.apollo import ApolloClient
from salesauto.integrations.apollo.schemas import PeopleQuery, PersonDetails
from salesauto.integrations.capabilities import DiscoveryProvider, EnrichmentProvider
from salesauto.integrations.http import ProviderRejected
from salesauto.integrations.models import IcpCriteria, PersonLookup
from salesauto.integrations.providers import SANDBOX_KEY
from salesauto.integrations.sandbox.apollo import build_apollo_emulator
from salesauto.integrations.sandbox.kit import SandboxConfig
from salesauto.integrations.sandbox.universe import Universe
from tests.integrations.apollo.conftest import apollo_client
from tests.support.emulators import calls
from tests.support.servers import serve_app


def test_client_implements_the_capabilities(client: ApolloClient) -> None:
    assert isinstance(client, DiscoveryProvider)
    assert isinstance(client, EnrichmentProvider)


async def test_find_companies_returns_only_companies_matching_every_filter(
    client: ApolloClient, world: Universe
) -> None:
    icp = IcpCriteria(
        countries=["us"],
        employee_ranges=["51-200", "201-500"],
        industries=["software development"],
        technologies=["Salesforce"],
        revenue_ranges=["10M-25M", "25M-75M"],
    )
    expected = [
        c.domain
        for c in world.companies
        if c.country_code == "us"
        and c.employee_range in ("51-200", "201-500")
        and c.industry == "software development"
        and "Salesforce" in c.technologies
        and c.revenue_range in ("10M-25M", "25M-75M")
    ]
    assert 5 < len(expected) < 100

    found = await client.find_companies(icp, limit=500)

    assert [c.domain for c in found] == expected
    for profile in found:
        company = world.by_domain[profile.domain]
        assert profile.provider_id == company.apollo_id
        assert profile.employees == company.employees
        assert profile.employee_range == company.employee_range
        assert profile.revenue_range == company.revenue_range
        assert profile.country_code == "us"


async def test_find_companies_pages_to_the_end(
    client: ApolloClient, emulator_url: str, world: Universe
) -> None:
    icp = IcpCriteria(countries=["us"], employee_ranges=["201-500"])
    expected = {
        c.domain
        for c in world.companies
        if c.country_code == "us" and c.employee_range == "201-500"
    }

    found = await client.find_companies(icp, limit=1000)

    domains = [c.domain for c in found]
    assert len(domains) == len(set(domains)) == len(expected) == 249
    assert set(domains) == expected
    assert await calls(emulator_url, "mixed_companies/search") == [100, 100, 49]


async def test_enrich_companies_splits_into_bulk_calls_of_10_and_returns_the_universe_data(
    client: ApolloClient, emulator_url: str, world: Universe
) -> None:
    companies = [c for c in world.companies if c.funding][:119]
    domains = [c.domain for c in companies] + ["no-such-company.invalid"]

    profiles = await client.enrich_companies(domains)

    assert await calls(emulator_url, "organizations/bulk_enrich") == [10] * 12
    assert profiles["no-such-company.invalid"] is None
    for company in companies:
        profile = profiles[company.domain]
        assert profile is not None
        assert profile.name == company.name
        assert profile.revenue_range == company.revenue_range
        assert profile.annual_revenue_usd == company.annual_revenue_usd
        assert profile.technologies == list(company.technologies)
        assert profile.funding_total_usd == company.funding_total_usd
        assert [(r.type, r.announced_on) for r in profile.funding_rounds] == [
            (f.stage, f.day) for f in company.funding
        ]


async def test_enrich_one_company_uses_the_single_endpoint(
    client: ApolloClient, emulator_url: str, world: Universe
) -> None:
    company = world.companies[7]
    profiles = await client.enrich_companies([f"https://{company.domain}"])
    assert profiles[f"https://{company.domain}"] is not None
    assert await calls(emulator_url, "organizations/enrich") == [1]
    assert await client.enrich_organization("unknown.invalid") is None


async def test_enrich_people_returns_the_universe_email_and_none_for_unknown(
    client: ApolloClient, emulator_url: str, world: Universe
) -> None:
    known = next(p for p in world.people if p.email_status == "verified")
    by_name = world.companies[3].people[2]
    lookups = [
        PersonLookup(email=known.email),
        PersonLookup(email="nobody@nowhere.invalid"),
        PersonLookup(
            first_name=by_name.first_name,
            last_name=by_name.last_name,
            company_domain=by_name.company.domain,
        ),
        PersonLookup(first_name=by_name.first_name, last_name=by_name.last_name),
    ]

    profiles = await client.enrich_people(lookups)

    first, unknown, third, bare_name = profiles
    assert first is not None
    assert first.email == known.email
    assert first.email_status == "verified"
    assert first.provider_id == known.apollo_id
    assert first.company_domain == known.company.domain
    assert first.title == known.title
    assert unknown is None
    assert third is not None and third.email == by_name.email
    assert bare_name is None  # too little input: Apollo enriches nothing
    assert await calls(emulator_url, "people/bulk_match") == [4]


async def test_enrich_people_in_bulk_calls_of_10(
    client: ApolloClient, emulator_url: str, world: Universe
) -> None:
    people = world.people[:25]
    profiles = await client.enrich_people([PersonLookup(email=p.email) for p in people])
    assert [p.email if p else None for p in profiles] == [
        p.email if p.email_status != "invalid" else None for p in people
    ]
    assert await calls(emulator_url, "people/bulk_match") == [10, 10, 5]


async def test_match_person_by_id_reveals_a_search_result(
    client: ApolloClient, world: Universe
) -> None:
    company = world.companies[0]
    page = await client.search_people(
        PeopleQuery(q_organization_domains_list=[company.domain], per_page=1)
    )
    row = page.people[0]
    assert page.total_entries == len(company.people)
    matched = await client.match_person(PersonDetails(id=row.id))
    assert matched is not None
    person = world.by_apollo_person[row.id]
    assert matched.email == person.email
    assert matched.employment_history[0].organization_name == company.name
    assert row.last_name_obfuscated == f"{person.last_name[:2]}***{person.last_name[-1]}"
    assert await client.match_person(PersonDetails(first_name="Jane")) is None


async def test_find_people_filters_by_company_and_seniority(
    client: ApolloClient, emulator_url: str, world: Universe
) -> None:
    companies = world.companies[:4]
    icp = IcpCriteria(seniorities=["c_suite"], titles=["Chief"])

    people = await client.find_people(icp, company_domains=[c.domain for c in companies], limit=100)

    expected = [
        p.apollo_id
        for c in companies
        for p in c.people
        if p.seniority == "c_suite" and "chief" in p.title.lower()
    ]
    assert [p.provider_id for p in people] == expected
    for person in people:
        known = world.by_apollo_person[person.provider_id or ""]
        assert person.company_domain == known.company.domain
        assert person.seniority == "c_suite"
        assert person.email is None and person.last_name is None
    assert len(await calls(emulator_url, "mixed_people/api_search")) == 4


async def test_people_search_pages_and_caps(client: ApolloClient, emulator_url: str) -> None:
    page = await client.search_people(PeopleQuery(person_seniorities=["vp"], per_page=100))
    assert len(page.people) == 100
    assert page.total_entries > 1000
    with pytest.raises(ProviderRejected) as caught:
        await client.http.request(
            "POST", "/mixed_people/api_search", json={"page": 501}, idempotent=True
        )
    assert caught.value.status == 422
    async with httpx.AsyncClient(headers={"x-api-key": SANDBOX_KEY}) as http:
        raw = await http.post(f"{emulator_url}/mixed_people/api_search", json={"per_page": 500})
    assert len(raw.json()["people"]) == 100
    assert "email" not in raw.json()["people"][0]


async def test_query_params_and_json_body_give_the_same_search(
    emulator_url: str, world: Universe
) -> None:
    domains = [c.domain for c in world.companies[:3]]
    async with httpx.AsyncClient(base_url=emulator_url, headers={"x-api-key": "k"}) as http:
        by_query = await http.post(
            "/mixed_people/api_search",
            params=[("person_seniorities[]", "entry"), ("per_page", "50")]
            + [("q_organization_domains_list[]", d) for d in domains],
        )
        by_body = await http.post(
            "/mixed_people/api_search",
            json={
                "person_seniorities": ["entry"],
                "per_page": 50,
                "q_organization_domains_list": domains,
            },
        )
    assert by_query.status_code == by_body.status_code == 200
    assert by_query.json() == by_body.json()
    assert by_query.json()["total_entries"] == sum(
        1 for c in world.companies[:3] for p in c.people if p.seniority == "entry"
    )


async def test_more_than_10_details_sent_raw_answer_record_limit_exceeded(
    client: ApolloClient, world: Universe
) -> None:
    details = [{"email": p.email} for p in world.people[:11]]
    with pytest.raises(ProviderRejected) as caught:
        await client.http.request("POST", "/people/bulk_match", json={"details": details})
    assert caught.value.status == 400
    assert isinstance(caught.value.body, dict)
    assert caught.value.body["error_code"] == "RECORD_LIMIT_EXCEEDED"
    assert "cannot enrich more than 10" in str(caught.value)


async def test_same_seed_gives_identical_results() -> None:
    icp = IcpCriteria(countries=["gb"], technologies=["HubSpot"])
    results = []
    for seed in (7, 7, 8):
        async with (
            serve_app(build_apollo_emulator(SandboxConfig(seed=seed))) as url,
            apollo_client(url) as client,
        ):
            found = await client.find_companies(icp, limit=40)
            enriched = await client.enrich_companies([c.domain for c in found[:5]])
            results.append((found, enriched))
    assert results[0] == results[1]
    assert results[0][0] != results[2][0]
