"""ExploriumClient against the Explorium emulator over real HTTP: discovery, enrichment, events."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from salesauto.integrations.capabilities import DiscoveryProvider, EnrichmentProvider
from salesauto.integrations.explorium import ExploriumClient
from salesauto.integrations.explorium.schemas import (
    BusinessFilters,
    BusinessToMatch,
    FilterValues,
    ProspectToMatch,
)
from salesauto.integrations.http import ProviderRejected
from salesauto.integrations.models import IcpCriteria, PersonLookup
from salesauto.integrations.sandbox.explorium import build_explorium_emulator
from salesauto.integrations.sandbox.kit import SandboxConfig
from salesauto.integrations.sandbox.universe import Universe
from tests.integrations.explorium.conftest import explorium_client
from tests.support.emulators import calls
from tests.support.servers import serve_app


def test_client_implements_the_capabilities(client: ExploriumClient) -> None:
    assert isinstance(client, DiscoveryProvider)
    assert isinstance(client, EnrichmentProvider)


async def test_find_companies_returns_only_companies_matching_every_filter(
    client: ExploriumClient, world: Universe
) -> None:
    icp = IcpCriteria(
        countries=["US"],
        employee_ranges=["51-200", "201-500"],
        industries=["Software Development"],
        technologies=["Salesforce"],
    )
    expected = [
        c.domain
        for c in world.companies
        if c.country_code == "us"
        and c.employee_range in ("51-200", "201-500")
        and c.industry == "software development"
        and "Salesforce" in c.technologies
    ]
    assert 5 < len(expected) < 200

    found = await client.find_companies(icp, limit=500)

    assert [c.domain for c in found] == expected
    for profile in found:
        company = world.by_domain[profile.domain]
        assert profile.provider_id == company.business_id
        assert profile.employee_range == company.employee_range
        assert profile.country == "united states"
        assert "Salesforce" in company.technologies


async def test_find_companies_pages_to_the_end(
    client: ExploriumClient, emulator_url: str, world: Universe
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
    assert await calls(emulator_url, "businesses") == [100, 100, 49]


async def test_find_companies_stops_at_the_limit(client: ExploriumClient) -> None:
    found = await client.find_companies(IcpCriteria(countries=["de"]), limit=30)
    assert len(found) == 30
    assert all(c.country == "germany" for c in found)


async def test_negated_filter_excludes_its_values(client: ExploriumClient, world: Universe) -> None:
    filters = BusinessFilters(
        country_code=FilterValues(values=["ch"]),
        company_size=FilterValues(values=["1-10", "11-50"], negate=True),
    )
    page = await client.fetch_businesses(filters, page_size=500)
    expected = [
        c.business_id
        for c in world.companies
        if c.country_code == "ch" and c.employee_range not in ("1-10", "11-50")
    ]
    assert [b.business_id for b in page.data] == expected
    assert page.total_results == len(expected)
    stats = await client.business_stats(filters)
    assert stats.total_results == len(expected)


async def test_enrich_companies_splits_into_bulk_calls_and_returns_the_universe_data(
    client: ExploriumClient, emulator_url: str, world: Universe
) -> None:
    companies = [c for c in world.companies if c.funding][:120]
    domains = [c.domain for c in companies]
    domains[0] = f"https://www.{domains[0]}/about"
    domains.append("no-such-company.invalid")

    profiles = await client.enrich_companies(domains)

    assert await calls(emulator_url, "businesses/match") == [50, 50, 21]
    for enrichment in ("firmographics", "technographics", "funding_and_acquisition"):
        assert await calls(emulator_url, f"businesses/{enrichment}/bulk_enrich") == [50, 50, 20]
    assert profiles["no-such-company.invalid"] is None
    assert set(profiles) == set(domains)
    for key, company in zip(domains, companies, strict=False):
        profile = profiles[key]
        assert profile is not None
        assert profile.domain == company.domain
        assert profile.name == company.name
        assert profile.revenue_range == company.revenue_range
        assert profile.industry == company.industry
        assert sorted(profile.technologies) == sorted(company.technologies)
        assert profile.funding_total_usd == company.funding_total_usd
        assert [(r.type, r.announced_on, r.amount_usd) for r in profile.funding_rounds] == [
            (f.stage, f.day, f.amount_usd) for f in company.funding
        ]


async def test_typed_single_enrichments(client: ExploriumClient, world: Universe) -> None:
    company = next(c for c in world.companies if c.funding)
    firmographics = await client.firmographics(company.business_id)
    technographics = await client.technographics(company.business_id)
    funding = await client.funding_and_acquisition(company.business_id)
    assert firmographics is not None and firmographics.name == company.name
    assert technographics is not None
    assert set(technographics.full_tech_stack) == set(company.technologies)
    assert funding is not None and funding.number_of_funding_rounds == len(company.funding)
    assert await client.firmographics("0" * 32) is None


async def test_match_businesses_keeps_input_order_with_nulls(
    client: ExploriumClient, world: Universe
) -> None:
    first, second = world.companies[10], world.companies[20]
    matched = await client.match_businesses(
        [
            BusinessToMatch(domain=first.domain),
            BusinessToMatch(name="Nope Inc", domain="fakeurl.xyz"),
            BusinessToMatch(name=second.name),
        ]
    )
    assert [m.business_id for m in matched] == [first.business_id, None, second.business_id]
    assert matched[1].input == {"name": "Nope Inc", "domain": "fakeurl.xyz"}


async def test_find_people_filters_by_company_and_seniority(
    client: ExploriumClient, world: Universe
) -> None:
    companies = world.companies[:5]
    icp = IcpCriteria(seniorities=["c_suite", "founder"])

    people = await client.find_people(icp, company_domains=[c.domain for c in companies], limit=100)

    expected = [
        p.prospect_id for c in companies for p in c.people if p.seniority in ("c_suite", "founder")
    ]
    assert sorted(p.provider_id or "" for p in people) == sorted(expected)
    for person in people:
        known = world.by_prospect_id[person.provider_id or ""]
        assert person.company_domain == known.company.domain
        assert person.seniority == known.seniority
        assert person.email is None  # fetch never reveals contact details


async def test_find_people_by_department_and_title(
    client: ExploriumClient, world: Universe
) -> None:
    companies = world.companies[:60]
    icp = IcpCriteria(departments=["sales"], titles=["Account Executive"])
    people = await client.find_people(icp, company_domains=[c.domain for c in companies], limit=500)
    expected = {
        p.prospect_id
        for c in companies
        for p in c.people
        if p.department == "sales" and "account executive" in p.title.lower()
    }
    assert expected
    assert {p.provider_id for p in people} == expected


async def test_find_people_pages_without_duplicates_up_to_the_limit(
    client: ExploriumClient, world: Universe
) -> None:
    companies = world.companies[:30]
    people = await client.find_people(
        IcpCriteria(), company_domains=[c.domain for c in companies], limit=150
    )
    ids = [p.provider_id for p in people]
    assert len(ids) == len(set(ids)) == 150
    expected = [p.prospect_id for c in companies for p in c.people]
    assert len(expected) > 150
    assert ids == expected[:150]


async def test_enrich_people_returns_the_universe_email_and_none_for_unknown(
    client: ExploriumClient, emulator_url: str, world: Universe
) -> None:
    known = next(p for p in world.people if p.phone and p.email_status == "verified")
    by_name = world.companies[3].people[1]
    lookups = [
        PersonLookup(email=known.email.upper()),
        PersonLookup(email="nobody@nowhere.invalid", first_name="No", last_name="Body"),
        PersonLookup(
            first_name=by_name.first_name,
            last_name=by_name.last_name,
            company_domain=by_name.company.domain,
        ),
    ]

    profiles = await client.enrich_people(lookups)

    first, missing, third = profiles
    assert first is not None
    assert first.email == known.email
    assert first.phone == known.phone
    assert first.email_status == "valid"
    assert first.provider_id == known.prospect_id
    assert first.company_domain == known.company.domain
    assert missing is None
    assert third is not None and third.email == by_name.email
    assert await calls(emulator_url, "prospects/contacts_information/bulk_enrich") == [2]


async def test_prospect_typed_calls(client: ExploriumClient, world: Universe) -> None:
    person = world.people[100]
    matched = await client.match_prospects(
        [ProspectToMatch(full_name=person.full_name, business_id=person.company.business_id)]
    )
    assert matched[0].prospect_id == person.prospect_id
    contact = await client.contact_information(person.prospect_id)
    assert contact is not None and contact.email == person.email
    profile = await client.prospect_profile(person.prospect_id)
    assert profile is not None and profile.job_title == person.title
    profiles = await client.bulk_prospect_profiles([person.prospect_id, "f" * 40])
    assert list(profiles) == [person.prospect_id]


async def test_more_than_50_ids_sent_raw_answer_422(
    client: ExploriumClient, world: Universe
) -> None:
    ids = [c.business_id for c in world.companies[:51]]
    with pytest.raises(ProviderRejected) as caught:
        await client.http.request(
            "POST", "/v1/businesses/firmographics/bulk_enrich", json={"business_ids": ids}
        )
    assert caught.value.status == 422
    assert isinstance(caught.value.body, dict)
    assert caught.value.body["detail"][0]["loc"] == ["body", "business_ids"]
    assert "business_ids" in str(caught.value)


async def test_business_events_filter_by_type_and_time(
    client: ExploriumClient, emulator_url: str, world: Universe
) -> None:
    funded = [c for c in world.companies if any(e.type == "new_funding_round" for e in c.events)]
    companies = funded[:45]
    ids = [c.business_id for c in companies]

    events = await client.business_events(ids, ["new_funding_round"])

    expected = {e.event_id for c in companies for e in c.events if e.type == "new_funding_round"}
    assert {e.event_id for e in events} == expected
    assert all(e.type == "new_funding_round" for e in events)
    assert await calls(emulator_url, "businesses/events") == [40, 5]
    since = datetime(2026, 6, 1, tzinfo=UTC)
    recent = await client.business_events(ids, ["new_funding_round"], timestamp_from=since)
    assert recent and len(recent) < len(events)
    assert all(e.occurred_at >= since for e in recent)


async def test_same_seed_gives_identical_results() -> None:
    icp = IcpCriteria(countries=["gb"], technologies=["HubSpot"])
    results = []
    for seed in (7, 7, 8):
        async with (
            serve_app(build_explorium_emulator(SandboxConfig(seed=seed))) as url,
            explorium_client(url) as client,
        ):
            found = await client.find_companies(icp, limit=40)
            enriched = await client.enrich_companies([c.domain for c in found[:5]])
            results.append((found, enriched))
    assert results[0] == results[1]
    assert results[0][0] != results[2][0]
