"""The local record of a provider campaign: its template and instance, found or created once.

A lemlist campaign (`cam_…`) is one `campaign_instances` row per workspace, unique on
(owner_id, provider, provider_campaign_id). Two jobs meeting the same new campaign at once
both insert with ON CONFLICT DO NOTHING and then read the row that won. The template's id is
derived from that same key, so the loser's template insert is a no-op too: no orphan template.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncConnection

from salesauto.kit.time import utcnow
from salesauto.models.base import table_of
from salesauto.models.campaigns import CampaignInstance, CampaignTemplate

INSTANCES = table_of(CampaignInstance)
TEMPLATES = table_of(CampaignTemplate)
NAME_MAX = 200
# Fixed namespace of the template ids derived from (owner, provider, provider campaign id).
TEMPLATE_NAMESPACE = uuid.UUID("6f3c8e52-1d0a-4b7e-9a55-2f1c0d9e7b41")


@dataclass(frozen=True)
class CampaignRef:
    """The local instance of a provider campaign, as the outreach step needs it."""

    instance_id: uuid.UUID
    provider: str
    provider_campaign_id: str
    name: str
    daily_cap: int | None  # None: the setting `outreach_daily_cap`


def _insert(conn: AsyncConnection, table: sa.Table) -> Any:
    dialect = postgresql if conn.dialect.name == "postgresql" else sqlite
    return dialect.insert(table)


def template_id_for(owner_id: str, provider: str, provider_campaign_id: str) -> uuid.UUID:
    return uuid.uuid5(TEMPLATE_NAMESPACE, f"{owner_id}\n{provider}\n{provider_campaign_id}")


async def ensure_campaign_instance(
    conn: AsyncConnection,
    owner_id: str,
    *,
    provider: str,
    provider_campaign_id: str,
    name: str,
    status: str | None,
    daily_cap: int | None = None,
) -> CampaignRef:
    """The workspace's instance of the provider campaign, created with its template when new.

    `daily_cap`, when given, becomes the instance's cap (None leaves the stored one alone).
    """
    now = utcnow()
    template_id = template_id_for(owner_id, provider, provider_campaign_id)
    await conn.execute(
        _insert(conn, TEMPLATES)
        .values(
            id=template_id,
            name=name[:NAME_MAX],
            description=f"{provider} campaign {provider_campaign_id}",
            provider=provider,
            # The sequence lives at the provider; a local template only names it.
            status="active",
            structure={"provider_campaign_id": provider_campaign_id},
            default_variables={},
            created_at=now,
        )
        .on_conflict_do_nothing(index_elements=["id"])
    )
    await conn.execute(
        _insert(conn, INSTANCES)
        .values(
            id=uuid.uuid4(),
            owner_id=owner_id,
            provider=provider,
            provider_campaign_id=provider_campaign_id,
            daily_cap=daily_cap,
            template_id=template_id,
            name=name[:NAME_MAX],
            status=(status or "running")[:20],
            structure=sa.select(TEMPLATES.c.structure)
            .where(TEMPLATES.c.id == template_id)
            .scalar_subquery(),
        )
        .on_conflict_do_nothing(index_elements=["owner_id", "provider", "provider_campaign_id"])
    )
    row = (
        await conn.execute(
            sa.select(INSTANCES).where(
                INSTANCES.c.owner_id == owner_id,
                INSTANCES.c.provider == provider,
                INSTANCES.c.provider_campaign_id == provider_campaign_id,
            )
        )
    ).one()
    cap = row.daily_cap
    if daily_cap is not None and daily_cap != cap:
        await conn.execute(
            sa.update(INSTANCES).where(INSTANCES.c.id == row.id).values(daily_cap=daily_cap)
        )
        cap = daily_cap
    return CampaignRef(
        instance_id=row.id,
        provider=provider,
        provider_campaign_id=provider_campaign_id,
        name=row.name,
        daily_cap=cap,
    )


async def lock_campaign_instance(conn: AsyncConnection, instance_id: uuid.UUID) -> None:
    """Hold the instance's row until the transaction ends, so enrollments of one campaign are
    counted and reserved by one transaction at a time. PostgreSQL: `FOR UPDATE` (a concurrent
    job waits here). SQLite renders no `FOR UPDATE`: its `BEGIN IMMEDIATE` already made this
    transaction the only writer."""
    await conn.execute(
        sa.select(INSTANCES.c.id).where(INSTANCES.c.id == instance_id).with_for_update()
    )
