"""`suppressions.propagate`: suppressions added here put on lemlist's unsubscribe list, so
lemlist stops every campaign of the address (or of the whole `@domain`) at once.

Queued by `propagation.suppress_everywhere` in the transaction that added the rows. lemlist's
add is idempotent, so a retry after an outage pushes the whole chunk again harmlessly.

`suppressions.unpush`: a removed suppression taken off that list again (queued by
`SuppressionService.remove`). Deleting an address lemlist no longer lists is a no-op, so it
is retried as safely.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from pydantic import Field

from salesauto.integrations.http.errors import ProviderAuthFailed, ProviderRejected
from salesauto.integrations.lemlist import LemlistClient
from salesauto.integrations.registry import Integrations
from salesauto.jobs.context import JobContext
from salesauto.jobs.registry import JobParameters, job_type
from salesauto.jobs.worker import PermanentJobError
from salesauto.pipeline.contacts import describe
from salesauto.suppressions.propagation import NOT_PUSHED, PROPAGATE_JOB, PUSH_CHUNK, UNPUSH_JOB
from salesauto.suppressions.repository import SUPPRESSIONS
from salesauto.suppressions.schemas import SuppressionKind

REMOVED = "removed from the suppression list before it reached lemlist"
NOT_CONFIGURED = "lemlist is not configured: nothing there to stop"


class PropagateParameters(JobParameters):
    suppression_ids: list[int] = Field(
        ..., min_length=1, max_length=PUSH_CHUNK, description="New `suppressions` rows."
    )


class UnpushParameters(JobParameters):
    kind: SuppressionKind
    value: str = Field(..., min_length=1, max_length=320, description="As it was stored.")


def lemlist_value(kind: str, value: str) -> str:
    """lemlist's unsubscribe list takes an address, or a domain written `@acme.com`."""
    return f"@{value}" if kind == "domain" else value


def _lemlist(context: JobContext) -> LemlistClient | None:
    integrations = getattr(context.services, "integrations", None)
    if isinstance(integrations, Integrations) and "lemlist" in integrations.clients:
        return integrations.lemlist
    return None


@job_type(PROPAGATE_JOB, PropagateParameters, internal=True)
async def push_suppressions_to_lemlist(
    context: JobContext, parameters: PropagateParameters
) -> dict[str, Any]:
    """Puts suppressed addresses and domains on lemlist's unsubscribe list.

    Outages and rate limits fail the attempt (the queue retries it with backoff); bad
    credentials fail the job; an entry lemlist refuses is reported and the rest go on.
    """
    async with context.queue.engine.connect() as conn:
        rows = (
            await conn.execute(
                sa.select(SUPPRESSIONS)
                .where(
                    SUPPRESSIONS.c.owner_id == context.owner_id,
                    SUPPRESSIONS.c.id.in_(parameters.suppression_ids),
                )
                .order_by(SUPPRESSIONS.c.id)
            )
        ).all()
    found = {row.id for row in rows}
    skipped = [
        {"id": suppression_id, "reason": REMOVED}
        for suppression_id in parameters.suppression_ids
        if suppression_id not in found
    ]
    pushed: list[str] = []
    rejected: list[dict[str, str]] = []
    lemlist = _lemlist(context)
    for row in rows:
        value = lemlist_value(row.kind, row.value)
        if lemlist is None or row.source in NOT_PUSHED:
            why = NOT_CONFIGURED if lemlist is None else f"added by {row.source}: not pushed"
            skipped.append({"value": value, "reason": why})
            continue
        try:
            await lemlist.add_unsubscribe(value)
        except ProviderAuthFailed as error:
            raise PermanentJobError(describe(error)) from None
        except ProviderRejected as error:
            rejected.append({"value": value, "error": describe(error)})
            continue
        pushed.append(value)
    return {"provider": "lemlist", "pushed": pushed, "rejected": rejected, "skipped": skipped}


@job_type(UNPUSH_JOB, UnpushParameters, internal=True)
async def remove_suppression_from_lemlist(
    context: JobContext, parameters: UnpushParameters
) -> dict[str, Any]:
    """Takes a removed suppression off lemlist's unsubscribe list, unless it was listed here
    again since. Outages and rate limits fail the attempt (retried with backoff)."""
    value = lemlist_value(parameters.kind, parameters.value)
    async with context.queue.engine.connect() as conn:
        again = await conn.execute(
            sa.select(SUPPRESSIONS.c.id).where(
                SUPPRESSIONS.c.owner_id == context.owner_id,
                SUPPRESSIONS.c.kind == parameters.kind,
                SUPPRESSIONS.c.value == parameters.value,
            )
        )
    result: dict[str, Any] = {"provider": "lemlist", "value": value}
    if again.first() is not None:
        return result | {"skipped": "suppressed again since: it stays on lemlist's list"}
    lemlist = _lemlist(context)
    if lemlist is None:
        return result | {"skipped": NOT_CONFIGURED}
    try:
        removed = await lemlist.delete_unsubscribe(value)
    except (ProviderAuthFailed, ProviderRejected) as error:
        raise PermanentJobError(describe(error)) from None
    return result | {"removed": removed is not None}
