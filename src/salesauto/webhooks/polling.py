"""Polling lemlist's activities: the fallback when its webhooks cannot reach this platform.

`webhooks.poll_lemlist` runs every minute. `SALESAUTO_LEMLIST_POLLING=auto` (the default)
polls while the workspace has no live lemlist hook (`salesauto webhooks register` makes one),
`on` polls even then, `off` never; `salesauto webhooks poll` runs one poll whatever the mode.

Each activity becomes a receipt exactly as a webhook delivery of it would (provider `lemlist`,
the same event id from `lemlist_event_id`) through the same store-then-process path, so an
activity received by webhook and by polling, or polled twice, is processed once.

The cursor: `GET /activities` pages by offset, newest first, above a `minDate`. A poll walks
from the newest activity down to the cursor minus `OVERLAP`, and only after a complete walk
moves the cursor to the newest `createdAt` it read. Activities created during the walk shift
the pages (read twice, stored once), so none is skipped; the overlap catches those lemlist
makes visible a little after their `createdAt`. The first poll reads
`SALESAUTO_LEMLIST_POLL_LOOKBACK_HOURS` back. Only tracked activity types of campaigns the
workspace runs (and third-party replies, which name no campaign) are stored: the account's
other campaigns would only fill the dead-letter store.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

from salesauto.campaigns.events import lemlist_event_type
from salesauto.campaigns.tables import INSTANCES
from salesauto.config import Settings
from salesauto.integrations.lemlist import LemlistClient
from salesauto.integrations.lemlist.schemas import Activity
from salesauto.integrations.registry import Integrations
from salesauto.jobs.queue import Queue
from salesauto.jobs.repository import dialect_insert
from salesauto.kit.time import utcnow
from salesauto.models.base import table_of
from salesauto.models.webhooks import ProviderPollCursor
from salesauto.webhooks.receiving import WebhookReceiver, lemlist_event_id
from salesauto.webhooks.repository import NewReceipt, live_endpoint_of

POLL_JOB = "webhooks.poll_lemlist"
CURSORS = table_of(ProviderPollCursor)
OVERLAP = timedelta(minutes=5)
STORE_BATCH = 100  # receipts per transaction: one page of activities
# Kept as the receipt's "headers": says where the event came from when diagnosing.
POLL_HEADERS = {"x-salesauto-source": "lemlist-poll"}


@dataclass
class PollOutcome:
    since: datetime
    cursor: datetime | None = None
    activities: int = 0  # read from lemlist
    stored: int = 0  # new receipts, queued for processing
    duplicates: int = 0  # already received (by webhook, or by an earlier poll)
    ignored: int = 0  # untracked types, or campaigns this workspace does not run

    def report(self) -> dict[str, object]:
        return {
            "polled": True,
            "since": self.since.isoformat(),
            "cursor": self.cursor.isoformat() if self.cursor else None,
            "activities": self.activities,
            "stored": self.stored,
            "duplicates": self.duplicates,
            "ignored": self.ignored,
        }


async def polling_off_reason(
    engine: AsyncEngine, settings: Settings, integrations: Integrations | None, owner_id: str
) -> str | None:
    """Why the scheduled poll does not run for `owner_id`, or None when it does."""
    if settings.lemlist_polling == "off":
        return "SALESAUTO_LEMLIST_POLLING is off"
    if integrations is None or "lemlist" not in integrations.clients:
        return "lemlist is not configured (no LEMLIST_API_KEY and no sandbox)"
    if settings.lemlist_polling == "auto":
        async with engine.connect() as conn:
            hook = await live_endpoint_of(conn, "lemlist", owner_id)
        if hook is not None:
            return "a lemlist webhook is registered (SALESAUTO_LEMLIST_POLLING=auto)"
    return None


class LemlistPoller:
    def __init__(self, queue: Queue, lemlist: LemlistClient) -> None:
        self.queue = queue
        self.engine = queue.engine
        self.settings = queue.settings
        self.lemlist = lemlist
        self.receiver = WebhookReceiver(queue.engine, queue, queue.settings)

    async def poll(self, owner_id: str) -> PollOutcome:
        """Read every activity since the cursor into receipts; then move the cursor."""
        now = utcnow()
        async with self.engine.connect() as conn:
            cursor = await conn.scalar(
                sa.select(CURSORS.c.cursor_at).where(
                    CURSORS.c.provider == "lemlist", CURSORS.c.owner_id == owner_id
                )
            )
            campaigns = await conn.scalars(
                sa.select(INSTANCES.c.provider_campaign_id).where(
                    INSTANCES.c.owner_id == owner_id,
                    INSTANCES.c.provider == "lemlist",
                    INSTANCES.c.provider_campaign_id.is_not(None),
                )
            )
            tracked = {str(campaign) for campaign in campaigns}
        since = (
            cursor - OVERLAP
            if cursor
            else now - timedelta(hours=self.settings.lemlist_poll_lookback_hours)
        )
        outcome = PollOutcome(since=since, cursor=cursor)
        batch: list[NewReceipt] = []
        async for activity in self.lemlist.iter_activities(since=since):
            outcome.activities += 1
            if outcome.cursor is None or activity.created_at > outcome.cursor:
                outcome.cursor = activity.created_at
            receipt = self._receipt(activity, owner_id, tracked, now)
            if receipt is None:
                outcome.ignored += 1
                continue
            batch.append(receipt)
            if len(batch) >= STORE_BATCH:
                await self._store(batch, outcome)
                batch = []
        if batch:
            await self._store(batch, outcome)
        await self.queue.write(lambda: self._save_cursor(owner_id, outcome.cursor, now))
        return outcome

    def _receipt(
        self, activity: Activity, owner_id: str, tracked: set[str], now: datetime
    ) -> NewReceipt | None:
        if lemlist_event_type(activity.type) is None:
            return None
        if activity.campaign_id is not None and activity.campaign_id not in tracked:
            return None
        payload = activity.model_dump(by_alias=True, mode="json", exclude_none=True)
        return NewReceipt(
            provider="lemlist",
            event_id=lemlist_event_id(payload),
            owner_id=owner_id,
            body=json.dumps(payload, separators=(",", ":")),
            headers=POLL_HEADERS,
            received_at=now,
        )

    async def _store(self, batch: list[NewReceipt], outcome: PollOutcome) -> None:
        received = await self.receiver.store(batch)
        outcome.stored += received.stored
        outcome.duplicates += received.duplicates

    async def _save_cursor(self, owner_id: str, cursor: datetime | None, now: datetime) -> None:
        # Two polls at once both walked from the same cursor: whichever writes last leaves a
        # cursor at or after it, so the worst case is reading a few activities again.
        async with self.engine.begin() as conn:
            insert = dialect_insert(conn)(CURSORS).values(
                provider="lemlist", owner_id=owner_id, cursor_at=cursor, polled_at=now
            )
            await conn.execute(
                insert.on_conflict_do_update(
                    index_elements=["provider", "owner_id"],
                    set_={"cursor_at": cursor, "polled_at": now},
                )
            )
