"""`campaigns.classify_reply`: queued with every reply, in the transaction that stored it.

Until reply classification arrives (the AI issue replaces this handler), the reply is
recorded as `unclassified` on its enrollment, so a reader can tell it was seen.
"""

from __future__ import annotations

import uuid
from typing import Any

import sqlalchemy as sa
from pydantic import Field

from salesauto.campaigns.events import CLASSIFY_REPLY_JOB
from salesauto.campaigns.tables import ENROLLMENTS, EVENTS
from salesauto.jobs.context import JobContext
from salesauto.jobs.registry import JobParameters, job_type

UNCLASSIFIED = "unclassified"


class ClassifyReplyParameters(JobParameters):
    event_id: uuid.UUID = Field(..., description="The `replied` campaign event.")
    enrollment_id: uuid.UUID = Field(..., description="Its enrollment.")


@job_type(CLASSIFY_REPLY_JOB, ClassifyReplyParameters, internal=True)
async def classify_reply(
    context: JobContext, parameters: ClassifyReplyParameters
) -> dict[str, Any]:
    """Classifies a reply (for now: records it as unclassified on its enrollment)."""

    async def write() -> bool:
        async with context.queue.engine.begin() as conn:
            # Only while this reply is still the enrollment's latest one awaiting a class.
            latest = (
                sa.select(EVENTS.c.timestamp)
                .where(EVENTS.c.id == parameters.event_id)
                .scalar_subquery()
            )
            result = await conn.execute(
                sa.update(ENROLLMENTS)
                .where(
                    ENROLLMENTS.c.id == parameters.enrollment_id,
                    ENROLLMENTS.c.reply_class.is_(None),
                    ENROLLMENTS.c.last_reply_at <= latest,
                )
                .values(reply_class=UNCLASSIFIED)
            )
            return bool(result.rowcount)

    recorded = await context.queue.write(write)
    return {
        "eventId": str(parameters.event_id),
        "classification": UNCLASSIFIED,
        "recorded": recorded,
    }
