"""A user pauses or resumes one enrollment; lemlist follows by a queued job (pauses.py).

The enrollment changes here at once, and the job that makes lemlist match is queued in the
same transaction: when lemlist is down, the job retries until it gets through.
"""

from __future__ import annotations

import uuid
from typing import Literal

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

from salesauto.campaigns.pauses import queue_lead_pause_sync
from salesauto.campaigns.schemas import EnrollmentView
from salesauto.campaigns.tables import ENROLLMENTS
from salesauto.events.notifier import Notifier
from salesauto.kit.errors import Conflict, NotFound

PausableAction = Literal["pause", "resume"]
PAUSABLE = frozenset({"enrolled", "active", "paused"})


async def pause_or_resume(
    engine: AsyncEngine,
    notifier: Notifier | None,
    owner_id: str,
    instance_id: uuid.UUID,
    enrollment_id: uuid.UUID,
    action: PausableAction,
) -> EnrollmentView:
    """`pause` holds the lead until resumed (no return date); `resume` restarts it now."""
    where = (
        ENROLLMENTS.c.owner_id == owner_id,
        ENROLLMENTS.c.instance_id == instance_id,
        ENROLLMENTS.c.id == enrollment_id,
    )
    async with engine.begin() as conn:
        row = (
            await conn.execute(sa.select(ENROLLMENTS).where(*where).with_for_update())
        ).one_or_none()
        if row is None:
            raise NotFound(f"enrollment {enrollment_id} not found in instance {instance_id}")
        if action == "pause" and row.status not in PAUSABLE:
            raise Conflict(
                f"cannot pause an enrollment that is {row.status}; only enrolled, active or "
                "paused ones can be",
                status=row.status,
            )
        if action == "resume" and row.status != "paused":
            raise Conflict(
                f"cannot resume an enrollment that is {row.status}; only a paused one can be",
                status=row.status,
            )
        status = "paused" if action == "pause" else "active"
        updated = (
            await conn.execute(
                sa.update(ENROLLMENTS)
                .where(*where)
                .values(status=status, paused_until=None)
                .returning(*ENROLLMENTS.c)
            )
        ).one()
        await queue_lead_pause_sync(conn, owner_id, enrollment_id, key=f"user:{uuid.uuid4()}")
    if notifier is not None:
        notifier.jobs_available()
    return EnrollmentView.model_validate(dict(updated._mapping))
