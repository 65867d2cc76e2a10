"""An enrollment's pause made real at lemlist, and its end.

A pause here (an out-of-office reply, `replies/outcomes.py`; or a user's, `enrollments.py`)
queues a `campaigns.sync_lead_pause` job in the same transaction. The job reads the enrollment
as it stands when it runs and makes lemlist match:

- paused, with no return date or one still ahead: `POST /leads/pause/{lead}?campaignId=…`,
  then the same job is scheduled (`run_at`) for the return date;
- paused, the return date reached: `POST /leads/start/{lead}`, and the enrollment is active
  again, unless it changed meanwhile;
- active (a user resumed it): `POST /leads/start/{lead}`;
- finished (unsubscribed, bounced, stopped, completed, replied): nothing. Those win: lemlist
  is never started for them.

So a job that runs late, twice, or after a newer pause acts on the latest state; an outage
fails the attempt and the queue retries it with backoff.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from salesauto.campaigns.funnel import FINISHED
from salesauto.campaigns.tables import ENROLLMENTS, INSTANCES
from salesauto.jobs.repository import NewJob, insert_job_idempotent
from salesauto.kit.time import utcnow

LEAD_PAUSE_JOB = "campaigns.sync_lead_pause"
PAUSE_ATTEMPTS = 10  # lemlist outages are retried with the queue's capped backoff
PROVIDER = "lemlist"


@dataclass(frozen=True)
class LeadAtLemlist:
    """What the job needs of an enrollment, read when it runs."""

    enrollment_id: uuid.UUID
    status: str
    paused_until: datetime | None
    provider: str | None
    campaign_id: str | None
    lead_id: str | None

    def action(self, now: datetime) -> str:
        """`pause`, `resume` (and mark active), `start` (already active here), or `none`."""
        if self.status in FINISHED or self.status == "pending":
            return "none"
        if self.status == "paused":
            ahead = self.paused_until is None or self.paused_until > now
            return "pause" if ahead else "resume"
        return "start"

    @property
    def at_lemlist(self) -> bool:
        return self.provider == PROVIDER and bool(self.lead_id)


async def queue_lead_pause_sync(
    conn: AsyncConnection,
    owner_id: str,
    enrollment_id: uuid.UUID,
    *,
    key: str,
    run_at: datetime | None = None,
) -> int:
    """Queue (once per `key`) the job that makes lemlist match the enrollment; its id."""
    job_id, _ = await insert_job_idempotent(
        conn,
        NewJob(
            type=LEAD_PAUSE_JOB,
            parameters={"enrollment_id": str(enrollment_id)},
            run_at=run_at,
            max_attempts=PAUSE_ATTEMPTS,
            idempotency_key=f"{LEAD_PAUSE_JOB}:{enrollment_id}:{key}",
            owner_id=owner_id,
        ),
        utcnow(),
    )
    return job_id


async def load_lead(
    conn: AsyncConnection, owner_id: str, enrollment_id: uuid.UUID, *, lock: bool = False
) -> LeadAtLemlist | None:
    query = (
        sa.select(
            ENROLLMENTS.c.status,
            ENROLLMENTS.c.paused_until,
            ENROLLMENTS.c.provider_lead_id,
            INSTANCES.c.provider,
            INSTANCES.c.provider_campaign_id,
        )
        .join(INSTANCES, INSTANCES.c.id == ENROLLMENTS.c.instance_id)
        .where(ENROLLMENTS.c.owner_id == owner_id, ENROLLMENTS.c.id == enrollment_id)
    )
    row = (
        await conn.execute(query.with_for_update(of=ENROLLMENTS) if lock else query)
    ).one_or_none()
    if row is None:
        return None
    return LeadAtLemlist(
        enrollment_id=enrollment_id,
        status=row.status,
        paused_until=row.paused_until,
        provider=row.provider,
        campaign_id=row.provider_campaign_id,
        lead_id=row.provider_lead_id,
    )


async def schedule_resume(conn: AsyncConnection, owner_id: str, lead: LeadAtLemlist) -> int | None:
    """After a pause reached lemlist: the same job at the return date (none without one)."""
    if lead.paused_until is None:
        return None
    return await queue_lead_pause_sync(
        conn,
        owner_id,
        lead.enrollment_id,
        key=f"until:{lead.paused_until.isoformat()}",
        run_at=lead.paused_until,
    )


async def mark_resumed(conn: AsyncConnection, owner_id: str, seen: LeadAtLemlist) -> dict[str, Any]:
    """The enrollment active again, if it is still the pause the job resumed at lemlist."""
    current = await load_lead(conn, owner_id, seen.enrollment_id, lock=True)
    if current is None:
        return {"enrollment": "removed meanwhile"}
    if current.status != "paused" or current.paused_until != seen.paused_until:
        return {"enrollment": f"{current.status} (changed meanwhile; left as it is)"}
    await conn.execute(
        sa.update(ENROLLMENTS)
        .where(ENROLLMENTS.c.id == seen.enrollment_id)
        .values(status="active", paused_until=None)
    )
    return {"enrollment": "active"}
