"""Deliveries arriving together share a transaction (group commit): each is still answered
for itself, and copies of one event, in any order across batches, are stored once."""

from __future__ import annotations

import asyncio
import json
import random

from tests.webhooks.conftest import (
    EVENTS,
    RECEIPTS,
    Api,
    activity,
    enroll,
    lemlist_token,
    rows,
    wait_for_statuses,
)


async def test_concurrent_deliveries_with_copies_are_each_answered_and_stored_once(
    api: Api,
) -> None:
    emails = [f"lead{index}@acme.test" for index in range(4)]
    for email in emails:
        await enroll(api.engine, email)
    token = await lemlist_token(api.engine)
    events = [
        json.dumps(activity(emails[index % 4], activity_id=f"act_batch{index}")).encode()
        for index in range(12)
    ]
    # Every event three times, shuffled: copies land in different batches, in any order.
    deliveries = events * 3
    random.Random(5).shuffle(deliveries)
    answers = await asyncio.gather(
        *(api.http.post(f"/webhooks/lemlist/{token}", content=body) for body in deliveries)
    )
    assert {answer.status_code for answer in answers} == {200}
    acks = [answer.json() for answer in answers]
    assert sum(ack["received"] for ack in acks) == len(events)
    assert sum(ack["duplicates"] for ack in acks) == len(deliveries) - len(events)
    await wait_for_statuses(api.engine, ["processed"] * len(events))
    stored = sorted(receipt.event_id for receipt in await rows(api.engine, RECEIPTS))
    assert stored == sorted(f"act_batch{index}" for index in range(12))
    assert len(await rows(api.engine, EVENTS)) == len(events)
