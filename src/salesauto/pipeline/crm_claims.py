"""One find-or-create of a HubSpot company at a time per (workspace, domain), across jobs.

A selection is synced by several jobs side by side, and HubSpot's search lags behind records
just created: two jobs meeting the same new company would both search, find nothing and both
create it. So a sync that needs a company's HubSpot id it does not know claims the company
first, then re-reads `companies.hubspot_id` (the job it waited for stored it), and stores the
id it found or created before it lets go.

- PostgreSQL: a transaction-level advisory lock per (workspace, domain), taken on a connection
  of the claim's own and released by the commit that stores the ids, so workers in every
  process and on every machine wait for each other.
- SQLite: a lock per (database, workspace, domain) in this process, with short transactions
  around it: the process's single connection must not wait on HubSpot. SQLite runs its
  workers in one process (the embedded default), so that is every worker there is.
"""

from __future__ import annotations

import asyncio
import hashlib
import weakref
from collections.abc import AsyncIterator, Sequence
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from salesauto.contacts.repository import COMPANIES
from salesauto.jobs.queue import Queue
from salesauto.pipeline.crm_hubspot import CompanyClaim, CompanySync

# The SQLite claims of this process; a lock lives as long as someone holds or awaits it.
_PROCESS_LOCKS: weakref.WeakValueDictionary[tuple[str, int], asyncio.Lock] = (
    weakref.WeakValueDictionary()
)


def claim_key(owner_id: str, domain: str) -> int:
    """The signed 64-bit advisory lock key of a workspace's company."""
    digest = hashlib.blake2b(f"hubspot-company\n{owner_id}\n{domain}".encode(), digest_size=8)
    return int.from_bytes(digest.digest(), "big", signed=True)


@dataclass(frozen=True)
class DatabaseCompanyClaims:
    """Claims on the workspace's `companies` rows, for `HubSpotSync`."""

    queue: Queue
    owner_id: str

    @asynccontextmanager
    async def claim(self, companies: Sequence[CompanySync]) -> AsyncIterator[CompanyClaim]:
        # Always taken in key order, so two jobs claiming overlapping sets cannot deadlock.
        keys = sorted({claim_key(self.owner_id, company.domain) for company in companies})
        company_ids = sorted({company.company_id for company in companies})
        engine = self.queue.engine
        if engine.dialect.name == "postgresql":
            async with engine.begin() as conn:
                for key in keys:
                    await conn.execute(sa.select(sa.func.pg_advisory_xact_lock(key)))
                yield _ClaimInTransaction(conn, self.owner_id, company_ids)
            return
        database = engine.url.render_as_string(hide_password=True)
        async with AsyncExitStack() as stack:
            for key in keys:
                lock = _PROCESS_LOCKS.setdefault((database, key), asyncio.Lock())
                await stack.enter_async_context(lock)
            yield _ClaimInShortTransactions(self.queue, self.owner_id, company_ids)


async def _stored_ids(
    conn: AsyncConnection, owner_id: str, company_ids: list[int]
) -> dict[int, str]:
    rows = await conn.execute(
        sa.select(COMPANIES.c.id, COMPANIES.c.hubspot_id).where(
            COMPANIES.c.owner_id == owner_id,
            COMPANIES.c.id.in_(company_ids),
            COMPANIES.c.hubspot_id.is_not(None),
        )
    )
    return {row.id: row.hubspot_id for row in rows}


async def _store_ids(conn: AsyncConnection, owner_id: str, ids: dict[int, str]) -> None:
    await conn.execute(
        sa.update(COMPANIES)
        .where(COMPANIES.c.owner_id == owner_id, COMPANIES.c.id == sa.bindparam("match_id"))
        .values(hubspot_id=sa.bindparam("new_id")),
        [{"match_id": company_id, "new_id": hubspot_id} for company_id, hubspot_id in ids.items()],
    )


@dataclass(frozen=True)
class _ClaimInTransaction:
    """PostgreSQL: read and write inside the transaction that holds the advisory locks
    (read committed: each read sees what the job we waited for committed)."""

    conn: AsyncConnection
    owner_id: str
    company_ids: list[int]

    async def stored_ids(self) -> dict[int, str]:
        return await _stored_ids(self.conn, self.owner_id, self.company_ids)

    async def store(self, ids: dict[int, str]) -> None:
        if ids:
            await _store_ids(self.conn, self.owner_id, ids)


@dataclass(frozen=True)
class _ClaimInShortTransactions:
    queue: Queue
    owner_id: str
    company_ids: list[int]

    async def stored_ids(self) -> dict[int, str]:
        async with self.queue.engine.connect() as conn:
            return await _stored_ids(conn, self.owner_id, self.company_ids)

    async def store(self, ids: dict[int, str]) -> None:
        if not ids:
            return

        async def write() -> None:
            async with self.queue.engine.begin() as conn:
                await _store_ids(conn, self.owner_id, ids)

        await self.queue.write(write)
