"""Events applied in batches (one transaction each, as webhook processing does) leave exactly
what the same events leave applied one by one: enrollments, counters, contacts, suppressions
and outcomes, with reordered, duplicated, stopping and orphan events in the mix."""

from __future__ import annotations

import random
from dataclasses import replace
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

from salesauto.campaigns.applying import apply_provider_events
from salesauto.campaigns.events import EventOutcome, ProviderEvent
from salesauto.campaigns.tables import ENROLLMENTS
from salesauto.contacts.repository import CONTACTS
from salesauto.kit.db import retry_locked
from salesauto.suppressions.repository import SUPPRESSIONS
from tests.campaigns.events_support import apply, campaign, counters, enroll, event, instance_row

LEADS = 6
KINDS = ["sent", "delivered", "opened", "clicked", "replied", "bounced", "unsubscribed"]
COMPARED = (
    "status", "current_step", "completed_at", "sent_at", "delivered_at", "opened_at",
    "clicked_at", "replied_at", "bounced_at", "unsubscribed_at", "paused_until",
    "last_event_at", "last_reply_at", "reply_text", "stop_reason",
)  # fmt: skip


def campaign_activity(rng: random.Random, domain: str) -> list[ProviderEvent]:
    """Sixty events about six leads at `domain`, out of order; some repeat an earlier
    event's id (a provider's retry), a few are about nobody enrolled, a few pause."""
    events: list[ProviderEvent] = []
    for index in range(60):
        lead = rng.randrange(LEADS + 1)  # the last one is not enrolled: an orphan
        email = f"lead{lead}@{domain}"
        minutes = rng.uniform(0, 600)
        if events and rng.random() < 0.1:
            events.append(rng.choice(events))
            continue
        if rng.random() < 0.08:
            returns = {"returnDate": "2026-03-09"}
            events.append(event("out_of_office", email, event_id=f"{domain}-{index}",
                                minutes=minutes, step=None, **returns))  # fmt: skip
            continue
        kind = rng.choices(KINDS, weights=[8, 5, 8, 4, 3, 1, 1])[0]
        text = {"text": f"reply {index}"} if kind == "replied" else {}
        events.append(event(kind, email, event_id=f"{domain}-{index}", minutes=minutes,
                            step=rng.randrange(3), **text))  # fmt: skip
    return events


async def apply_in_batches(
    engine: AsyncEngine, events: list[ProviderEvent], size: int
) -> list[EventOutcome]:
    outcomes: list[EventOutcome] = []
    for start in range(0, len(events), size):
        part = events[start : start + size]

        async def write(part: list[ProviderEvent] = part) -> list[EventOutcome]:
            async with engine.begin() as conn:
                return await apply_provider_events(conn, part)

        outcomes.extend(await retry_locked(write))
    return outcomes


async def state_of(engine: AsyncEngine, instance_id: Any, domain: str) -> dict[str, Any]:
    """What a user sees of the campaign, with the domain taken out of every email."""
    async with engine.connect() as conn:
        enrollments = {
            row.contact_email.split("@")[0]: tuple(getattr(row, name) for name in COMPARED)
            for row in await conn.execute(
                sa.select(ENROLLMENTS).where(ENROLLMENTS.c.instance_id == instance_id)
            )
        }
        contacts = {
            row.email.split("@")[0]: (row.status, (row.data or {}).get("email_status"))
            for row in await conn.execute(
                sa.select(CONTACTS).where(CONTACTS.c.email.endswith(f"@{domain}"))
            )
        }
        suppressed = sorted(
            value.split("@")[0]
            for value in (
                await conn.execute(
                    sa.select(SUPPRESSIONS.c.value).where(
                        SUPPRESSIONS.c.value.endswith(f"@{domain}")
                    )
                )
            ).scalars()
        )
    return {
        "enrollments": enrollments,
        "contacts": contacts,
        "suppressed": suppressed,
        "counters": counters(await instance_row(engine, instance_id)),
    }


@pytest.mark.parametrize("seed", [1, 2, 3])
async def test_batches_leave_what_one_by_one_leaves(engine: AsyncEngine, seed: int) -> None:
    batched, single = await campaign(engine, "cam_1"), await campaign(engine, "cam_2")
    for index in range(LEADS):
        await enroll(engine, batched, f"lead{index}@batched.test")
        await enroll(engine, single, f"lead{index}@single.test")
    activity = campaign_activity(random.Random(seed), "batched.test")
    mirrored = [
        replace(
            item,
            email=(item.email or "").replace("batched.test", "single.test"),
            provider_campaign_id="cam_2",
            provider_event_id=item.provider_event_id.replace("batched.test", "single.test"),
        )
        for item in activity
    ]

    batch_outcomes = await apply_in_batches(engine, activity, size=9)
    single_outcomes = await apply(engine, *mirrored)

    assert batch_outcomes == single_outcomes
    assert EventOutcome.DUPLICATE in batch_outcomes and EventOutcome.ORPHAN in batch_outcomes
    batch_state = await state_of(engine, batched, "batched.test")
    assert batch_state == await state_of(engine, single, "single.test")
    assert batch_state["counters"]["sent"] > 0
