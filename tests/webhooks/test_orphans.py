"""Events that arrive before their enrollment: retried with backoff, applied once the
enrollment exists, dead-lettered after the last try and replayable; Redis or not."""

from __future__ import annotations

import uuid

from redis.asyncio import Redis

from tests.support.waiting import eventually
from tests.webhooks.conftest import (
    DEAD_LETTERS,
    EVENTS,
    RECEIPTS,
    Api,
    activity,
    enroll,
    lemlist_token,
    rows,
    running_api,
    wait_for_statuses,
    webhook_settings,
)


async def _post(api: Api, token: str, email: str) -> None:
    response = await api.http.post(f"/webhooks/lemlist/{token}", json=activity(email))
    assert response.json()["received"] == 1


async def _applied_once(api: Api, email: str) -> None:
    await wait_for_statuses(api.engine, ["processed"])
    events = await rows(api.engine, EVENTS)
    assert [e.event_type for e in events] == ["opened"]
    assert await rows(api.engine, DEAD_LETTERS) == []


async def test_an_orphan_is_applied_once_its_enrollment_appears(api: Api) -> None:
    token = await lemlist_token(api.engine)
    await _post(api, token, "early@acme.test")
    await wait_for_statuses(api.engine, ["orphaned"])
    (receipt,) = await rows(api.engine, RECEIPTS)
    assert receipt.next_attempt_at is not None and "no enrollment" in receipt.error
    assert await rows(api.engine, EVENTS) == []
    metrics = (await api.http.get("/metrics")).text
    assert "salesauto_webhook_orphans 1.0" in metrics
    ready = await eventually(
        lambda: api.http.get("/health/ready"), lambda r: r.json()["checks"]["worker"]["ok"]
    )
    assert ready.json()["status"] == "degraded"
    assert ready.json()["checks"]["webhooks"]["orphans"] == 1

    await enroll(api.engine, "early@acme.test")
    await _applied_once(api, "early@acme.test")


async def test_an_orphan_that_never_matches_is_dead_lettered_then_replayed(api: Api) -> None:
    token = await lemlist_token(api.engine)
    await _post(api, token, "late@acme.test")
    await wait_for_statuses(api.engine, ["dead"], timeout=30)
    listed = (await api.http.get("/api/dead-letter")).json()["deadLetters"]
    assert len(listed) == 1
    letter = listed[0]
    assert (letter["email"], letter["eventType"], letter["retryCount"]) == (
        "late@acme.test", "opened", 4,
    )  # fmt: skip
    assert "no enrollment" in letter["lastError"]
    assert (await api.http.post(f"/api/dead-letter/{letter['id']}/replay")).json()[
        "outcome"
    ] == "still_orphaned"

    await enroll(api.engine, "late@acme.test")
    replay = await api.http.post("/api/dead-letter/replay", json={"all": True})
    assert replay.json()["replayed"] == 1 and replay.json()["remaining"] == 0
    shown = (await api.http.get(f"/api/dead-letter/{letter['id']}")).json()
    assert shown["status"] == "replayed" and shown["replayedAt"] is not None
    assert shown["payload"]["leadEmail"] == "late@acme.test"
    again = await api.http.post(f"/api/dead-letter/{letter['id']}/replay")
    assert again.status_code == 409
    await wait_for_statuses(api.engine, ["processed"])
    assert [e.event_type for e in await rows(api.engine, EVENTS)] == ["opened"]


async def test_redis_down_orphans_take_the_database_path(database_url: str) -> None:
    settings = webhook_settings(database_url, redis_url="redis://127.0.0.1:1/0")
    async with running_api(settings) as api:
        token = await lemlist_token(api.engine)
        await _post(api, token, "noredis@acme.test")
        await wait_for_statuses(api.engine, ["orphaned"])
        await enroll(api.engine, "noredis@acme.test")
        await _applied_once(api, "noredis@acme.test")


async def test_with_redis_orphans_wait_in_expiring_lists(database_url: str) -> None:
    prefix = f"salesauto-test-{uuid.uuid4().hex[:8]}"
    settings = webhook_settings(
        database_url,
        redis_url="redis://127.0.0.1:6379/0",
        redis_key_prefix=prefix,
        webhook_orphan_base_delay_seconds=1.0,
    )
    redis = Redis.from_url("redis://127.0.0.1:6379/0")
    try:
        async with running_api(settings) as api:
            token = await lemlist_token(api.engine)
            await _post(api, token, "cached@acme.test")
            key = f"{prefix}:webhooks:orphans:1"
            await eventually(lambda: redis.llen(key), lambda length: length == 1)
            assert 0 < await redis.ttl(key) <= 2 * 1 + 3600
            await enroll(api.engine, "cached@acme.test")
            await _applied_once(api, "cached@acme.test")
            assert await redis.llen(key) == 0
    finally:
        await redis.aclose()
