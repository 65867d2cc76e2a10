"""Suppression queries. `suppressed` is the one check every caller runs before it spends,
syncs or sends."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncConnection

from salesauto.contacts.repository import one_of
from salesauto.models.base import table_of
from salesauto.models.contacts import Suppression

SUPPRESSIONS = table_of(Suppression)
LOOKUP_CHUNK = 2000


async def add_suppressions(
    conn: AsyncConnection,
    owner_id: str,
    entries: Iterable[tuple[str, str, str]],
    *,
    source: str,
    at: datetime,
) -> list[int]:
    """Insert (kind, value, reason) entries not listed yet; returns the new ids."""
    rows = [
        {
            "owner_id": owner_id,
            "kind": kind,
            "value": value,
            "reason": reason,
            "source": source,
            "created_at": at,
        }
        for kind, value, reason in entries
    ]
    if not rows:
        return []
    dialect = postgresql if conn.dialect.name == "postgresql" else sqlite
    statement = (
        dialect.insert(SUPPRESSIONS)
        .on_conflict_do_nothing(index_elements=["owner_id", "kind", "value"])
        .returning(SUPPRESSIONS.c.id)
    )
    ids: list[int] = []
    for row in rows:  # RETURNING with executemany is not portable; lists are small
        result = await conn.execute(statement, row)
        ids.extend(result.scalars())
    return ids


async def suppressed(conn: AsyncConnection, owner_id: str, emails: Iterable[str]) -> dict[str, str]:
    """Which of these (normalised) emails are suppressed, by email or by domain → reason."""
    wanted = sorted(set(emails))
    found: dict[str, str] = {}
    for start in range(0, len(wanted), LOOKUP_CHUNK):
        chunk = wanted[start : start + LOOKUP_CHUNK]
        domains = sorted({email.rpartition("@")[2] for email in chunk})
        rows = await conn.execute(
            sa.select(SUPPRESSIONS.c.kind, SUPPRESSIONS.c.value, SUPPRESSIONS.c.reason).where(
                SUPPRESSIONS.c.owner_id == owner_id,
                sa.or_(
                    sa.and_(
                        SUPPRESSIONS.c.kind == "email", one_of(conn, SUPPRESSIONS.c.value, chunk)
                    ),
                    sa.and_(
                        SUPPRESSIONS.c.kind == "domain",
                        one_of(conn, SUPPRESSIONS.c.value, domains),
                    ),
                ),
            )
        )
        by_email: dict[str, str] = {}
        by_domain: dict[str, str] = {}
        for kind, value, reason in rows:
            (by_email if kind == "email" else by_domain)[value] = reason
        for email in chunk:
            reason = by_email.get(email) or by_domain.get(email.rpartition("@")[2])
            if reason is not None:
                found[email] = reason
    return found
