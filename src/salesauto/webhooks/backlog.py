"""The webhook backlog, read from the database at scrape time: orphans waiting for their
enrollment, the age of the oldest, and dead letters pending. In `/metrics`, and in
`/health/ready`, which says `degraded` past the thresholds in settings (still serving: a
backlog is a reason to look, not to take the API out of the load balancer)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from prometheus_client import Gauge
from sqlalchemy.ext.asyncio import AsyncEngine

from salesauto.config import Settings
from salesauto.deadletter.repository import pending_dead_letters
from salesauto.kit.time import utcnow
from salesauto.webhooks.repository import orphan_backlog

ORPHANS = Gauge(
    "salesauto_webhook_orphans", "Webhook events waiting for their enrollment (read at scrape)."
)
ORPHAN_AGE = Gauge(
    "salesauto_webhook_orphan_oldest_age_seconds",
    "Seconds since the oldest waiting orphaned event arrived (0 when none).",
)
DEAD_LETTERS = Gauge(
    "salesauto_dead_letter_events", "Dead-letter events pending replay or discard."
)


@dataclass(frozen=True)
class Backlog:
    orphans: int
    oldest_orphan_age_seconds: float
    dead_letters: int

    def problems(self, settings: Settings) -> list[str]:
        found = []
        depth = settings.webhook_orphan_degraded_depth
        if self.orphans > depth:
            found.append(
                f"{self.orphans} orphaned events waiting "
                f"(over SALESAUTO_WEBHOOK_ORPHAN_DEGRADED_DEPTH={depth})"
            )
        count = settings.dead_letter_degraded_count
        if self.dead_letters > count:
            found.append(
                f"{self.dead_letters} dead letters pending (over "
                f"SALESAUTO_DEAD_LETTER_DEGRADED_COUNT={count}); see `salesauto dlq list`"
            )
        return found

    def report(self, settings: Settings) -> dict[str, Any]:
        problems = self.problems(settings)
        return {
            "ok": not problems,
            "orphans": self.orphans,
            "oldestOrphanAgeSeconds": round(self.oldest_orphan_age_seconds, 1),
            "deadLetters": self.dead_letters,
            **({"problems": problems} if problems else {}),
        }


async def read_backlog(engine: AsyncEngine) -> Backlog:
    async with engine.connect() as conn:
        orphans, oldest = await orphan_backlog(conn)
        dead = await pending_dead_letters(conn)
    age = max(0.0, (utcnow() - oldest).total_seconds()) if oldest is not None else 0.0
    return Backlog(orphans, age, dead)


async def refresh_backlog_metrics(engine: AsyncEngine) -> Backlog:
    backlog = await read_backlog(engine)
    ORPHANS.set(backlog.orphans)
    ORPHAN_AGE.set(backlog.oldest_orphan_age_seconds)
    DEAD_LETTERS.set(backlog.dead_letters)
    return backlog
