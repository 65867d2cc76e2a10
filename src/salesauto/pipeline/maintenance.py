"""`enrichment.prune`: expired enrichment answers deleted daily, so the cache does not grow
for ever with entities nobody asks about again (an expired entry is never served anyway)."""

from __future__ import annotations

from typing import Any

from pydantic import Field

from salesauto.jobs.context import JobContext
from salesauto.jobs.pruning import delete_in_batches
from salesauto.jobs.registry import JobParameters, job_type
from salesauto.jobs.scheduler import CronSchedule, cron_schedule
from salesauto.kit.time import utcnow
from salesauto.models.base import table_of
from salesauto.models.contacts import EnrichmentCacheEntry

CACHE = table_of(EnrichmentCacheEntry)


class PruneCacheParameters(JobParameters):
    batch_size: int = Field(5000, ge=1, le=100_000)


@job_type("enrichment.prune", PruneCacheParameters)
async def prune_enrichment_cache(
    context: JobContext, parameters: PruneCacheParameters
) -> dict[str, Any]:
    """Deletes expired enrichment cache entries, in batches (short write transactions)."""
    deleted = await delete_in_batches(
        context.queue,
        CACHE,
        CACHE.c.key,
        CACHE.c.expires_at < utcnow(),
        batch_size=parameters.batch_size,
    )
    return {"deleted": deleted}


cron_schedule(
    CronSchedule(key="enrichment.prune", expression="43 3 * * *", job_type="enrichment.prune")
)
