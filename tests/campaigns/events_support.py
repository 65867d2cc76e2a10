"""Building instances, enrollments and contacts directly, for event tests."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

from salesauto.campaigns.applying import apply_provider_event
from salesauto.campaigns.events import EventOutcome, ProviderEvent
from salesauto.campaigns.tables import ENROLLMENTS, INSTANCES
from salesauto.contacts.merge import ContactFacts
from salesauto.contacts.repository import merge_contacts
from salesauto.kit.db import retry_locked
from salesauto.pipeline.campaigns import ensure_campaign_instance

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


async def campaign(engine: AsyncEngine, provider_campaign_id: str = "cam_1") -> uuid.UUID:
    async with engine.begin() as conn:
        ref = await ensure_campaign_instance(
            conn,
            "default",
            provider="lemlist",
            provider_campaign_id=provider_campaign_id,
            name=f"Campaign {provider_campaign_id}",
            status="running",
        )
    return ref.instance_id


async def enroll(
    engine: AsyncEngine, instance_id: uuid.UUID, email: str, *, status: str = "enrolled"
) -> uuid.UUID:
    enrollment_id = uuid.uuid4()
    async with engine.begin() as conn:
        await merge_contacts(conn, "default", [ContactFacts(email=email)], source="csv", at=T0)
        await conn.execute(
            sa.insert(ENROLLMENTS).values(
                id=enrollment_id,
                instance_id=instance_id,
                owner_id="default",
                contact_email=email,
                provider_lead_id=f"lea_{email.split('@')[0]}",
                status=status,
                current_step=0,
                variables={},
                enrolled_at=T0,
            )
        )
    return enrollment_id


def event(
    kind: str,
    email: str,
    *,
    event_id: str | None = None,
    minutes: float = 0,
    campaign_id: str | None = "cam_1",
    step: int | None = 0,
    **data: Any,
) -> ProviderEvent:
    return ProviderEvent(
        owner_id="default",
        provider="lemlist",
        provider_event_id=event_id or f"act_{uuid.uuid4().hex[:12]}",
        event_type=kind,
        email=email,
        provider_campaign_id=campaign_id,
        provider_lead_id=None,
        occurred_at=T0 + timedelta(minutes=minutes),
        step=step,
        data=data,
    )


async def apply(engine: AsyncEngine, *events: ProviderEvent) -> list[EventOutcome]:
    outcomes = []
    for one in events:

        async def write(one: ProviderEvent = one) -> EventOutcome:
            async with engine.begin() as conn:
                return await apply_provider_event(conn, one)

        outcomes.append(await retry_locked(write))
    return outcomes


async def instance_row(engine: AsyncEngine, instance_id: uuid.UUID) -> Any:
    async with engine.connect() as conn:
        return (await conn.execute(sa.select(INSTANCES).where(INSTANCES.c.id == instance_id))).one()


async def enrollment_row(engine: AsyncEngine, enrollment_id: uuid.UUID) -> Any:
    async with engine.connect() as conn:
        return (
            await conn.execute(sa.select(ENROLLMENTS).where(ENROLLMENTS.c.id == enrollment_id))
        ).one()


def counters(row: Any) -> dict[str, int]:
    names = ("enrolled", "sent", "delivered", "opened", "clicked", "replied", "bounced")
    return {name: getattr(row, f"total_{name}") for name in (*names, "unsubscribed")}
