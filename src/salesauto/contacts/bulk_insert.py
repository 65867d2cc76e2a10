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
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from salesauto.contacts.merge import CONTACT_FIELDS, ContactFacts, clean_fields
from salesauto.contacts.repository import CONTACTS, ERASURE_SOURCE, company_ids
from salesauto.kit.db import driver_connection
from salesauto.models.contacts import CONTACT_STAGES

_FIELD_COLUMNS = ", ".join(CONTACT_FIELDS)
_RECORD = ", ".join(
    ["email text", *(f"{name} text" for name in CONTACT_FIELDS), "data jsonb", "p int", "n int"]
)

# $1 owner, $2 source, $3 stage, $4 time, $5 the erasure source, $6 the batch as one JSON
# array of row objects, $7 the batch's distinct provenances (a row's `p` indexes them).
# One JSON text instead of a text array per column: the driver encodes an array element by
# element in Python (two ABC checks each, a third of the import's time), while one
# `json.dumps` of the batch runs in C and the server parses it once.
_INSERT_NEW = f"""
WITH batch AS (
    SELECT b.*, $7::jsonb -> b.p AS provenance
    FROM jsonb_to_recordset($6::jsonb) AS b({_RECORD})
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
        cb.id, b.data, b.provenance, $4, $4
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
-- Whether each new contact is on the suppression list (by email or domain), for the
-- import's summary: asked here, the batch needs no lookup of its own.
SELECT email, company_domain, company_id, EXISTS (
    SELECT 1 FROM suppressions s
    WHERE s.owner_id = $1 AND (
        (s.kind = 'email' AND s.value = created.email)
        OR (s.kind = 'domain' AND s.value = substring(created.email from '@([^@]*)$'))
    )
) AS suppressed
FROM created
"""


@dataclass
class NewContacts:
    created: set[str] = field(default_factory=set)  # emails
    suppressed: set[str] = field(default_factory=set)  # of those, the ones on the list


async def insert_new_contacts(
    engine: AsyncEngine,
    owner_id: str,
    batch: Sequence[ContactFacts],
    *,
    source: str,
    at: datetime,
    parts: int = 2,
) -> NewContacts:
    """Insert the contacts of `batch` that are neither stored nor erased: the emails created,
    and which of them are suppressed (by email or domain).

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
    inserted = NewContacts()
    for part in await asyncio.gather(
        *(_insert_part(engine, owner_id, group, source, at) for group in groups if group)
    ):
        inserted.created |= part.created
        inserted.suppressed |= part.suppressed
    return inserted


async def _insert_part(
    engine: AsyncEngine,
    owner_id: str,
    batch: list[ContactFacts],
    source: str,
    at: datetime,
) -> NewContacts:
    document, provenances = _batch_document(batch, source, at)
    async with engine.begin() as conn:
        await conn.execute(
            sa.text("SELECT pg_advisory_xact_lock_shared(hashtext(:owner))"), {"owner": owner_id}
        )
        driver = await driver_connection(conn)
        # The statement hashes the batch a few times over; the default 4 MB spills to disk.
        await driver.execute("SET LOCAL work_mem = '64MB'")
        rows = await driver.fetch(
            _INSERT_NEW,
            *(owner_id, source, CONTACT_STAGES[0], at, ERASURE_SOURCE),
            *(document, provenances),
        )
        unlinked = {row["company_domain"] for row in rows if row["company_id"] is None}
        unlinked.discard(None)
        if unlinked:
            await _link_companies(conn, owner_id, unlinked, source, at)
    return NewContacts(
        created={row["email"] for row in rows},
        suppressed={row["email"] for row in rows if row["suppressed"]},
    )


def _batch_document(batch: list[ContactFacts], source: str, at: datetime) -> tuple[str, str]:
    """The batch as JSON row objects (missing fields are NULL) and its distinct provenances:
    one shared stamp for every field, so a provenance only depends on which fields the row
    has, and a batch has few such sets."""
    stamp = {"source": source, "at": at.isoformat()}
    provenances: dict[tuple[str, ...], int] = {}
    rows: list[dict[str, Any]] = []
    for n, facts in enumerate(batch):
        fields = clean_fields(facts.fields)
        keys = (*fields, *(f"data.{key}" for key in facts.data))
        provenance = provenances.setdefault(keys, len(provenances))
        rows.append({"email": facts.email, **fields, "data": facts.data, "n": n, "p": provenance})
    distinct = [dict.fromkeys(keys, stamp) for keys in provenances]
    return json.dumps(rows, separators=(",", ":")), json.dumps(distinct, separators=(",", ":"))


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
