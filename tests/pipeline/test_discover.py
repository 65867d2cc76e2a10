"""The `pipeline.discover` step against the Explorium and Apollo emulators, with a real worker."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
import sqlalchemy as sa

from salesauto.contacts.repository import COMPANIES, CONTACTS
from salesauto.discovery.plan import DiscoveryPlan, DiscoveryTally
from salesauto.discovery.profile import IcpProfile
from salesauto.discovery.service import Discovery
from salesauto.discovery.sources import LeadSources
from salesauto.integrations.sandbox.kit import SandboxConfig
from salesauto.integrations.sandbox.server import build_sandbox_app
from salesauto.integrations.sandbox.universe import REFERENCE_DAY, Company, Universe, universe
from salesauto.jobs.schemas import JobSubmit
from salesauto.pipeline.enrichment_cache import CachePolicy
from salesauto.pipeline.steps import RESULTS, StepReport
from salesauto.platform import Platform
from salesauto.suppressions.schemas import SuppressionCreate
from salesauto.suppressions.service import SuppressionService
from tests.conftest import make_settings
from tests.support.emulators import calls, stats
from tests.support.servers import running_platform, serve_app
from tests.support.waiting import eventually, wait_for_job

CONTACT_DETAILS = "prospects/contacts_information/bulk_enrich"
FIRMOGRAPHICS = "businesses/firmographics/bulk_enrich"
# US software companies of 51-500 people on a sales CRM, their leaders: ~340 people at ~80
# companies, some on more of the CRMs than others (so their scores differ).
SOFTWARE_LEADERS: dict[str, Any] = {
    "industries": ["software development"],
    "countries": ["us"],
    "employeeRanges": ["51-200", "201-500"],
    "technologies": ["Salesforce", "HubSpot", "Pipedrive"],
    "seniorities": ["vp", "head", "director", "c_suite", "founder"],
}


@dataclass
class Sandboxed:
    platform: Platform
    explorium: str
    apollo: str


@pytest.fixture(scope="module")
def world() -> Universe:
    return universe(42)


@pytest.fixture
async def sandboxed(database_url: str) -> AsyncIterator[Sandboxed]:
    """A platform whose Explorium and Apollo are emulators on a real port, with a worker."""
    app = build_sandbox_app(SandboxConfig(), ["explorium", "apollo"])
    async with serve_app(app) as url:
        settings = make_settings(
            database_url,
            sandbox_url=url,
            pipeline_retry_base_seconds=0.2,
            provider_max_attempts=2,
            provider_breaker_reset_seconds=0.2,
        )
        async with running_platform(settings) as platform:
            yield Sandboxed(platform, f"{url}/explorium", f"{url}/apollo")


async def _discover(platform: Platform, icp: dict[str, Any], **extra: Any) -> dict[str, Any]:
    enqueued = await platform.jobs.submit(
        JobSubmit(type="pipeline.discover", parameters={"icp": icp, **extra}), "default"
    )
    job = await wait_for_job(platform, enqueued.job_id, ("completed", "failed"), timeout=120)
    assert job.status == "completed", job.error
    assert isinstance(job.result, dict)
    return job.result


async def _contacts(platform: Platform) -> list[sa.Row[Any]]:
    async with platform.engine.connect() as conn:
        return list(await conn.execute(sa.select(CONTACTS).order_by(CONTACTS.c.email)))


async def _companies(platform: Platform) -> dict[str, sa.Row[Any]]:
    async with platform.engine.connect() as conn:
        return {row.domain: row for row in await conn.execute(sa.select(COMPANIES))}


async def test_200_leads_are_stored_scored_with_their_companies_and_not_again(
    sandboxed: Sandboxed,
) -> None:
    platform = sandboxed.platform

    first = await _discover(platform, SOFTWARE_LEADERS, count=200)
    contacts = await _contacts(platform)
    companies = await _companies(platform)
    bought = sum(await calls(sandboxed.explorium, CONTACT_DETAILS))
    second = await _discover(platform, SOFTWARE_LEADERS, count=200)

    assert (first["stored"], first["done"], first["existing"], first["shortfall"]) == (
        200,
        200,
        0,
        None,
    )
    assert first["companiesFound"] > 0 and first["peopleFound"] >= 200
    assert first["emailsBought"]["explorium"] <= bought
    assert len(contacts) == 200
    assert {row.source for row in contacts} == {"discovery"}
    assert all(0 <= row.score <= 100 for row in contacts)
    assert len({row.score for row in contacts}) > 1  # the fit differs between leads
    for row in contacts:
        reasons = {reason["attribute"]: reason for reason in row.score_reasons}
        assert set(reasons) == {"industry", "employees", "country", "technologies", "seniority"}
        assert reasons["industry"]["matched"] and reasons["industry"]["maxPoints"] == 25
        assert reasons["country"]["detail"] == "country us"
    assert {row.company_domain for row in contacts} <= set(companies)
    assert all(row.company_id == companies[row.company_domain].id for row in contacts)
    company = companies[contacts[0].company_domain]
    assert company.data["industry"] == "software development"
    assert company.data["country_code"] == "us"
    assert company.provenance["industry"]["source"] == "explorium"
    async with platform.engine.connect() as conn:
        done = await conn.scalar(
            sa.select(sa.func.count()).select_from(RESULTS).where(RESULTS.c.status == "done")
        )
    assert done == 200
    # The second run finds the same 200 leads, knows them all, and buys no email again.
    assert (second["stored"], second["existing"], second["done"]) == (0, 200, 0)
    assert second["emailsBought"] == {}
    assert sum(await calls(sandboxed.explorium, CONTACT_DETAILS)) == bought
    assert len(await _contacts(platform)) == 200
    assert len(await _companies(platform)) == len(companies)


async def test_suppressed_domains_cost_nothing_and_suppressed_emails_are_not_stored(
    sandboxed: Sandboxed, world: Universe
) -> None:
    platform = sandboxed.platform
    irish = [
        c
        for c in world.companies
        if c.industry == "software development" and c.country_code == "ie"
    ]

    def leaders(company: Company) -> list[str]:
        return [p.email for p in company.people if p.seniority in ("c_suite", "founder")]

    blocked = max(irish, key=lambda company: len(leaders(company)))
    others = [email for company in irish if company is not blocked for email in leaders(company)]
    deliverable = {email for email in others if world.by_email[email].email_status != "invalid"}
    unwanted = sorted(deliverable)[0]
    await SuppressionService(platform.engine).add(
        "default",
        [
            SuppressionCreate(value=blocked.domain, reason="customer already"),
            SuppressionCreate(value=unwanted, reason="asked to be left alone"),
        ],
    )

    icp = {
        "industries": ["software development"],
        "countries": ["ie"],
        "seniorities": ["c_suite", "founder"],
    }
    result = await _discover(platform, icp, count=1000)

    stored = {row.email for row in await _contacts(platform)}
    assert stored == deliverable - {unwanted}
    assert not any(email.endswith(f"@{blocked.domain}") for email in stored)
    # Every leader's email was bought except those at the suppressed domain.
    assert sum(await calls(sandboxed.explorium, CONTACT_DETAILS)) == len(others)
    assert (result["suppressedCompanies"], result["suppressedEmails"]) == (1, 1)
    assert result["shortfall"].startswith(f"found {len(stored)} of 1,000 leads")
    async with platform.engine.connect() as conn:
        skipped = (
            await conn.execute(
                sa.select(RESULTS.c.item_key, RESULTS.c.status, RESULTS.c.data).where(
                    RESULTS.c.item_key == unwanted
                )
            )
        ).one()
    assert skipped.status == "skipped"
    assert skipped.data["reason"] == "suppressed: asked to be left alone"


async def test_exclusions_keep_companies_and_people_out(
    sandboxed: Sandboxed, world: Universe
) -> None:
    platform = sandboxed.platform
    security = [c for c in world.companies if c.industry == "computer and network security"]
    excluded = next(c for c in security if c.country_code != "us")
    icp = {
        "industries": ["computer and network security"],
        "seniorities": ["c_suite", "founder"],
        "exclusions": {
            "domains": [f"https://www.{excluded.domain}/"],
            "countries": ["US"],
            "titles": ["Chief Executive"],
        },
    }

    result = await _discover(platform, icp, count=30)

    contacts = await _contacts(platform)
    companies = await _companies(platform)
    assert result["stored"] == len(contacts) == 30
    assert excluded.domain not in {row.company_domain for row in contacts}
    assert all(companies[row.company_domain].data["country_code"] != "us" for row in contacts)
    assert not any("chief executive" in row.title.lower() for row in contacts)
    assert result["exclusions"]["company domain excluded"] == 1
    assert result["exclusions"]["company country excluded"] > 0
    assert result["exclusions"]["person title excluded"] > 0


async def test_signals_keep_only_funded_hiring_companies(
    sandboxed: Sandboxed, world: Universe, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The sandbox's events are dated relative to its reference day: discover "then".
    then = datetime(REFERENCE_DAY.year, REFERENCE_DAY.month, REFERENCE_DAY.day, tzinfo=UTC)
    monkeypatch.setattr("salesauto.pipeline.discover.utcnow", lambda: then)
    icp = {
        "industries": ["software development"],
        "seniorities": ["c_suite"],
        "signals": {"funding": {"withinMonths": 12}, "hiring": True},
    }

    result = await _discover(sandboxed.platform, icp, count=10)

    contacts = await _contacts(sandboxed.platform)
    assert result["stored"] == len(contacts) == 10
    for row in contacts:
        company = world.by_domain[row.company_domain]
        assert any((REFERENCE_DAY - r.day).days <= 366 for r in company.funding)
        assert any(
            e.type.startswith(("hiring_in_", "increase_in_")) and (REFERENCE_DAY - e.day).days < 182
            for e in company.events
        )
        reasons = {reason["attribute"]: reason for reason in row.score_reasons}
        assert reasons["funding"]["matched"] and reasons["hiring"]["matched"]
        assert " on 20" in reasons["funding"]["detail"]
    assert result["exclusions"]["no funding signal"] + result["exclusions"]["no hiring signal"] > 0


async def test_apollo_alone_finds_people_by_department(sandboxed: Sandboxed) -> None:
    icp = {
        "industries": ["financial services"],
        "countries": ["gb"],
        "seniorities": ["vp", "director", "manager"],
        "departments": ["sales"],
    }

    result = await _discover(sandboxed.platform, icp, count=5, providers=["apollo"])

    contacts = await _contacts(sandboxed.platform)
    assert result["stored"] == len(contacts) == 5
    assert all(row.data["department"] == "sales" for row in contacts)
    assert all(row.data["apollo_person_id"] for row in contacts)
    assert all(row.last_name and "*" not in row.last_name for row in contacts)
    assert result["emailsBought"]["apollo"] >= 5
    # Emails are bought by Apollo id for the people needed: no one is matched twice.
    matched = sum(await calls(sandboxed.apollo, "people/bulk_match")) + sum(
        await calls(sandboxed.apollo, "people/match")
    )
    assert matched == result["emailsBought"]["apollo"] + result["withoutEmail"]


async def test_the_chain_starts_enrichment_for_the_new_leads(sandboxed: Sandboxed) -> None:
    result = await _discover(
        sandboxed.platform,
        SOFTWARE_LEADERS,
        query="sales leaders",  # no company keyword: describes the people, ignored
        count=5,
        chain={"enrich": True},
    )

    assert result["queryIgnored"] is True
    assert result["nextStep"] == "enrich"
    following = await sandboxed.platform.jobs.get(result["nextJobId"], "default")
    assert following.type == "pipeline.enrich"
    stored = {row.email for row in await _contacts(sandboxed.platform)}
    assert set(following.parameters["emails"]) == stored and len(stored) == 5


async def test_an_outage_fails_the_attempt_and_the_queue_retries_it(
    sandboxed: Sandboxed,
) -> None:
    platform = sandboxed.platform
    async with httpx.AsyncClient() as http:
        await http.put(f"{sandboxed.explorium}/_sandbox/faults", json={"outageSeconds": 3600})
        enqueued = await platform.jobs.submit(
            JobSubmit(type="pipeline.discover", parameters={"icp": SOFTWARE_LEADERS, "count": 10}),
            "default",
        )
        failed_once = await eventually(
            lambda: platform.jobs.get(enqueued.job_id, "default"), lambda job: bool(job.errors)
        )
        await http.put(f"{sandboxed.explorium}/_sandbox/faults", json={})

    job = await wait_for_job(platform, enqueued.job_id, ("completed", "failed"), timeout=60)

    assert "Explorium failed with 503" in str(failed_once.errors[0])
    # An outage is not a reason to search Apollo instead: the whole job waits for Explorium.
    assert (await stats(sandboxed.apollo))["requests"] == 0
    assert job.status == "completed" and job.result["stored"] == 10
    assert len(await _contacts(platform)) == 10


async def _attempt(
    platform: Platform, icp: dict[str, Any], count: int, *, job_id: int = 4242
) -> tuple[DiscoveryTally, StepReport, LeadSources]:
    """One attempt of discovery job `job_id`, run in the test (no queue)."""
    now = datetime.now(UTC)
    plan = DiscoveryPlan(
        owner_id="default",
        job_id=job_id,
        icp=IcpProfile.model_validate(icp),
        query=None,
        count=count,
        providers=["explorium"],
        fresh_after=now,
        now=now,
        cache=CachePolicy(ttl=timedelta(days=1)),
    )
    sources = LeadSources(platform.integrations)
    report = StepReport(step="discover")

    async def progress(_tally: DiscoveryTally) -> None:
        return None

    discovery = Discovery(plan, sources, platform.engine, platform.queue.write, report, progress)
    return await discovery.run(), report, sources


async def test_a_retried_job_counts_what_its_first_attempt_stored(sandboxed: Sandboxed) -> None:
    platform = sandboxed.platform

    first, _, _ = await _attempt(platform, SOFTWARE_LEADERS, 20)
    again, report, sources = await _attempt(platform, SOFTWARE_LEADERS, 20)

    assert (first.stored, again.stored, again.existing) == (20, 20, 0)
    assert report.counts()["done"] == 20
    assert sources.emails_bought["explorium"] == 0
    assert len(await _contacts(platform)) == 20


async def test_a_retry_reports_the_leads_its_first_attempt_stored_that_it_did_not_find(
    sandboxed: Sandboxed,
) -> None:
    platform = sandboxed.platform
    # The second attempt's search returns other people than the first one's (as when the
    # provider's results moved between the attempts).
    elsewhere = {"industries": ["financial services"], "countries": ["gb"], "seniorities": ["vp"]}
    first, first_report, _ = await _attempt(platform, SOFTWARE_LEADERS, 10)

    again, report, _ = await _attempt(platform, elsewhere, 5)

    assert (first.stored, again.stored) == (10, 15)
    stored = {row.email: row.score for row in await _contacts(platform)}
    assert len(stored) == 15
    # All of the job's leads are reported done (so they go on down the chain), with scores.
    assert set(report.emails("done")) == set(stored)
    for email in first_report.emails("done"):
        assert report.outcomes[email].data == {"score": stored[email]}


async def test_company_data_is_bought_once_for_every_discovery_and_enrichment(
    sandboxed: Sandboxed,
) -> None:
    platform = sandboxed.platform
    first = await _discover(platform, SOFTWARE_LEADERS, count=10)
    bought = sum(await calls(sandboxed.explorium, FIRMOGRAPHICS))
    leads = await _contacts(platform)
    # The first run screened more companies than its leads work at: those were bought too.
    assert bought > len({row.company_domain for row in leads})

    second = await _discover(platform, SOFTWARE_LEADERS, count=10)
    enrichment = await platform.jobs.submit(
        JobSubmit(type="pipeline.enrich", parameters={"emails": [row.email for row in leads]}),
        "default",
    )
    enriched = await wait_for_job(platform, enrichment.job_id, ("completed", "failed"), timeout=60)

    assert (first["stored"], second["existing"]) == (10, 10)
    # Neither the second discovery nor the enrichment bought a company again: only the
    # search rows and the people were paid for.
    assert sum(await calls(sandboxed.explorium, FIRMOGRAPHICS)) == bought
    assert enriched.status == "completed" and isinstance(enriched.result, dict)
    assert (enriched.result["done"], enriched.result["creditsSpent"]) == (10, 10)
