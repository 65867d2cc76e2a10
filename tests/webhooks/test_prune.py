"""`webhooks.prune`: processed receipts past retention go; orphans and recent ones stay."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa

from salesauto.kit.time import utcnow
from tests.support.waiting import wait_for_job
from tests.webhooks.conftest import RECEIPTS, Api, rows


async def test_prune_deletes_only_old_processed_receipts(api: Api) -> None:
    old = utcnow() - timedelta(days=31)
    receipts = [
        ("act_old", "processed", old),
        ("act_old_orphan", "orphaned", old),
        ("act_new", "processed", utcnow()),
    ]
    async with api.engine.begin() as conn:
        await conn.execute(
            sa.insert(RECEIPTS),
            [
                {"provider": "lemlist", "event_id": event_id, "owner_id": "default",
                 "body": "{}", "headers": {}, "received_at": at, "status": status,
                 "attempts": 1}
                for event_id, status, at in receipts
            ],
        )  # fmt: skip
    response = await api.http.post("/api/jobs", json={"type": "webhooks.prune"})
    job = await wait_for_job(api.platform, response.json()["jobId"], ("completed", "failed"))
    assert job.status == "completed" and job.result == {"deleted": 1}
    left = sorted(row.event_id for row in await rows(api.engine, RECEIPTS))
    assert left == ["act_new", "act_old_orphan"]
