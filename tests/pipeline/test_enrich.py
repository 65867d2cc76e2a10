"""The `pipeline.enrich` step against the Explorium and Apollo emulators, with a real worker."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import httpx
import pytest
import sqlalchemy as sa

from salesauto.contacts.merge import ContactFacts
from salesauto.contacts.repository import COMPANIES, CONTACTS, merge_contacts
from salesauto.integrations.sandbox.kit import SandboxConfig
from salesauto.integrations.sandbox.server import build_sandbox_app
from salesauto.integrations.sandbox.universe import Company, Person, Universe, universe
from salesauto.jobs.schemas import JobSubmit
from salesauto.kit.time import utcnow
from salesauto.pipeline.enrichment_cache import CACHE
from salesauto.pipeline.steps import RESULTS
from salesauto.platform import Platform
from salesauto.suppressions.schemas import SuppressionCreate
from salesauto.suppressions.service import SuppressionService
from tests.conftest import make_settings
from tests.support.emulators import calls, stats
from tests.support.servers import running_platform, serve_app
from tests.support.waiting import wait_for_job

PERSON_CALLS = ("people/match", "people/bulk_match")
COMPANY_CALLS = ("organizations/enrich", "organizations/bulk_enrich")


@dataclass
class Sandboxed:
    platform: Platform
    explorium: str
    apollo: str


@pytest.fixture(scope="module")
def world() -> Universe:
    return universe(42)


@asynccontextmanager
async def _sandbox(database_url: str, **settings: Any) -> AsyncIterator[Sandboxed]:
    """A platform whose Explorium and Apollo are emulators on a real port, with a worker."""
    app = build_sandbox_app(SandboxConfig(), ["explorium", "apollo"])
    async with (
        serve_app(app) as url,
        running_platform(
            make_settings(
                database_url,
                sandbox_url=url,
                pipeline_retry_base_seconds=1.0,
                provider_max_attempts=2,
                provider_breaker_reset_seconds=0.2,
                **settings,
            )
        ) as platform,
    ):
        yield Sandboxed(platform, f"{url}/explorium", f"{url}/apollo")


@pytest.fixture
async def sandboxed(database_url: str) -> AsyncIterator[Sandboxed]:
    async with _sandbox(database_url) as sandbox:
        yield sandbox


async def _store(platform: Platform, *contacts: tuple[str, dict[str, str]]) -> None:
    facts = [ContactFacts(email=email, fields=fields) for email, fields in contacts]
    async with platform.engine.begin() as conn:
        await merge_contacts(conn, "default", facts, source="csv", at=utcnow())


def _by_email(*people: Person) -> list[tuple[str, dict[str, str]]]:
    return [(p.email, {"company_domain": p.company.domain}) for p in people]


async def _enrich(
    platform: Platform, emails: list[str], **extra: Any
) -> tuple[int, dict[str, Any]]:
    """(the job's id, its result summary) once it completed."""
    enqueued = await platform.jobs.submit(
        JobSubmit(type="pipeline.enrich", parameters={"emails": emails, **extra}), "default"
    )
    return int(enqueued.job_id), await _finished(platform, enqueued.job_id)


async def _finished(platform: Platform, job_id: int | str) -> dict[str, Any]:
    job = await wait_for_job(platform, job_id, ("completed", "failed"), timeout=60)
    assert job.status == "completed", job.error
    assert isinstance(job.result, dict)
    return job.result


async def _results(platform: Platform, job_id: int | str) -> dict[str, sa.Row[Any]]:
    async with platform.engine.connect() as conn:
        rows = await conn.execute(sa.select(RESULTS).where(RESULTS.c.job_id == int(job_id)))
    return {row.item_key: row for row in rows}


async def _contacts(platform: Platform) -> dict[str, sa.Row[Any]]:
    async with platform.engine.connect() as conn:
        rows = await conn.execute(sa.select(CONTACTS))
    return {row.email: row for row in rows}


async def _company(platform: Platform, domain: str) -> sa.Row[Any]:
    async with platform.engine.connect() as conn:
        rows = await conn.execute(sa.select(COMPANIES).where(COMPANIES.c.domain == domain))
    return rows.one()


async def _items(url: str, *paths: str) -> int:
    return sum([sum(await calls(url, path)) for path in paths])


def _company_with_people(world: Universe, count: int) -> Company:
    return next(company for company in world.companies if len(company.people) >= count)


async def test_contacts_get_person_fields_and_firmographics_with_provenance(
    sandboxed: Sandboxed, world: Universe
) -> None:
    people = [world.companies[index].people[0] for index in (10, 11, 12)]
    await _store(sandboxed.platform, *_by_email(*people))

    _, summary = await _enrich(sandboxed.platform, [p.email for p in people])

    assert (summary["done"], summary["failed"], summary["skipped"]) == (3, 0, 0)
    assert summary["creditsSpent"] == 6  # three people and their three companies
    stored = await _contacts(sandboxed.platform)
    for person in people:
        row = stored[person.email]
        assert (row.status, row.title, row.linkedin_url) == (
            "enriched",
            person.title,
            person.linkedin_url,
        )
        assert (row.first_name, row.last_name) == (person.first_name, person.last_name)
        assert row.phone == person.phone
        assert row.data["seniority"] == person.seniority
        assert row.data["explorium_id"] == person.prospect_id
        assert row.enriched_at is not None
        assert row.provenance["title"]["source"] == "explorium"
        assert row.provenance["data.seniority"]["source"] == "explorium"
        company = await _company(sandboxed.platform, person.company.domain)
        assert company.name == person.company.name
        assert company.data["industry"] == person.company.industry
        assert company.data["employee_range"] == person.company.employee_range
        assert company.provenance["data.industry"]["source"] == "explorium"
        assert row.company_id == company.id
    # Explorium answered everything: Apollo was never asked.
    assert (await stats(sandboxed.apollo))["requests"] == 0


async def test_a_second_run_is_served_by_the_cache_and_reports_unchanged(
    sandboxed: Sandboxed, world: Universe
) -> None:
    people = [world.companies[index].people[1] for index in (20, 21, 22)]
    await _store(sandboxed.platform, *_by_email(*people))
    emails = [p.email for p in people]
    await _enrich(sandboxed.platform, emails)
    bought = (await stats(sandboxed.explorium))["requests"]
    before = await _contacts(sandboxed.platform)

    _, again = await _enrich(sandboxed.platform, emails)

    assert (again["unchanged"], again["done"], again["creditsSpent"]) == (3, 0, 0)
    assert (await stats(sandboxed.explorium))["requests"] == bought
    assert (await stats(sandboxed.apollo))["requests"] == 0
    after = await _contacts(sandboxed.platform)
    assert {e: after[e].enriched_at for e in emails} == {e: before[e].enriched_at for e in emails}


async def test_an_expired_or_refreshed_answer_is_bought_again(
    sandboxed: Sandboxed, world: Universe
) -> None:
    person = world.companies[25].people[0]
    await _store(sandboxed.platform, *_by_email(person))
    await _enrich(sandboxed.platform, [person.email])
    async with sandboxed.platform.engine.begin() as conn:
        await conn.execute(
            sa.update(CACHE)
            .where(CACHE.c.key == f"explorium:person:{person.email}")
            .values(expires_at=utcnow() - timedelta(seconds=1))
        )

    _, expired = await _enrich(sandboxed.platform, [person.email])
    _, refreshed = await _enrich(sandboxed.platform, [person.email], refresh=True)

    assert expired["creditsSpent"] == 1  # the person again; its company is still cached
    assert refreshed["creditsSpent"] == 2
    assert await calls(sandboxed.explorium, "prospects/match") == [1, 1, 1]
    assert await calls(sandboxed.explorium, "businesses/match") == [1, 1]
    assert (expired["unchanged"], refreshed["unchanged"]) == (1, 1)


async def test_apollo_is_asked_only_about_what_explorium_did_not_match(
    sandboxed: Sandboxed, world: Universe
) -> None:
    by_email = [world.companies[index].people[0] for index in (30, 31)]
    # Known to Explorium only by an email it has never seen; Apollo finds the name at the
    # company (its domain is a company both know).
    by_name = world.companies[32].people[2]
    other_address = "dana.private@mailbox.invalid"
    ghost = "ghost@nobody-at-all.invalid"
    await _store(
        sandboxed.platform,
        *_by_email(*by_email),
        (
            other_address,
            {
                "first_name": by_name.first_name,
                "last_name": by_name.last_name,
                "company_domain": by_name.company.domain,
            },
        ),
        (ghost, {"company_domain": "nobody-at-all.invalid"}),
    )
    emails = [p.email for p in by_email] + [other_address, ghost]

    job_id, summary = await _enrich(sandboxed.platform, emails)

    assert (summary["done"], summary["failed"]) == (4, 0)
    assert await _items(sandboxed.explorium, "prospects/match") == 4
    # Apollo: the two people Explorium missed and the one company it did not know.
    assert await _items(sandboxed.apollo, *PERSON_CALLS) == 2
    assert await _items(sandboxed.apollo, *COMPANY_CALLS) == 1
    stored = await _contacts(sandboxed.platform)
    found = stored[other_address]
    assert (found.title, found.status) == (by_name.title, "enriched")
    assert found.provenance["title"]["source"] == "apollo"
    assert found.data["work_email"] == by_name.email
    company = await _company(sandboxed.platform, by_name.company.domain)
    assert company.provenance["data.industry"]["source"] == "explorium"
    assert stored[by_email[0].email].provenance["title"]["source"] == "explorium"
    results = await _results(sandboxed.platform, job_id)
    assert results[ghost].status == "done"
    assert "no match (explorium, apollo)" in results[ghost].data["reason"]
    assert stored[ghost].status == "enriched"


async def test_a_credit_budget_enriches_what_it_covers_and_skips_the_rest(
    sandboxed: Sandboxed, world: Universe
) -> None:
    company = _company_with_people(world, 5)
    people = company.people[:5]
    await _store(sandboxed.platform, *_by_email(*people))

    # The first contact costs two lookups (it and its company), the second one.
    job_id, summary = await _enrich(sandboxed.platform, [p.email for p in people], credit_budget=3)

    assert (summary["done"], summary["skipped"], summary["creditsSpent"]) == (2, 3, 3)
    assert await _items(sandboxed.explorium, "prospects/match") == 2
    assert await _items(sandboxed.explorium, "businesses/match") == 1
    results = await _results(sandboxed.platform, job_id)
    stored = await _contacts(sandboxed.platform)
    for person in people[2:]:
        assert results[person.email].status == "skipped"
        reason = results[person.email].data["reason"]
        assert "credit budget spent (3 lookups per job)" in reason
        assert "creditBudget" in reason and "SALESAUTO_ENRICHMENT_CREDIT_BUDGET" in reason
        assert (stored[person.email].status, stored[person.email].title) == ("imported", None)
    assert [stored[p.email].status for p in people[:2]] == ["enriched", "enriched"]


async def test_a_suppressed_contact_is_never_sent_to_a_provider(
    sandboxed: Sandboxed, world: Universe
) -> None:
    kept, blocked = world.companies[40].people[0], world.companies[41].people[0]
    await _store(sandboxed.platform, *_by_email(kept, blocked))
    await SuppressionService(sandboxed.platform.engine).add(
        "default", [SuppressionCreate(value=blocked.email, reason="asked to be left alone")]
    )

    job_id, summary = await _enrich(sandboxed.platform, [kept.email, blocked.email])

    assert (summary["done"], summary["skipped"]) == (1, 1)
    assert await calls(sandboxed.explorium, "prospects/match") == [1]
    assert await _items(sandboxed.explorium, "businesses/match") == 1
    results = await _results(sandboxed.platform, job_id)
    assert results[blocked.email].status == "skipped"
    assert "suppressed" in results[blocked.email].data["reason"]
    stored = await _contacts(sandboxed.platform)
    assert (stored[blocked.email].status, stored[blocked.email].title) == ("imported", None)


async def test_an_explorium_outage_is_retried_later_and_loses_nothing(
    sandboxed: Sandboxed, world: Universe
) -> None:
    people = [world.companies[index].people[0] for index in (50, 51)]
    await _store(sandboxed.platform, *_by_email(*people))
    async with httpx.AsyncClient() as http:
        await http.put(f"{sandboxed.explorium}/_sandbox/faults", json={"outageSeconds": 3600})

        job_id, summary = await _enrich(sandboxed.platform, [p.email for p in people])

        await http.put(f"{sandboxed.explorium}/_sandbox/faults", json={})
    assert (summary["retrying"], summary["done"]) == (2, 0)
    assert summary["retryJobId"] is not None
    results = await _results(sandboxed.platform, job_id)
    assert {results[p.email].status for p in people} == {"retrying"}
    assert "explorium" in (results[people[0].email].error or "")
    assert {row.status for row in (await _contacts(sandboxed.platform)).values()} == {"imported"}
    # Apollo is not asked in Explorium's place: the retry keeps the waterfall's order.
    assert (await stats(sandboxed.apollo))["requests"] == 0

    retried = await _finished(sandboxed.platform, summary["retryJobId"])

    assert (retried["done"], retried["retrying"], retried["failed"]) == (2, 0, 0)
    stored = await _contacts(sandboxed.platform)
    assert [stored[p.email].title for p in people] == [p.title for p in people]
    assert {stored[p.email].status for p in people} == {"enriched"}


async def test_a_retry_spends_only_what_its_job_left_of_the_credit_budget(
    database_url: str, world: Universe
) -> None:
    # Without the cache a retry buys again what its job bought before the failure, so the
    # budget left, not the whole budget again, must bound it.
    async with _sandbox(database_url, enrichment_cache_days=0) as sandboxed:
        found = world.companies[60].people[0]
        # Explorium cannot match this address; Apollo finds the name at the company.
        by_name = world.companies[61].people[1]
        other_address = "robin.private@mailbox.invalid"
        await _store(
            sandboxed.platform,
            *_by_email(found),
            (
                other_address,
                {
                    "first_name": by_name.first_name,
                    "last_name": by_name.last_name,
                    "company_domain": by_name.company.domain,
                },
            ),
        )
        async with httpx.AsyncClient() as http:
            await http.put(f"{sandboxed.apollo}/_sandbox/faults", json={"outageSeconds": 3600})
            # Explorium: both people and both companies (4), then Apollo: the one it missed.
            _, summary = await _enrich(
                sandboxed.platform, [found.email, other_address], credit_budget=5
            )
            await http.put(f"{sandboxed.apollo}/_sandbox/faults", json={})
        assert (summary["done"], summary["retrying"], summary["creditsSpent"]) == (1, 1, 4)
        retry = await sandboxed.platform.jobs.get(summary["retryJobId"], "default")
        assert retry.parameters["credit_budget"] == 1
        bought = await _items(sandboxed.explorium, "prospects/match", "businesses/match")

        retried = await _finished(sandboxed.platform, summary["retryJobId"])

        # Buying the contact again at Explorium (person and company) takes 2 of the 1 left.
        assert (retried["skipped"], retried["creditsSpent"], retried["creditBudget"]) == (1, 0, 1)
        assert summary["creditsSpent"] + retried["creditsSpent"] <= 5
        assert await _items(sandboxed.explorium, "prospects/match", "businesses/match") == bought
        results = await _results(sandboxed.platform, summary["retryJobId"])
        assert "credit budget spent (1 lookups per job)" in results[other_address].data["reason"]
        stored = await _contacts(sandboxed.platform)
        assert (stored[other_address].status, stored[found.email].status) == (
            "imported",
            "enriched",
        )
