"""The enrich step's writes while other transactions hold the same rows: the answer cache
shared by parallel enrich jobs, and contacts that the sync and outreach steps write too.

On PostgreSQL each test holds a row lock in one transaction, waits until the enrichment's
transactions are blocked behind it, then lets go. SQLite runs one write transaction at a
time (they begin IMMEDIATE), so there the same steps run one after the other.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import timedelta

import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from salesauto.contacts.merge import ContactFacts, provenance_stamp
from salesauto.contacts.repository import CONTACTS, merge_contacts
from salesauto.integrations.models import CompanyProfile, PersonProfile
from salesauto.kit.db import create_engine
from salesauto.kit.time import utcnow
from salesauto.pipeline.enrichment_cache import (
    CACHE,
    CachePolicy,
    cache_key,
    cached_answers,
    remember_answers,
)
from salesauto.pipeline.enrichment_waterfall import Subject
from salesauto.pipeline.enrichment_writeback import write_enrichment
from tests.support.waiting import eventually

POLICY = CachePolicy(timedelta(days=1))


@pytest.fixture
async def engine(database_url: str) -> AsyncIterator[AsyncEngine]:
    built = create_engine(database_url)
    try:
        yield built
    finally:
        await built.dispose()


async def _blocked(engine: AsyncEngine, waiting: int) -> None:
    """Until `waiting` transactions of this database wait for a lock (PostgreSQL)."""
    if engine.dialect.name != "postgresql":
        # SQLite's writers wait for the one connection the holder has: nothing to observe,
        # only give them the turn to start.
        await asyncio.sleep(0.05)
        return

    async def count() -> int:
        async with engine.connect() as conn:
            found = await conn.scalar(
                sa.text(
                    "SELECT count(*) FROM pg_stat_activity "
                    "WHERE datname = current_database() AND wait_event_type = 'Lock'"
                )
            )
        return int(found or 0)

    await eventually(count, lambda found: found >= waiting, timeout=10)


def _company(domain: str, industry: str) -> CompanyProfile:
    return CompanyProfile(provider="explorium", domain=domain, industry=industry)


async def test_parallel_jobs_caching_the_same_companies_both_commit(engine: AsyncEngine) -> None:
    domains = ["alpha.example", "bravo.example"]
    async with engine.begin() as conn:
        await remember_answers(
            conn,
            "explorium",
            CompanyProfile,
            [(domain, _company(domain, "old")) for domain in domains],
            POLICY,
            now=utcnow(),
        )

    async def remember(order: list[str]) -> None:
        async with engine.begin() as conn:
            await remember_answers(
                conn,
                "explorium",
                CompanyProfile,
                [(domain, _company(domain, "new")) for domain in order],
                POLICY,
                now=utcnow(),
            )

    # A third transaction holds bravo: the first job, given bravo first, queues for it; the
    # second, given alpha first, then takes alpha unless the first took it in key order.
    async with engine.connect() as holder:
        await holder.begin()
        await holder.execute(
            sa.select(CACHE.c.key)
            .where(CACHE.c.key == cache_key("explorium", "company", domains[1]))
            .with_for_update()
        )
        first = asyncio.create_task(remember(list(reversed(domains))))
        await _blocked(engine, 1)
        second = asyncio.create_task(remember(domains))
        await _blocked(engine, 2)
        await holder.commit()

    await asyncio.gather(first, second)  # a deadlock aborts one of them

    async with engine.connect() as conn:
        cached = await cached_answers(
            conn, "explorium", CompanyProfile, domains, POLICY, now=utcnow()
        )
    assert {domain: answer.industry if answer else None for domain, answer in cached.items()} == {
        "alpha.example": "new",
        "bravo.example": "new",
    }


async def _enroll(conn: AsyncConnection, email: str, lead_id: str) -> None:
    """What the outreach step writes when lemlist took the contact."""
    row = (
        await conn.execute(
            sa.select(CONTACTS.c.provenance)
            .where(CONTACTS.c.owner_id == "default", CONTACTS.c.email == email)
            .with_for_update()
        )
    ).one()
    provenance = dict(row.provenance) | {"lemlist_lead_id": provenance_stamp("lemlist", utcnow())}
    await conn.execute(
        sa.update(CONTACTS)
        .where(CONTACTS.c.owner_id == "default", CONTACTS.c.email == email)
        .values(status="enrolled", lemlist_lead_id=lead_id, provenance=provenance)
    )


async def test_an_enrichment_never_undoes_an_enrollment_committed_meanwhile(
    engine: AsyncEngine,
) -> None:
    email = "kim.lee@northwind.example"
    async with engine.begin() as conn:
        await merge_contacts(
            conn,
            "default",
            [ContactFacts(email=email, fields={"company_domain": "northwind.example"})],
            source="csv",
            at=utcnow(),
        )
        await conn.execute(sa.update(CONTACTS).values(status="enriched"))
        row = (await conn.execute(sa.select(CONTACTS))).one()
    subject = Subject.of(dict(row._mapping))
    subject.people["explorium"] = PersonProfile(
        provider="explorium",
        email=email,
        title="VP Sales",
        linkedin_url="https://linkedin.com/in/kl",
    )

    async def enrich() -> None:
        async with engine.begin() as conn:
            await write_enrichment(conn, "default", [subject], {}, at=utcnow())

    # Outreach enrolls the contact; the enrichment writes while outreach has not committed.
    async with engine.connect() as outreach:
        await outreach.begin()
        await _enroll(outreach, email, "lea_1")
        enrichment = asyncio.create_task(enrich())
        await _blocked(engine, 1)
        await outreach.commit()
    await enrichment

    async with engine.connect() as conn:
        stored = (await conn.execute(sa.select(CONTACTS))).one()
    assert (stored.status, stored.lemlist_lead_id) == ("enrolled", "lea_1")
    assert stored.title == "VP Sales"
    assert stored.provenance["lemlist_lead_id"]["source"] == "lemlist"
    assert stored.provenance["title"]["source"] == "explorium"
    assert stored.enriched_at is not None
