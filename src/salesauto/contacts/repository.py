"""Queries for contacts and companies; batch merges run in the caller's transaction."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncConnection

from salesauto.contacts.merge import (
    CONTACT_FIELDS,
    ContactFacts,
    merged_changes,
    new_row,
    provenance_stamp,
)
from salesauto.kit.db import driver_connection
from salesauto.models.base import table_of
from salesauto.models.contacts import Company, ImportedContact, Suppression

CONTACTS = table_of(ImportedContact)
COMPANIES = table_of(Company)
SUPPRESSIONS = table_of(Suppression)
# The suppression `source` of an erasure: such an email is never stored again.
ERASURE_SOURCE = "erasure"
# Rows per IN list: far under SQLite's 32,766 variables and PostgreSQL's 65,535 parameters.
LOOKUP_CHUNK = 2000
MERGE_COLUMNS = ("email", *CONTACT_FIELDS, "company_id", "data", "provenance")


@dataclass
class MergeCounts:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    erased: int = 0  # erased on request: never brought back

    def add(self, other: MergeCounts) -> None:
        self.created += other.created
        self.updated += other.updated
        self.unchanged += other.unchanged
        self.erased += other.erased


def _insert(conn: AsyncConnection, table: sa.Table) -> Any:
    dialect = postgresql if conn.dialect.name == "postgresql" else sqlite
    return dialect.insert(table)


def one_of(conn: AsyncConnection, column: Any, values: Sequence[str]) -> Any:
    """`column IN values`. On PostgreSQL as `IN (SELECT unnest(array))`: one parameter
    instead of thousands (which cost more to plan than to run), and a semi-join the planner
    can hash, where `= ANY(array)` compares every row with every value."""
    if conn.dialect.name == "postgresql":
        array = sa.cast(sa.literal(list(values)), postgresql.ARRAY(sa.Text))
        return column.in_(sa.select(sa.func.unnest(array)).scalar_subquery())
    return column.in_(values)


def any_of(conn: AsyncConnection, column: Any, values: Sequence[str]) -> Any:
    """`column IN values` for a short list looked up through an index: on PostgreSQL
    `= ANY(array)` (one parameter, and an index scan per value, where `one_of`'s semi-join
    makes the planner scan the table)."""
    if conn.dialect.name == "postgresql":
        return column == sa.any_(sa.cast(sa.literal(list(values)), postgresql.ARRAY(sa.Text)))
    return column.in_(values)


def _chunks(values: Sequence[str]) -> Iterable[Sequence[str]]:
    for start in range(0, len(values), LOOKUP_CHUNK):
        yield values[start : start + LOOKUP_CHUNK]


async def company_ids(
    conn: AsyncConnection, owner_id: str, names: dict[str, str | None], *, at: datetime
) -> dict[str, int]:
    """Ids of the companies with these domains, creating the missing ones (name if known)."""
    if not names:
        return {}
    domains = sorted(names)
    found, unnamed = await _company_ids(conn, owner_id, domains)
    named = [{"company_id": found[d], "new_name": names[d]} for d in unnamed if names[d]]
    if named:
        # A company first seen without a name takes the first name a later source gives.
        await conn.execute(
            sa.update(COMPANIES)
            .where(
                COMPANIES.c.owner_id == owner_id,
                COMPANIES.c.id == sa.bindparam("company_id"),
                COMPANIES.c.name.is_(None),
            )
            .values(name=sa.bindparam("new_name"), updated_at=at),
            named,
        )
    missing = [d for d in domains if d not in found]
    if missing:
        rows: list[dict[str, Any]] = [
            {
                "owner_id": owner_id,
                "domain": domain,
                "name": (names[domain] or None),
                "data": {},
                "provenance": {},
                "created_at": at,
                "updated_at": at,
            }
            for domain in missing
        ]
        # DO NOTHING: a concurrent import may have created some of them meanwhile.
        statement = _insert(conn, COMPANIES).on_conflict_do_nothing(
            index_elements=["owner_id", "domain"]
        )
        await conn.execute(statement, rows)
        found.update((await _company_ids(conn, owner_id, missing))[0])
    return found


async def _company_ids(
    conn: AsyncConnection, owner_id: str, domains: Sequence[str]
) -> tuple[dict[str, int], list[str]]:
    """Ids of the known companies among `domains`, and which of them have no name yet."""
    found: dict[str, int] = {}
    unnamed: list[str] = []
    for chunk in _chunks(domains):
        rows = await conn.execute(
            sa.select(COMPANIES.c.domain, COMPANIES.c.id, COMPANIES.c.name).where(
                COMPANIES.c.owner_id == owner_id, one_of(conn, COMPANIES.c.domain, chunk)
            )
        )
        for domain, company_id, name in rows:
            found[domain] = company_id
            if name is None:
                unnamed.append(domain)
    return found, unnamed


async def erased_emails(conn: AsyncConnection, owner_id: str, emails: Sequence[str]) -> set[str]:
    """Which of these emails were erased on request (they must never be stored again)."""
    erased: set[str] = set()
    for chunk in _chunks(emails):
        rows = await conn.execute(
            sa.select(SUPPRESSIONS.c.value).where(
                SUPPRESSIONS.c.owner_id == owner_id,
                SUPPRESSIONS.c.kind == "email",
                SUPPRESSIONS.c.source == ERASURE_SOURCE,
                one_of(conn, SUPPRESSIONS.c.value, chunk),
            )
        )
        erased.update(rows.scalars())
    return erased


async def stored_contacts(
    conn: AsyncConnection, owner_id: str, emails: Sequence[str]
) -> dict[str, dict[str, Any]]:
    stored: dict[str, dict[str, Any]] = {}
    columns = [CONTACTS.c[name] for name in MERGE_COLUMNS]
    for chunk in _chunks(emails):
        rows = await conn.execute(
            sa.select(*columns).where(
                CONTACTS.c.owner_id == owner_id, one_of(conn, CONTACTS.c.email, chunk)
            )
        )
        stored.update({row.email: dict(row._mapping) for row in rows})
    return stored


async def merge_contacts(
    conn: AsyncConnection,
    owner_id: str,
    batch: Sequence[ContactFacts],
    *,
    source: str,
    at: datetime,
    quiet: set[str] | frozenset[str] = frozenset(),
) -> MergeCounts:
    """Create or merge one batch (unique emails) of contacts and their companies.

    Emails in `quiet` are repeats of rows an earlier batch of the same file wrote: they only
    fill empty fields and are not counted (the caller counts them as duplicates).
    """
    counts = MergeCounts()
    if not batch:
        return counts
    if conn.dialect.name == "postgresql":
        # One merge per workspace at a time (SQLite's BEGIN IMMEDIATE already serialises):
        # two overlapping imports would otherwise read the same rows and overwrite each
        # other's `data`, or both insert a new email.
        await conn.execute(
            sa.text("SELECT pg_advisory_xact_lock(hashtext(:owner))"), {"owner": owner_id}
        )
    erased = await erased_emails(conn, owner_id, [facts.email for facts in batch])
    if erased:
        counts.erased = sum(
            1 for facts in batch if facts.email in erased and facts.email not in quiet
        )
        batch = [facts for facts in batch if facts.email not in erased]
    domains: dict[str, str | None] = {}
    for facts in batch:
        domain = facts.fields.get("company_domain")
        if domain and not domains.get(domain):
            domains[domain] = facts.fields.get("company_name") or None
    companies = await company_ids(conn, owner_id, domains, at=at)
    stored = await stored_contacts(conn, owner_id, [facts.email for facts in batch])
    inserts: list[dict[str, Any]] = []
    updates: list[dict[str, Any]] = []
    stamp = provenance_stamp(source, at)
    for facts in batch:
        domain = facts.fields.get("company_domain")
        company_id = companies.get(domain) if domain else None
        existing = stored.get(facts.email)
        counted = facts.email not in quiet
        if existing is None:
            inserts.append(
                new_row(owner_id, facts, source=source, at=at, company_id=company_id, stamp=stamp)
            )
            counts.created += counted
            continue
        changes = merged_changes(
            existing, facts, source=source, at=at, company_id=company_id, fill_only=not counted
        )
        if changes is None:
            counts.unchanged += counted
        else:
            updates.append(changes | {"match_email": facts.email})
            counts.updated += counted
    if inserts:
        await _insert_contacts(conn, inserts)
    if updates:
        await _apply_updates(conn, owner_id, updates)
    return counts


# On PostgreSQL a batch of new contacts travels as one binary COPY: about a quarter faster on
# the server than an INSERT of unnested column arrays. The caller has just checked, under the
# workspace's merge lock, that none of these emails exists.
_PG_COPY_COLUMNS = (
    "owner_id",
    "email",
    "source",
    "status",
    *CONTACT_FIELDS,
    "company_id",
    "data",
    "provenance",
    "imported_at",
    "updated_at",
)


def _provenance_json(provenance: dict[str, Any], encoded: dict[tuple[str, ...], str]) -> str:
    """`json.dumps(provenance)` for a new row. A batch's rows share one stamp object and
    mostly the same fields, so the text is built once per distinct set of fields: encoding
    the same `{"source", "at"}` a dozen times per row was a tenth of import time."""
    stamps = {id(stamp) for stamp in provenance.values()}
    if len(stamps) != 1:
        return json.dumps(provenance)
    key = (str(stamps.pop()), *provenance)
    text = encoded.get(key)
    if text is None:
        text = encoded[key] = json.dumps(provenance)
    return text


async def _insert_contacts(conn: AsyncConnection, rows: list[dict[str, Any]]) -> None:
    if conn.dialect.name != "postgresql":
        await conn.execute(sa.insert(CONTACTS), rows)
        return
    encoded: dict[tuple[str, ...], str] = {}
    records = [
        (
            *(row[name] for name in _PG_COPY_COLUMNS[:-4]),
            json.dumps(row["data"]),
            _provenance_json(row["provenance"], encoded),
            row["imported_at"],
            row["updated_at"],
        )
        for row in rows
    ]
    driver = await driver_connection(conn)
    await driver.copy_records_to_table(
        CONTACTS.name, records=records, columns=list(_PG_COPY_COLUMNS)
    )


async def _apply_updates(
    conn: AsyncConnection, owner_id: str, updates: list[dict[str, Any]]
) -> None:
    # executemany needs one shape per statement: group rows by the columns they change.
    by_shape: dict[tuple[str, ...], list[dict[str, Any]]] = {}
    for update in updates:
        shape = tuple(sorted(k for k in update if k != "match_email"))
        by_shape.setdefault(shape, []).append(update)
    for shape, rows in by_shape.items():
        # Bind names differ from column names: SQLAlchemy reserves those for SET itself.
        statement = (
            sa.update(CONTACTS)
            .where(
                CONTACTS.c.owner_id == owner_id,
                CONTACTS.c.email == sa.bindparam("match_email"),
            )
            .values({name: sa.bindparam(f"new_{name}") for name in shape})
        )
        params = [
            {"match_email": row["match_email"], **{f"new_{n}": row[n] for n in shape}}
            for row in rows
        ]
        await conn.execute(statement, params)
