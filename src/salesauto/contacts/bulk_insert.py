"""PostgreSQL's fast path for contacts seen for the first time: one statement per batch.

A fresh import is mostly new contacts. Looking each batch up first, building every row in
Python and then inserting it took four round trips and kept the import waiting on the
database for half its time. Here one statement names the batch's companies (creating the
missing ones), inserts the contacts that are neither stored nor erased, and returns which
emails it created; only the rest go through the lookup-and-merge path, which decides about
them exactly as before.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Sequence
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from salesauto.contacts.merge import CONTACT_FIELDS, ContactFacts, clean_fields
from salesauto.contacts.repository import CONTACTS, ERASURE_SOURCE, company_ids
from salesauto.kit.db import driver_connection
from salesauto.models.contacts import CONTACT_STAGES

_FIELD_COLUMNS = ", ".join(CONTACT_FIELDS)
_ARRAYS = ", ".join(f"${index}::text[]" for index in range(6, 6 + len(CONTACT_FIELDS) + 3))

# $1 owner, $2 source, $3 stage, $4 time, $5 the erasure source; then email, the contact fields,
# data and provenance as parallel arrays.
_INSERT_NEW = f"""
WITH batch AS (
    SELECT * FROM unnest({_ARRAYS}) WITH ORDINALITY
        AS b(email, {_FIELD_COLUMNS}, data, provenance, n)
),
wanted AS (
    SELECT DISTINCT ON (company_domain) company_domain AS domain, company_name AS name
    FROM batch WHERE company_domain IS NOT NULL
    ORDER BY company_domain, company_name IS NULL, n
),
known AS (
    SELECT c.id, c.domain, c.name
    FROM wanted w
    CROSS JOIN LATERAL (
        -- LIMIT keeps this a probe of the unique index per domain: flattened into a join,
        -- the planner would read every company of the workspace for each batch.
        SELECT id, domain, name FROM companies
        WHERE owner_id = $1 AND domain = w.domain
        LIMIT 1
    ) c
),
named AS (
    UPDATE companies c SET name = w.name, updated_at = $4
    FROM known k JOIN wanted w ON w.domain = k.domain
    WHERE c.id = k.id AND k.name IS NULL AND w.name IS NOT NULL
),
new_companies AS (
    INSERT INTO companies (owner_id, domain, name, data, provenance, created_at, updated_at)
    SELECT $1, w.domain, w.name, '{{}}'::jsonb, '{{}}'::jsonb, $4, $4 FROM wanted w
    WHERE NOT EXISTS (SELECT 1 FROM known k WHERE k.domain = w.domain)
    ORDER BY w.domain
    ON CONFLICT (owner_id, domain) DO NOTHING
    RETURNING domain, id
),
companies_of_batch AS (
    SELECT domain, id FROM new_companies UNION ALL SELECT domain, id FROM known
),
created AS (
    INSERT INTO imported_contacts (owner_id, email, source, status, {_FIELD_COLUMNS},
        company_id, data, provenance, imported_at, updated_at)
    SELECT $1, b.email, $2, $3, {", ".join(f"b.{name}" for name in CONTACT_FIELDS)},
        cb.id, b.data::jsonb, b.provenance::jsonb, $4, $4
    FROM batch b
    LEFT JOIN companies_of_batch cb ON cb.domain = b.company_domain
    WHERE NOT EXISTS (
        SELECT 1 FROM suppressions s
        WHERE s.owner_id = $1 AND s.kind = 'email' AND s.source = $5 AND s.value = b.email
    )
    -- Rows in key order: two imports inserting the same new emails (or domains) then wait
    -- for each other in one direction only, never in a cycle (a deadlock).
    ORDER BY b.email
    ON CONFLICT (owner_id, email) DO NOTHING
    RETURNING email, company_domain, company_id
)
SELECT email, company_domain, company_id FROM created
"""


class _ProvenanceText:
    """The JSON of a new row's provenance: one shared stamp for every field, so the text
    only depends on which fields the row has, and a batch has few such sets."""

    def __init__(self, source: str, at: datetime) -> None:
        self._stamp = json.dumps({"source": source, "at": at.isoformat()})
        self._texts: dict[tuple[str, ...], str] = {}

    def __call__(self, keys: tuple[str, ...]) -> str:
        text = self._texts.get(keys)
        if text is None:
            text = "{" + ",".join(f"{json.dumps(key)}:{self._stamp}" for key in keys) + "}"
            self._texts[keys] = text
        return text


async def insert_new_contacts(
    engine: AsyncEngine,
    owner_id: str,
    batch: Sequence[ContactFacts],
    *,
    source: str,
    at: datetime,
    parts: int = 2,
) -> set[str]:
    """Insert the contacts of `batch` that are neither stored nor erased; the emails created.

    The batch is split by company into `parts` transactions that run at once: the server's
    work (indexes, JSON, foreign keys) is what bounds a fresh import, and two backends use
    both cores. Splitting by company keeps two parts from creating the same company. Each
    part holds the workspace's merge lock in shared mode: parts and other imports' inserts
    run together, while a merge of stored contacts (exclusive) waits for them.
    """
    groups: list[list[ContactFacts]] = [[] for _ in range(parts)]
    for facts in batch:
        key = facts.fields.get("company_domain") or facts.email
        groups[hash(key) % parts].append(facts)
    created = await asyncio.gather(
        *(_insert_part(engine, owner_id, group, source, at) for group in groups if group)
    )
    return set().union(*created)


async def _insert_part(
    engine: AsyncEngine,
    owner_id: str,
    batch: list[ContactFacts],
    source: str,
    at: datetime,
) -> set[str]:
    columns = _columns(batch, source, at)
    async with engine.begin() as conn:
        await conn.execute(
            sa.text("SELECT pg_advisory_xact_lock_shared(hashtext(:owner))"), {"owner": owner_id}
        )
        driver = await driver_connection(conn)
        # The statement hashes the batch a few times over; the default 4 MB spills to disk.
        await driver.execute("SET LOCAL work_mem = '64MB'")
        rows = await driver.fetch(
            _INSERT_NEW, owner_id, source, CONTACT_STAGES[0], at, ERASURE_SOURCE, *columns
        )
        unlinked = {row["company_domain"] for row in rows if row["company_id"] is None}
        unlinked.discard(None)
        if unlinked:
            await _link_companies(conn, owner_id, unlinked, source, at)
    return {row["email"] for row in rows}


def _columns(batch: list[ContactFacts], source: str, at: datetime) -> list[list[str | None]]:
    """The batch as parallel text arrays: email, the contact fields, data, provenance."""
    columns: list[list[str | None]] = [[] for _ in range(len(CONTACT_FIELDS) + 3)]
    emails, data, provenance = columns[0], columns[-2], columns[-1]
    fields_of = columns[1:-2]
    provenance_text = _ProvenanceText(source, at)
    for facts in batch:
        fields = clean_fields(facts.fields)
        emails.append(facts.email)
        for name, column in zip(CONTACT_FIELDS, fields_of, strict=True):
            column.append(fields.get(name))
        data.append(json.dumps(facts.data))
        provenance.append(provenance_text((*fields, *(f"data.{key}" for key in facts.data))))
    return columns


async def _link_companies(
    conn: AsyncConnection, owner_id: str, domains: set[str], source: str, at: datetime
) -> None:
    """Another transaction was creating these companies as ours ran: link our new contacts
    to them now that they are committed."""
    companies = await company_ids(conn, owner_id, dict.fromkeys(domains), at=at)
    await conn.execute(
        sa.update(CONTACTS)
        .where(
            CONTACTS.c.owner_id == owner_id,
            CONTACTS.c.company_domain == sa.bindparam("domain"),
            CONTACTS.c.company_id.is_(None),
            CONTACTS.c.source == source,
            CONTACTS.c.imported_at == at,
        )
        .values(company_id=sa.bindparam("new_company_id")),
        [{"domain": domain, "new_company_id": id_} for domain, id_ in companies.items()],
    )
