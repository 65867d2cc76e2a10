"""What an instance shows: its enrollments, its events, and its funnel with rates."""

from __future__ import annotations

import uuid
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

from salesauto.campaigns.counters import rebuild_counters
from salesauto.campaigns.instances import instance_row
from salesauto.campaigns.paging import newest_first, page_of
from salesauto.campaigns.schemas import (
    CampaignStats,
    EnrollmentPage,
    EnrollmentView,
    EventPage,
    EventView,
    FunnelStage,
    Rates,
)
from salesauto.campaigns.tables import ENROLLMENTS, EVENTS

FUNNEL = ("enrolled", "sent", "delivered", "opened", "clicked", "replied")


def _share(part: int, whole: int) -> float:
    return round(part / whole, 4) if whole > 0 else 0.0


def campaign_stats(row: Any) -> CampaignStats:
    """The funnel of leads and its rates from an instance row's counters."""
    counts = {stage: int(getattr(row, f"total_{stage}")) for stage in FUNNEL}
    bounced, unsubscribed = int(row.total_bounced), int(row.total_unsubscribed)
    delivered = counts["delivered"]
    return CampaignStats(
        instance_id=row.id,
        funnel=[FunnelStage(stage=stage, count=counts[stage]) for stage in FUNNEL],
        bounced=bounced,
        unsubscribed=unsubscribed,
        rates=Rates(
            open_rate=_share(counts["opened"], delivered),
            click_rate=_share(counts["clicked"], delivered),
            reply_rate=_share(counts["replied"], delivered),
            bounce_rate=_share(bounced, counts["sent"]),
            unsubscribe_rate=_share(unsubscribed, delivered),
        ),
    )


class CampaignReports:
    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine

    async def enrollments(
        self,
        owner_id: str,
        instance_id: uuid.UUID,
        *,
        status: str | None,
        cursor: str | None,
        limit: int,
    ) -> EnrollmentPage:
        """Newest enrollments first."""
        query = sa.select(ENROLLMENTS).where(ENROLLMENTS.c.instance_id == instance_id)
        if status is not None:
            query = query.where(ENROLLMENTS.c.status == status)
        query = newest_first(query, ENROLLMENTS.c.enrolled_at, ENROLLMENTS.c.id, cursor, limit)
        async with self.engine.connect() as conn:
            await instance_row(conn, owner_id, instance_id)
            rows = list(await conn.execute(query))
        page, next_cursor = page_of(rows, limit, "enrolled_at")
        return EnrollmentPage(
            enrollments=[EnrollmentView.model_validate(dict(r._mapping)) for r in page],
            next_cursor=next_cursor,
        )

    async def events(
        self,
        owner_id: str,
        instance_id: uuid.UUID,
        *,
        event_type: str | None,
        cursor: str | None,
        limit: int,
    ) -> EventPage:
        """Newest events first (by when they happened at the provider)."""
        query = (
            sa.select(EVENTS, ENROLLMENTS.c.contact_email)
            .join(ENROLLMENTS, ENROLLMENTS.c.id == EVENTS.c.enrollment_id)
            .where(EVENTS.c.instance_id == instance_id)
        )
        if event_type is not None:
            query = query.where(EVENTS.c.event_type == event_type)
        query = newest_first(query, EVENTS.c.timestamp, EVENTS.c.id, cursor, limit)
        async with self.engine.connect() as conn:
            await instance_row(conn, owner_id, instance_id)
            rows = list(await conn.execute(query))
        page, next_cursor = page_of(rows, limit, "timestamp")
        return EventPage(
            events=[
                EventView(
                    id=row.id,
                    enrollment_id=row.enrollment_id,
                    contact_email=row.contact_email,
                    type=row.event_type,
                    provider=row.provider,
                    provider_event_id=row.provider_event_id,
                    timestamp=row.timestamp,
                    data=row.event_data,
                )
                for row in page
            ],
            next_cursor=next_cursor,
        )

    async def stats(self, owner_id: str, instance_id: uuid.UUID) -> CampaignStats:
        async with self.engine.connect() as conn:
            return campaign_stats(await instance_row(conn, owner_id, instance_id))

    async def recount(self, owner_id: str, instance_id: uuid.UUID) -> CampaignStats:
        """Rebuild the counters from the events and enrollments, then report them."""
        async with self.engine.begin() as conn:
            await instance_row(conn, owner_id, instance_id)
            await rebuild_counters(conn, instance_id)
            return campaign_stats(await instance_row(conn, owner_id, instance_id))
