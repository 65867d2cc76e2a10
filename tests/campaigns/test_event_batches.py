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
from tests.campaigns.events_support import (
    apply,
    campaign,
    counters,
    enroll,
    enrollment_row,
    event,
    instance_row,
)

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
        made = event(kind, email, event_id=f"{domain}-{index}", minutes=minutes,
                     step=rng.randrange(3), **text)  # fmt: skip
        if rng.random() < 0.2:  # lemlist's lead id without the address
            made = replace(made, email=None, provider_lead_id=f"lea_lead{lead}")
        events.append(made)
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
    # Half the leads are in a second campaign too, which an unsubscribe or bounce stops.
    batched_other, single_other = await campaign(engine, "cam_3"), await campaign(engine, "cam_4")
    for index in range(LEADS):
        await enroll(engine, batched, f"lead{index}@batched.test")
        await enroll(engine, single, f"lead{index}@single.test")
        if index % 2:
            await enroll(engine, batched_other, f"lead{index}@batched.test")
            await enroll(engine, single_other, f"lead{index}@single.test")
    activity = campaign_activity(random.Random(seed), "batched.test")
    mirrored = [
        replace(
            item,
            email=item.email and item.email.replace("batched.test", "single.test"),
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
    other = await state_of(engine, batched_other, "batched.test")
    assert other == await state_of(engine, single_other, "single.test")


async def test_a_bounce_known_by_lead_id_only_stops_the_leads_other_campaigns(
    engine: AsyncEngine,
) -> None:
    first, second = await campaign(engine, "cam_1"), await campaign(engine, "cam_2")
    bounced = await enroll(engine, first, "ada@acme.test")
    elsewhere = await enroll(engine, second, "ada@acme.test")
    async with engine.begin() as conn:  # lemlist's lead in another campaign has its own id
        await conn.execute(
            sa.update(ENROLLMENTS)
            .where(ENROLLMENTS.c.id == elsewhere)
            .values(provider_lead_id="lea_ada_two")
        )
    untouched = await enroll(engine, first, "bob@acme.test")
    bounce = replace(event("bounced", "ada@acme.test"), email=None, provider_lead_id="lea_ada")
    opened = event("opened", "bob@acme.test")

    assert await apply_in_batches(engine, [opened, bounce], size=2) == [
        EventOutcome.APPLIED,
        EventOutcome.APPLIED,
    ]

    assert (await enrollment_row(engine, bounced)).status == "bounced"
    stopped = await enrollment_row(engine, elsewhere)
    assert (stopped.status, stopped.stop_reason) == (
        "stopped",
        "bounced in another campaign (lemlist)",
    )
    assert (await enrollment_row(engine, untouched)).status == "active"
