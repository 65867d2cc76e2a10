"""Campaign instances: spawned from a template (the lemlist campaign created, or an existing
one linked), listed, and started, paused, resumed or stopped at the provider and here.

The provider is called first and the local row changes after, guarded by the status it was
read with: two actions racing on one instance cannot both apply (the loser gets a 409).
lemlist has no stop: a stopped instance is paused at lemlist and never started again.
"""

from __future__ import annotations

import uuid
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from salesauto.campaigns.funnel import FINISHED
from salesauto.campaigns.paging import newest_first, page_of
from salesauto.campaigns.schemas import (
    Action,
    Counters,
    InstanceCreate,
    InstancePage,
    InstanceView,
)
from salesauto.campaigns.sequences import lemlist_sequence
from salesauto.campaigns.tables import ENROLLMENTS, INSTANCES
from salesauto.campaigns.templates import template_row
from salesauto.integrations.http.errors import ProviderRejected
from salesauto.integrations.lemlist import LemlistClient
from salesauto.integrations.lemlist.schemas import CampaignCreate
from salesauto.integrations.registry import Integrations
from salesauto.jobs.repository import dialect_insert
from salesauto.kit.errors import Conflict, InvalidInput, NotFound
from salesauto.kit.time import utcnow

PROVIDER = "lemlist"
# action → (statuses it applies to, the status it leads to)
TRANSITIONS: dict[str, tuple[frozenset[str], str]] = {
    "start": (frozenset({"draft"}), "running"),
    "pause": (frozenset({"running"}), "paused"),
    "resume": (frozenset({"paused"}), "running"),
    "stop": (frozenset({"draft", "running", "paused"}), "stopped"),
}
HINTS = {
    "running": "pause or stop it",
    "paused": "resume or stop it",
    "draft": "start it first",
    "stopped": "a stopped campaign stays stopped; spawn a new instance",
}


async def instance_row(conn: AsyncConnection, owner_id: str, instance_id: uuid.UUID) -> Any:
    row = (
        await conn.execute(
            sa.select(INSTANCES).where(
                INSTANCES.c.owner_id == owner_id, INSTANCES.c.id == instance_id
            )
        )
    ).one_or_none()
    if row is None:
        raise NotFound(f"campaign instance {instance_id} not found")
    return row


def instance_view(row: Any) -> InstanceView:
    counters = Counters(
        enrolled=row.total_enrolled,
        sent=row.total_sent,
        delivered=row.total_delivered,
        opened=row.total_opened,
        clicked=row.total_clicked,
        replied=row.total_replied,
        bounced=row.total_bounced,
        unsubscribed=row.total_unsubscribed,
    )
    return InstanceView(
        id=row.id,
        template_id=row.template_id,
        name=row.name,
        provider=row.provider,
        provider_campaign_id=row.provider_campaign_id,
        status=row.status,
        daily_cap=row.daily_cap,
        counters=counters,
        created_at=row.created_at,
        started_at=row.started_at,
        paused_at=row.paused_at,
        stopped_at=row.stopped_at,
    )


class InstanceService:
    def __init__(self, engine: AsyncEngine, integrations: Integrations) -> None:
        self.engine = engine
        self.integrations = integrations

    @property
    def lemlist(self) -> LemlistClient:
        """Resolved when a call needs it: reading instances works without lemlist set up."""
        return self.integrations.lemlist

    async def spawn(self, owner_id: str, body: InstanceCreate) -> InstanceView:
        """Create the template's lemlist campaign with its steps, or link an existing one."""
        async with self.engine.connect() as conn:
            template = await template_row(conn, owner_id, body.template_id)
        name = body.name or template.name
        if body.provider_campaign_id is not None:
            await self._refuse_linked(owner_id, body.provider_campaign_id)
            campaign_id, status = await self._existing_campaign(body.provider_campaign_id)
        else:
            steps = (template.structure or {}).get("steps") or []
            if not steps:
                raise Conflict(
                    f"campaign template {template.id} has no steps to create a campaign "
                    "from; add steps to it, or pass providerCampaignId to link a campaign"
                )
            created = await self.lemlist.create_campaign(CampaignCreate(name=name))
            # A step with `onlyIfNotOpened` comes with its lemlist condition (sequences.py).
            for step in lemlist_sequence(steps):
                await self.lemlist.add_sequence_step(created.sequence_id, step)
            campaign_id, status = created.id, created.state or "draft"
        instance_id = uuid.uuid4()
        async with self.engine.begin() as conn:
            await template_row(conn, owner_id, template.id, lock=True)
            inserted = await conn.execute(
                dialect_insert(conn)(INSTANCES)
                .values(
                    id=instance_id,
                    owner_id=owner_id,
                    provider=PROVIDER,
                    provider_campaign_id=campaign_id,
                    daily_cap=body.daily_cap,
                    template_id=template.id,
                    name=name,
                    status=status[:20],
                    structure=template.structure,
                    created_at=utcnow(),
                )
                .on_conflict_do_nothing(
                    index_elements=["owner_id", "provider", "provider_campaign_id"]
                )
                .returning(INSTANCES.c.id)
            )
            if inserted.scalar_one_or_none() is None:
                raise Conflict(f"lemlist campaign {campaign_id} is already linked to an instance")
            return instance_view(await instance_row(conn, owner_id, instance_id))

    async def _refuse_linked(self, owner_id: str, campaign_id: str) -> None:
        async with self.engine.connect() as conn:
            linked = (
                await conn.execute(
                    sa.select(INSTANCES.c.id).where(
                        INSTANCES.c.owner_id == owner_id,
                        INSTANCES.c.provider == PROVIDER,
                        INSTANCES.c.provider_campaign_id == campaign_id,
                    )
                )
            ).scalar_one_or_none()
        if linked is not None:
            raise Conflict(
                f"lemlist campaign {campaign_id} is already linked to instance {linked}",
                instanceId=str(linked),
            )

    async def _existing_campaign(self, campaign_id: str) -> tuple[str, str]:
        try:
            campaign = await self.lemlist.get_campaign(campaign_id)
        except ProviderRejected as error:
            if error.status != 404:
                raise
            raise InvalidInput(
                f"lemlist has no campaign {campaign_id!r}; pass the cam_… id of one of your "
                "campaigns",
                field="providerCampaignId",
            ) from None
        return campaign.id, campaign.status or "draft"

    async def page(
        self, owner_id: str, *, status: str | None, cursor: str | None, limit: int
    ) -> InstancePage:
        query = sa.select(INSTANCES).where(INSTANCES.c.owner_id == owner_id)
        if status is not None:
            query = query.where(INSTANCES.c.status == status)
        query = newest_first(query, INSTANCES.c.created_at, INSTANCES.c.id, cursor, limit)
        async with self.engine.connect() as conn:
            rows = list(await conn.execute(query))
        page, next_cursor = page_of(rows, limit, "created_at")
        return InstancePage(instances=[instance_view(r) for r in page], next_cursor=next_cursor)

    async def get(self, owner_id: str, instance_id: uuid.UUID) -> InstanceView:
        async with self.engine.connect() as conn:
            return instance_view(await instance_row(conn, owner_id, instance_id))

    async def act(self, owner_id: str, instance_id: uuid.UUID, action: Action) -> InstanceView:
        """Start, pause, resume or stop; an action the status does not allow is a 409."""
        async with self.engine.connect() as conn:
            row = await instance_row(conn, owner_id, instance_id)
        allowed, target = TRANSITIONS[action]
        if row.status not in allowed:
            hint = HINTS.get(row.status, "")
            raise Conflict(
                f"cannot {action} a campaign that is {row.status}" + (f"; {hint}" if hint else ""),
                status=row.status,
            )
        await self._tell_provider(row, action)
        now = utcnow()
        values: dict[str, Any] = {"status": target, "updated_at": now}
        if action == "start":
            values.update(started_at=row.started_at or now, paused_at=None)
        elif action == "pause":
            values["paused_at"] = now
        elif action == "resume":
            values["paused_at"] = None
        else:
            values.update(stopped_at=now, paused_at=None)
        async with self.engine.begin() as conn:
            if action == "stop":
                # Enrollments before the instance, by (email, id): the lock order events use
                # (no deadlock with a batch of events holding several of them).
                await conn.execute(
                    sa.select(ENROLLMENTS.c.id)
                    .where(
                        ENROLLMENTS.c.instance_id == instance_id,
                        ENROLLMENTS.c.status.not_in(sorted(FINISHED)),
                    )
                    .order_by(ENROLLMENTS.c.contact_email, ENROLLMENTS.c.id)
                    .with_for_update()
                )
                await conn.execute(
                    sa.update(ENROLLMENTS)
                    .where(
                        ENROLLMENTS.c.instance_id == instance_id,
                        ENROLLMENTS.c.status.not_in(sorted(FINISHED)),
                    )
                    .values(
                        status="stopped",
                        stop_reason="campaign stopped",
                        completed_at=now,
                        paused_until=None,
                    )
                )
            changed = await conn.execute(
                sa.update(INSTANCES)
                .where(INSTANCES.c.id == instance_id, INSTANCES.c.status == row.status)
                .values(values)
            )
            if changed.rowcount != 1:  # rolls the enrollments back too
                raise Conflict(f"campaign instance {instance_id} changed meanwhile; reload it")
            return instance_view(await instance_row(conn, owner_id, instance_id))

    async def _tell_provider(self, row: Any, action: str) -> None:
        if row.provider != PROVIDER or row.provider_campaign_id is None:
            return
        if action in ("start", "resume"):
            await self.lemlist.start_campaign(row.provider_campaign_id)
        elif action == "pause" or (action == "stop" and row.status == "running"):
            await self.lemlist.pause_campaign(row.provider_campaign_id)
