"""Webhook endpoint and receipt queries."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from salesauto.models.base import table_of
from salesauto.models.webhooks import WebhookEndpoint, WebhookReceipt

ENDPOINTS = table_of(WebhookEndpoint)
RECEIPTS = table_of(WebhookReceipt)


@dataclass(frozen=True)
class NewReceipt:
    provider: str
    event_id: str
    owner_id: str
    body: str
    received_at: datetime
    endpoint_id: int | None = None
    headers: dict[str, str] = field(default_factory=dict)


async def live_endpoints(conn: AsyncConnection, provider: str, prefix: str) -> list[Any]:
    """Endpoints not revoked whose token starts with `prefix` (the candidates to compare)."""
    rows = await conn.execute(
        sa.select(ENDPOINTS.c.id, ENDPOINTS.c.owner_id, ENDPOINTS.c.token_hash).where(
            ENDPOINTS.c.provider == provider,
            ENDPOINTS.c.token_prefix == prefix,
            ENDPOINTS.c.revoked_at.is_(None),
        )
    )
    return list(rows)


async def live_endpoint_of(conn: AsyncConnection, provider: str, owner_id: str) -> Any | None:
    row = await conn.execute(
        sa.select(ENDPOINTS).where(
            ENDPOINTS.c.provider == provider,
            ENDPOINTS.c.owner_id == owner_id,
            ENDPOINTS.c.revoked_at.is_(None),
        )
    )
    return row.first()


async def lock_receipt(conn: AsyncConnection, receipt_id: int) -> Any | None:
    """The receipt, row-locked on PostgreSQL until the transaction ends (SQLite's
    `BEGIN IMMEDIATE` already serialises writers), so two workers never process it at once."""
    return (await lock_receipts(conn, [receipt_id])).get(receipt_id)


async def lock_receipts(conn: AsyncConnection, receipt_ids: list[int]) -> dict[int, Any]:
    """`lock_receipt` for several, locked in id order; by id."""
    query = sa.select(RECEIPTS).where(RECEIPTS.c.id.in_(receipt_ids)).order_by(RECEIPTS.c.id)
    if conn.dialect.name == "postgresql":
        query = query.with_for_update()
    return {int(row.id): row for row in await conn.execute(query)}


async def mark_processed(
    conn: AsyncConnection, receipt_ids: list[int], *, note: str | None, at: datetime
) -> None:
    """Receipts applied (each counting one more try), with the same note."""
    await conn.execute(
        sa.update(RECEIPTS)
        .where(RECEIPTS.c.id.in_(receipt_ids))
        .values(
            status="processed",
            attempts=RECEIPTS.c.attempts + 1,
            processed_at=at,
            next_attempt_at=None,
            error=note,
        )
    )


async def update_receipt(conn: AsyncConnection, receipt_id: int, **values: Any) -> None:
    await conn.execute(sa.update(RECEIPTS).where(RECEIPTS.c.id == receipt_id).values(**values))


async def due_orphans(conn: AsyncConnection, due_by: datetime, limit: int) -> list[int]:
    """Orphaned receipts whose next try is due by `due_by`, soonest first."""
    rows = await conn.execute(
        sa.select(RECEIPTS.c.id)
        .where(RECEIPTS.c.status == "orphaned", RECEIPTS.c.next_attempt_at <= due_by)
        .order_by(RECEIPTS.c.next_attempt_at, RECEIPTS.c.id)
        .limit(limit)
    )
    return list(rows.scalars())


async def orphan_backlog(conn: AsyncConnection) -> tuple[int, datetime | None]:
    """How many receipts wait as orphans, and when the oldest of them arrived."""
    row = (
        await conn.execute(
            sa.select(sa.func.count(), sa.func.min(RECEIPTS.c.received_at)).where(
                RECEIPTS.c.status == "orphaned"
            )
        )
    ).one()
    oldest = row[1]
    if isinstance(oldest, str):  # SQLite's MIN() loses the column type
        oldest = datetime.fromisoformat(oldest)
    if oldest is not None and oldest.tzinfo is None:
        oldest = oldest.replace(tzinfo=UTC)
    return int(row[0]), oldest
