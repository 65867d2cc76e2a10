"""Instance counters: incremented in SQL as events land, and rebuildable from the events.

Increments are `total_x = total_x + n` in one UPDATE, so concurrent events of one instance
never lose a count (PostgreSQL re-reads the row after waiting for its lock; SQLite has one
writer). `rebuild_counters` recomputes them with the same rules as `funnel.py`: every counter
counts enrollments (leads) that have at least one event of its kind, delivered being the leads
sent or reported delivered that never bounced.
"""

from __future__ import annotations

import uuid
from collections import Counter, defaultdict

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from salesauto.campaigns.tables import ENROLLMENTS, EVENTS, INSTANCES
from salesauto.kit.time import utcnow

COUNTER_EVENTS = {
    "total_sent": ("sent",),
    "total_opened": ("opened",),
    "total_clicked": ("clicked",),
    "total_replied": ("replied",),
    "total_bounced": ("bounced",),
    "total_unsubscribed": ("unsubscribed",),
}


async def add_to_counters(
    conn: AsyncConnection, instance_id: uuid.UUID, deltas: dict[str, int]
) -> None:
    changed = {name: delta for name, delta in deltas.items() if delta}
    if not changed:
        return
    await conn.execute(
        sa.update(INSTANCES)
        .where(INSTANCES.c.id == instance_id)
        .values({name: INSTANCES.c[name] + delta for name, delta in changed.items()})
    )


class CounterDeltas:
    """Increments gathered over the events of one transaction, written at its end: one
    UPDATE per instance, instances in id order, so concurrent batches lock them in one order
    and hold them only until their commit."""

    def __init__(self) -> None:
        self._by_instance: defaultdict[uuid.UUID, Counter[str]] = defaultdict(Counter)

    def add(self, instance_id: uuid.UUID, deltas: dict[str, int]) -> None:
        self._by_instance[instance_id].update(deltas)

    async def write(self, conn: AsyncConnection) -> None:
        for instance_id in sorted(self._by_instance):
            await add_to_counters(conn, instance_id, dict(self._by_instance[instance_id]))
        self._by_instance.clear()


def _leads_with(instance_id: uuid.UUID, *kinds: str) -> sa.Select[tuple[uuid.UUID]]:
    return (
        sa.select(EVENTS.c.enrollment_id)
        .where(EVENTS.c.instance_id == instance_id, EVENTS.c.event_type.in_(kinds))
        .distinct()
    )


def _count(
    query: sa.Select[tuple[uuid.UUID]] | sa.CompoundSelect[tuple[uuid.UUID]],
) -> sa.ScalarSelect[int]:
    return sa.select(sa.func.count()).select_from(query.subquery()).scalar_subquery()


async def rebuild_counters(conn: AsyncConnection, instance_id: uuid.UUID) -> dict[str, int]:
    """Recompute the instance's counters from its enrollments and events; returns them.

    Run it in the caller's transaction. It locks the instance row first, so events landing
    meanwhile wait and then add to the rebuilt values.
    """
    await conn.execute(
        sa.select(INSTANCES.c.id).where(INSTANCES.c.id == instance_id).with_for_update()
    )
    delivered = _leads_with(instance_id, "sent", "delivered").except_(
        _leads_with(instance_id, "bounced")
    )
    enrolled = (
        sa.select(sa.func.count())
        .select_from(ENROLLMENTS)
        .where(ENROLLMENTS.c.instance_id == instance_id, ENROLLMENTS.c.status != "pending")
        .scalar_subquery()
    )
    columns: dict[str, sa.ScalarSelect[int]] = {
        "total_enrolled": enrolled,
        "total_delivered": _count(delivered),
    }
    for name, kinds in COUNTER_EVENTS.items():
        columns[name] = _count(_leads_with(instance_id, *kinds))
    row = (await conn.execute(sa.select(*(v.label(k) for k, v in columns.items())))).one()
    counts = {name: int(value) for name, value in row._mapping.items()}
    await conn.execute(
        sa.update(INSTANCES)
        .where(INSTANCES.c.id == instance_id)
        .values(**counts, updated_at=utcnow())
    )
    return counts
