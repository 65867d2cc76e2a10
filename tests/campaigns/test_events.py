"""Provider events applied to enrollments, counters, contacts and suppressions (both databases)."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

from salesauto.campaigns.counters import rebuild_counters
from salesauto.campaigns.events import EventOutcome, lemlist_event_type
from salesauto.campaigns.tables import EVENTS
from salesauto.contacts.repository import CONTACTS
from salesauto.models.base import table_of
from salesauto.models.jobs import Job
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

JOBS = table_of(Job)
APPLIED, DUPLICATE, ORPHAN = EventOutcome.APPLIED, EventOutcome.DUPLICATE, EventOutcome.ORPHAN


async def _rebuilt(engine: AsyncEngine, instance_id: object) -> dict[str, int]:
    async with engine.begin() as conn:
        counts = await rebuild_counters(conn, instance_id)  # type: ignore[arg-type]
    return {name.removeprefix("total_"): value for name, value in counts.items()}


async def test_reordered_late_and_duplicate_events(engine: AsyncEngine) -> None:
    instance = await campaign(engine)
    jane = await enroll(engine, instance, "jane@acme.com")
    sent = event("sent", "jane@acme.com", event_id="act_sent")
    reply = event("replied", "jane@acme.com", minutes=90, step=1, text="Yes, call me Tuesday.")
    outcomes = await apply(
        engine,
        sent,
        event("opened", "jane@acme.com", minutes=30),
        reply,
        # late and reordered: an open before the reply, a second open, the step-0 send again
        event("opened", "jane@acme.com", minutes=45),
        event("clicked", "jane@acme.com", minutes=46),
        sent,
        reply,
    )
    assert outcomes == [APPLIED, APPLIED, APPLIED, APPLIED, APPLIED, DUPLICATE, DUPLICATE]
    row = await enrollment_row(engine, jane)
    assert (row.status, row.current_step, row.reply_text) == ("replied", 1, "Yes, call me Tuesday.")
    assert row.opened_at == datetime(2026, 3, 2, 9, 30, tzinfo=UTC)
    live = counters(await instance_row(engine, instance))
    assert live == {
        "enrolled": 0,  # set by the outreach step, not by events
        "sent": 1,
        "delivered": 1,
        "opened": 1,
        "clicked": 1,
        "replied": 1,
        "bounced": 0,
        "unsubscribed": 0,
    }
    assert await _rebuilt(engine, instance) == {**live, "enrolled": 1}
    async with engine.connect() as conn:
        stored = (await conn.execute(sa.select(sa.func.count()).select_from(EVENTS))).scalar()
        stage = (await conn.execute(sa.select(CONTACTS.c.status))).scalar()
        jobs = (await conn.execute(sa.select(JOBS.c.type, JOBS.c.parameters))).all()
    assert (stored, stage) == (5, "replied")
    assert [job.type for job in jobs] == ["campaigns.classify_reply"]
    assert jobs[0].parameters["enrollment_id"] == str(jane)


async def test_unsubscribe_suppresses_and_stops_every_enrollment(engine: AsyncEngine) -> None:
    first, second = await campaign(engine, "cam_1"), await campaign(engine, "cam_2")
    here = await enroll(engine, first, "joe@acme.com")
    elsewhere = await enroll(engine, second, "joe@acme.com")
    other = await enroll(engine, first, "ann@acme.com")
    await apply(
        engine,
        event("sent", "joe@acme.com"),
        event("unsubscribed", "joe@acme.com", minutes=5),
        event("opened", "joe@acme.com", minutes=9),  # late: does not revive it
    )
    assert (await enrollment_row(engine, here)).status == "unsubscribed"
    stopped = await enrollment_row(engine, elsewhere)
    assert (stopped.status, stopped.stop_reason) == (
        "stopped",
        "unsubscribed in another campaign (lemlist)",
    )
    assert (await enrollment_row(engine, other)).status == "enrolled"
    async with engine.connect() as conn:
        suppressions = (
            await conn.execute(sa.select(SUPPRESSIONS.c.kind, SUPPRESSIONS.c.value))
        ).all()
    assert [tuple(row) for row in suppressions] == [("email", "joe@acme.com")]
    live = counters(await instance_row(engine, first))
    assert (live["unsubscribed"], live["opened"], live["delivered"]) == (1, 1, 1)
    assert counters(await instance_row(engine, second))["unsubscribed"] == 0


async def test_bounce_marks_the_email_invalid_even_when_reordered(engine: AsyncEngine) -> None:
    instance = await campaign(engine)
    await enroll(engine, instance, "gone@acme.com")
    early = await enroll(engine, instance, "early@acme.com")
    await apply(
        engine,
        event("sent", "gone@acme.com"),
        event("bounced", "gone@acme.com", minutes=2),
        event("bounced", "early@acme.com", minutes=2),  # the bounce overtook its send
        event("sent", "early@acme.com"),
    )
    live = counters(await instance_row(engine, instance))
    assert (live["sent"], live["delivered"], live["bounced"]) == (2, 0, 2)
    assert await _rebuilt(engine, instance) == {**live, "enrolled": 2}
    row = await enrollment_row(engine, early)
    assert (row.status, row.completed_at is not None) == ("bounced", True)
    async with engine.connect() as conn:
        data = (await conn.execute(sa.select(CONTACTS.c.email, CONTACTS.c.data))).all()
    assert {email: d.get("email_status") for email, d in data} == {
        "gone@acme.com": "invalid",
        "early@acme.com": "invalid",
    }


async def test_out_of_office_pauses_until_the_return_date(engine: AsyncEngine) -> None:
    instance = await campaign(engine)
    away = await enroll(engine, instance, "away@acme.com")
    await apply(
        engine,
        event("sent", "away@acme.com"),
        event("out_of_office", "away@acme.com", minutes=10, returnDate="2026-03-09"),
        event("opened", "away@acme.com", minutes=20),  # an open does not resume it
    )
    row = await enrollment_row(engine, away)
    assert (row.status, row.paused_until) == ("paused", datetime(2026, 3, 9, tzinfo=UTC))
    # An auto-reply arrives as a reply; classified out-of-office, it pauses instead of ending.
    auto = await enroll(engine, instance, "auto@acme.com")
    await apply(
        engine,
        event("replied", "auto@acme.com", minutes=5, text="I am away until 16 March."),
        event("out_of_office", "auto@acme.com", minutes=5, returnDate="2026-03-16T08:00:00Z"),
    )
    row = await enrollment_row(engine, auto)
    assert (row.status, row.completed_at, row.paused_until.day) == ("paused", None, 16)
    assert counters(await instance_row(engine, instance))["replied"] == 1
    await apply(engine, event("sent", "away@acme.com", minutes=60 * 24 * 8, step=1))
    row = await enrollment_row(engine, away)
    assert (row.status, row.paused_until, row.current_step) == ("active", None, 1)


async def test_unknown_or_unconfirmed_enrollments_are_orphans(engine: AsyncEngine) -> None:
    instance = await campaign(engine)
    await enroll(engine, instance, "wait@acme.com", status="pending")
    outcomes = await apply(
        engine,
        event("opened", "wait@acme.com"),  # lemlist has not confirmed the lead yet
        event("opened", "nobody@acme.com"),
        event("opened", "wait@acme.com", campaign_id="cam_unknown"),
    )
    assert outcomes == [ORPHAN, ORPHAN, ORPHAN]
    async with engine.connect() as conn:
        assert (await conn.execute(sa.select(sa.func.count()).select_from(EVENTS))).scalar() == 0
    assert lemlist_event_type("emailsReplied") == "replied"
    assert lemlist_event_type("linkedinVisitDone") is None


async def test_concurrent_events_keep_the_counters_right(engine: AsyncEngine) -> None:
    instance = await campaign(engine)
    emails = [f"lead{n}@acme.com" for n in range(10)]
    for email in emails:
        await enroll(engine, instance, email)
    events = [event(kind, email) for email in emails for kind in ("sent", "opened")]
    events.append(events[0])  # a duplicate delivery, racing its original
    outcomes = await asyncio.gather(*(apply(engine, one) for one in events))
    assert sorted(o for (o,) in outcomes).count(DUPLICATE) == 1
    live = counters(await instance_row(engine, instance))
    assert (live["sent"], live["delivered"], live["opened"]) == (10, 10, 10)
    assert await _rebuilt(engine, instance) == {**live, "enrolled": 10}
