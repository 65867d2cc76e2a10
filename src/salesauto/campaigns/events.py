"""Provider events (opens, clicks, replies, bounces, unsubscribes) applied to enrollments.

`apply_provider_event` is the one entry point: webhooks, activity polling and dead-letter
replays all call it inside their own transaction. It is idempotent on (provider, provider
event id), and order-independent: `funnel.py` has the rules that keep a late or reordered
event from moving an enrollment back, and that count each lead once per funnel stage.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from enum import StrEnum
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from salesauto.campaigns import effects
from salesauto.campaigns.counters import add_to_counters
from salesauto.campaigns.funnel import event_change
from salesauto.campaigns.tables import ENROLLMENTS, EVENTS, INSTANCES
from salesauto.jobs.repository import NewJob, dialect_insert, insert_job_idempotent
from salesauto.kit.time import utcnow

EVENT_TYPES = (
    "sent",
    "delivered",
    "opened",
    "clicked",
    "replied",
    "bounced",
    "unsubscribed",
    "out_of_office",
    "interested",
    "not_interested",
    "failed",
)
CLASSIFY_REPLY_JOB = "campaigns.classify_reply"
REPLY_TEXT_MAX = 20_000
# lemlist activity and webhook types we track. Only email events feed the funnel; a
# LinkedIn reply or interest is still a reply or an interest.
LEMLIST_TYPES = {
    "emailsSent": "sent",
    "emailsDelivered": "delivered",
    "emailsOpened": "opened",
    "emailsClicked": "clicked",
    "emailsReplied": "replied",
    "emailsBounced": "bounced",
    "emailsUnsubscribed": "unsubscribed",
    "emailsInterested": "interested",
    "emailsNotInterested": "not_interested",
    "emailsFailed": "failed",
    "linkedinReplied": "replied",
    "linkedinInterested": "interested",
    "linkedinNotInterested": "not_interested",
    "manualInterested": "interested",
    "manualNotInterested": "not_interested",
    "apiInterested": "interested",
    "apiNotInterested": "not_interested",
}
# Where an out-of-office event may carry the return date.
RETURN_DATE_KEYS = ("returnDate", "return_date", "until", "outOfOfficeUntil")


@dataclass(frozen=True)
class ProviderEvent:
    owner_id: str  # workspace ("default" today)
    provider: str  # "lemlist" | "hubspot"
    provider_event_id: str  # the provider's id of this event (lemlist activity `_id`)
    event_type: str  # normalised, one of EVENT_TYPES
    email: str | None  # the lead's email (normalised lower-case)
    provider_campaign_id: str | None  # lemlist `cam_…`
    provider_lead_id: str | None  # lemlist `lea_…`
    occurred_at: datetime  # aware UTC
    step: int | None = None  # sequence step index when the provider says it
    data: dict[str, Any] = field(default_factory=dict)  # the provider payload as received


class EventOutcome(StrEnum):
    APPLIED = "applied"  # stored in campaign_events and applied
    DUPLICATE = "duplicate"  # (provider, provider_event_id) already stored: nothing changed
    ORPHAN = "orphan"  # no enrollment matches (yet): nothing stored, caller keeps it


def lemlist_event_type(activity_type: str) -> str | None:
    """lemlist activity/webhook `type` → normalised type; None for types we do not track."""
    return LEMLIST_TYPES.get(activity_type)


def return_date(data: dict[str, Any]) -> datetime | None:
    """An out-of-office return moment from the payload (ISO date or datetime), aware UTC."""
    for key in RETURN_DATE_KEYS:
        value = data.get(key)
        if not isinstance(value, str) or not value.strip():
            continue
        text = value.strip().replace("Z", "+00:00")
        try:
            if len(text) == 10:
                return datetime.combine(date.fromisoformat(text), datetime.min.time(), UTC)
            moment = datetime.fromisoformat(text)
        except ValueError:
            continue
        return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
    return None


async def _is_stored(conn: AsyncConnection, event: ProviderEvent) -> bool:
    found = await conn.execute(
        sa.select(EVENTS.c.id).where(
            EVENTS.c.provider == event.provider,
            EVENTS.c.provider_event_id == event.provider_event_id,
        )
    )
    return found.first() is not None


async def _find_enrollment(
    conn: AsyncConnection, event: ProviderEvent, *, lock: bool
) -> Any | None:
    """The enrollment the event is about (locked with `lock`); None when there is none (yet).

    Its instance is the event's campaign; without a campaign (a third-party reply), any
    instance of the provider in the workspace, the lead's latest enrollment then winning.
    One statement finds and locks it: on the webhook path every statement counts.
    A `pending` row is not matched: the provider has not confirmed the lead, and the step
    that reserved it will write it; the caller retries the event later.
    """
    who = []
    if event.provider_lead_id:
        who.append(ENROLLMENTS.c.provider_lead_id == event.provider_lead_id)
    if event.email:
        who.append(ENROLLMENTS.c.contact_email == event.email)
    if not who:
        return None
    instances = sa.select(INSTANCES.c.id).where(
        INSTANCES.c.owner_id == event.owner_id, INSTANCES.c.provider == event.provider
    )
    if event.provider_campaign_id is not None:
        instances = instances.where(INSTANCES.c.provider_campaign_id == event.provider_campaign_id)
    by_lead = (
        ENROLLMENTS.c.provider_lead_id == event.provider_lead_id
        if event.provider_lead_id
        else sa.false()
    )
    query = (
        sa.select(ENROLLMENTS)
        .where(
            ENROLLMENTS.c.instance_id.in_(instances),
            ENROLLMENTS.c.owner_id == event.owner_id,
            ENROLLMENTS.c.status != "pending",
            sa.or_(*who),
        )
        .order_by(sa.case((by_lead, 0), else_=1), ENROLLMENTS.c.enrolled_at.desc())
        .limit(1)
    )
    return (await conn.execute(query.with_for_update() if lock else query)).first()


async def _store_event(conn: AsyncConnection, event: ProviderEvent, enrollment: Any) -> Any:
    """The new event's id, or None when a concurrent delivery stored it first."""
    insert = dialect_insert(conn)(EVENTS).values(
        id=uuid.uuid4(),
        enrollment_id=enrollment.id,
        instance_id=enrollment.instance_id,
        owner_id=event.owner_id,
        provider=event.provider,
        event_type=event.event_type,
        provider_event_id=event.provider_event_id,
        event_data=event.data,
        timestamp=event.occurred_at,
    )
    result = await conn.execute(
        insert.on_conflict_do_nothing(index_elements=["provider", "provider_event_id"]).returning(
            EVENTS.c.id
        )
    )
    return result.scalar_one_or_none()


async def apply_provider_event(conn: AsyncConnection, event: ProviderEvent) -> EventOutcome:
    """Inside the caller's transaction: dedupe, find the enrollment (instance by
    (owner, provider, provider_campaign_id), then enrollment by email or provider lead id),
    store the campaign_events row, update enrollment, instance counters, contact stage, and
    the side effects (unsubscribe, bounce, reply, out-of-office)."""
    if event.event_type not in EVENT_TYPES:
        raise ValueError(f"unknown event type {event.event_type!r}; known: {EVENT_TYPES}")
    stops_contact = event.event_type in ("unsubscribed", "bounced")
    # An event that stops the contact locks all its enrollments, in id order, and no
    # single one before them (see effects.py for the lock order).
    enrollment = await _find_enrollment(conn, event, lock=not stops_contact)
    if enrollment is None:
        # Rare enough to check only here: an event stored before is a duplicate even if its
        # enrollment is gone since (a stored event otherwise conflicts on insert below).
        return EventOutcome.DUPLICATE if await _is_stored(conn, event) else EventOutcome.ORPHAN
    email: str = enrollment.contact_email
    siblings: list[Any] = []
    if stops_contact:
        siblings = await effects.lock_contact_enrollments(conn, event.owner_id, email)
        enrollment = next(row for row in siblings if row.id == enrollment.id)
    event_id = await _store_event(conn, event, enrollment)
    if event_id is None:
        return EventOutcome.DUPLICATE

    at = event.occurred_at
    change = event_change(enrollment, event.event_type, at, event.step, return_date(event.data))
    if event.event_type == "replied":
        _record_reply(enrollment, event, change.values)
        await effects.keep_running_after_reply(conn, enrollment, event.step, change.values)
    if stops_contact and "status" in change.values:
        change.values["stop_reason"] = f"{event.event_type} ({event.provider})"
    if change.values:
        await conn.execute(
            sa.update(ENROLLMENTS).where(ENROLLMENTS.c.id == enrollment.id).values(change.values)
        )
    if stops_contact:
        await effects.stop_other_enrollments(
            conn,
            siblings,
            keep=enrollment.id,
            reason=f"{event.event_type} in another campaign ({event.provider})",
            at=at,
        )
    await add_to_counters(conn, enrollment.instance_id, change.counters)
    await effects.update_contact(
        conn, event.owner_id, email, event_type=event.event_type, provider=event.provider, at=at
    )
    if event.event_type == "unsubscribed":
        await effects.suppress_unsubscribed(
            conn, event.owner_id, email, provider=event.provider, at=utcnow()
        )
    if event.event_type == "replied":
        await insert_job_idempotent(
            conn,
            NewJob(
                type=CLASSIFY_REPLY_JOB,
                parameters={"event_id": str(event_id), "enrollment_id": str(enrollment.id)},
                idempotency_key=f"classify-reply:{event_id}",
                owner_id=event.owner_id,
            ),
            utcnow(),
        )
    return EventOutcome.APPLIED


def _record_reply(enrollment: Any, event: ProviderEvent, values: dict[str, Any]) -> None:
    """Keep the latest reply's text (a late, older reply does not replace it)."""
    if enrollment.last_reply_at is not None and event.occurred_at < enrollment.last_reply_at:
        return
    text = event.data.get("text")
    values["last_reply_at"] = event.occurred_at
    values["reply_text"] = text[:REPLY_TEXT_MAX] if isinstance(text, str) else None
    values["reply_class"] = None  # the new reply awaits its classification
