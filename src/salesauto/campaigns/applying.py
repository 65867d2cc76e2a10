"""Applying provider events to enrollments, one or many in a transaction.

`apply_provider_events` is the one entry point (`apply_provider_event` is a batch of one):
webhooks, activity polling and dead-letter replays all call it inside their own transaction.
It is idempotent on (provider, provider event id), and order-independent: `funnel.py` has the
rules that keep a late or reordered event from moving an enrollment back, and that count each
lead once per funnel stage.

A batch costs a handful of statements whatever its size (a campaign's webhooks arrive by the
hundred a second): its enrollments are locked in one statement, its events stored in one,
each event is applied in order to the locked rows in memory (a later event sees what an
earlier one changed, exactly as one by one), and the rows that changed are written at the end.
Locks are taken in the order of effects.py: enrollments (by email, then id), contacts (by
email), the suppression list, then the instance counters.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from salesauto.campaigns import effects
from salesauto.campaigns.counters import CounterDeltas
from salesauto.campaigns.events import (
    CLASSIFY_REPLY_JOB,
    EVENT_TYPES,
    REPLY_TEXT_MAX,
    EventOutcome,
    ProviderEvent,
    return_date,
)
from salesauto.campaigns.funnel import FINISHED, event_change
from salesauto.campaigns.tables import ENROLLMENTS, EVENTS, INSTANCES
from salesauto.contacts.repository import CONTACTS, any_of
from salesauto.jobs.repository import NewJob, dialect_insert, insert_job_idempotent
from salesauto.kit.time import utcnow

STOPPING = ("unsubscribed", "bounced")


@dataclass
class _Batch:
    """The locked rows of a batch, changed in memory as its events apply."""

    enrollments: list[SimpleNamespace]
    changed: defaultdict[uuid.UUID, set[str]] = field(default_factory=lambda: defaultdict(set))

    def change(self, enrollment: SimpleNamespace, values: dict[str, Any]) -> None:
        if not values:
            return
        for column, value in values.items():
            setattr(enrollment, column, value)
        self.changed[enrollment.id].update(values)

    def of_contact(self, owner_id: str, email: str) -> list[SimpleNamespace]:
        return [
            row
            for row in self.enrollments
            if row.owner_id == owner_id and row.contact_email == email
        ]


async def apply_provider_event(
    conn: AsyncConnection, event: ProviderEvent, counters: CounterDeltas | None = None
) -> EventOutcome:
    """`apply_provider_events` for one event."""
    (outcome,) = await apply_provider_events(conn, [event], counters)
    return outcome


async def apply_provider_events(
    conn: AsyncConnection, events: Sequence[ProviderEvent], counters: CounterDeltas | None = None
) -> list[EventOutcome]:
    """Inside the caller's transaction, in order: dedupe, find each event's enrollment
    (instance by (owner, provider, provider_campaign_id), then enrollment by provider lead id
    or email), store the campaign_events rows, update enrollments, contact stages, the side
    effects (unsubscribe, bounce, reply, out-of-office) and the instance counters, last. A
    caller applying several batches passes `counters` and writes them at its end."""
    for event in events:
        if event.event_type not in EVENT_TYPES:
            raise ValueError(f"unknown event type {event.event_type!r}; known: {EVENT_TYPES}")
    batch = _Batch(await _lock_enrollments(conn, events))
    found = [_enrollment_of(batch, event) for event in events]
    outcomes = [EventOutcome.ORPHAN if row is None else EventOutcome.APPLIED for row in found]
    for index, event in enumerate(events):
        # Rare enough to check one by one: an event stored before is a duplicate even if
        # its enrollment is gone since.
        if found[index] is None and await _is_stored(conn, event):
            outcomes[index] = EventOutcome.DUPLICATE
    stored = await _store_events(conn, events, found)

    pending = counters if counters is not None else CounterDeltas()
    structures = await effects.instance_structures(
        conn,
        {row.instance_id for event, row in zip(events, found, strict=True) if row is not None
         and event.event_type == "replied"},
    )  # fmt: skip
    contact_events: list[tuple[ProviderEvent, str]] = []
    replies: list[tuple[ProviderEvent, uuid.UUID, uuid.UUID]] = []
    for index, (event, enrollment) in enumerate(zip(events, found, strict=True)):
        if enrollment is None:
            continue
        event_id = stored.pop((event.provider, event.provider_event_id), None)
        if event_id is None:
            outcomes[index] = EventOutcome.DUPLICATE
            continue
        _apply_one(batch, event, enrollment, structures, pending)
        if effects.changes_contact(event.event_type):
            contact_events.append((event, enrollment.contact_email))
        if event.event_type == "replied":
            replies.append((event, event_id, enrollment.id))
    await _write_enrollments(conn, batch)
    await _update_contacts(conn, contact_events)
    await _suppress_unsubscribed(conn, events, found, outcomes)
    for event, event_id, enrollment_id in replies:
        await insert_job_idempotent(
            conn,
            NewJob(
                type=CLASSIFY_REPLY_JOB,
                parameters={"event_id": str(event_id), "enrollment_id": str(enrollment_id)},
                idempotency_key=f"classify-reply:{event_id}",
                owner_id=event.owner_id,
            ),
            utcnow(),
        )
    if counters is None:
        await pending.write(conn)
    return outcomes


def _apply_one(
    batch: _Batch,
    event: ProviderEvent,
    enrollment: SimpleNamespace,
    structures: dict[uuid.UUID, dict[str, Any] | None],
    counters: CounterDeltas,
) -> None:
    at = event.occurred_at
    change = event_change(enrollment, event.event_type, at, event.step, return_date(event.data))
    if event.event_type == "replied":
        _record_reply(enrollment, event, change.values)
        effects.keep_running_after_reply(
            structures.get(enrollment.instance_id), enrollment, event.step, change.values
        )
    stops_contact = event.event_type in STOPPING
    if stops_contact and "status" in change.values:
        change.values["stop_reason"] = f"{event.event_type} ({event.provider})"
    batch.change(enrollment, change.values)
    if stops_contact:
        reason = f"{event.event_type} in another campaign ({event.provider})"
        for other in batch.of_contact(event.owner_id, enrollment.contact_email):
            if other.id != enrollment.id and other.status not in FINISHED:
                batch.change(
                    other,
                    {
                        "status": "stopped",
                        "stop_reason": reason,
                        "completed_at": other.completed_at or at,
                        "paused_until": None,
                    },
                )
    counters.add(enrollment.instance_id, change.counters)


def _record_reply(enrollment: Any, event: ProviderEvent, values: dict[str, Any]) -> None:
    """Keep the latest reply's text (a late, older reply does not replace it)."""
    if enrollment.last_reply_at is not None and event.occurred_at < enrollment.last_reply_at:
        return
    text = event.data.get("text")
    values["last_reply_at"] = event.occurred_at
    values["reply_text"] = text[:REPLY_TEXT_MAX] if isinstance(text, str) else None
    values["reply_class"] = None  # the new reply awaits its classification


async def _lock_enrollments(
    conn: AsyncConnection, events: Sequence[ProviderEvent]
) -> list[SimpleNamespace]:
    """The enrollments the events may be about, locked by (email, id), with their instance's
    provider and campaign. An event that stops its contact locks every enrollment of the
    address in the workspace (it stops them); others, the confirmed ones of the lead. A
    `pending` row is never an event's enrollment: the provider has not confirmed the lead,
    and the step that reserved it will write it; the event is retried later."""
    rows: list[SimpleNamespace] = []
    by_owner: defaultdict[str, list[ProviderEvent]] = defaultdict(list)
    for event in events:
        by_owner[event.owner_id].append(event)
    for owner_id, owned in sorted(by_owner.items()):
        emails = sorted({event.email for event in owned if event.email})
        leads = sorted({event.provider_lead_id for event in owned if event.provider_lead_id})
        stopping = [event for event in owned if event.event_type in STOPPING]
        stopping_emails = sorted({event.email for event in stopping if event.email})
        stopping_leads = sorted({e.provider_lead_id for e in stopping if e.provider_lead_id})
        who = []
        if emails:
            who.append(any_of(conn, ENROLLMENTS.c.contact_email, emails))
        if leads:
            # Through (instance, lead id): a lead id is only unique within a provider's
            # campaigns, and that index starts with the instance.
            instances = sa.select(INSTANCES.c.id).where(INSTANCES.c.owner_id == owner_id)
            who.append(
                sa.and_(
                    ENROLLMENTS.c.instance_id.in_(instances),
                    any_of(conn, ENROLLMENTS.c.provider_lead_id, leads),
                )
            )
        if not who:
            continue
        matching = sa.and_(ENROLLMENTS.c.status != "pending", sa.or_(*who))
        if stopping_emails:
            matching = sa.or_(matching, any_of(conn, ENROLLMENTS.c.contact_email, stopping_emails))
        if stopping_leads:
            # Matched by lead id, the contact's address may not be the event's (or absent).
            addresses = sa.select(ENROLLMENTS.c.contact_email).where(
                ENROLLMENTS.c.owner_id == owner_id,
                any_of(conn, ENROLLMENTS.c.provider_lead_id, stopping_leads),
            )
            matching = sa.or_(matching, ENROLLMENTS.c.contact_email.in_(addresses))
        query = (
            sa.select(
                ENROLLMENTS,
                INSTANCES.c.owner_id.label("instance_owner_id"),
                INSTANCES.c.provider.label("instance_provider"),
                INSTANCES.c.provider_campaign_id.label("instance_campaign_id"),
            )
            .join(INSTANCES, INSTANCES.c.id == ENROLLMENTS.c.instance_id)
            .where(ENROLLMENTS.c.owner_id == owner_id, matching)
            .order_by(ENROLLMENTS.c.contact_email, ENROLLMENTS.c.id)
            .with_for_update(of=ENROLLMENTS)
        )
        rows.extend(SimpleNamespace(**row._mapping) for row in await conn.execute(query))
    return rows


def _enrollment_of(batch: _Batch, event: ProviderEvent) -> SimpleNamespace | None:
    """The event's enrollment: in its campaign (without one, a third-party reply, any
    instance of the provider in the workspace), the lead's id matching first, then the
    latest enrolled."""
    candidates = [
        row
        for row in batch.enrollments
        if row.owner_id == event.owner_id
        and row.instance_owner_id == event.owner_id
        and row.instance_provider == event.provider
        and row.status != "pending"
        and (
            event.provider_campaign_id is None
            or row.instance_campaign_id == event.provider_campaign_id
        )
        and (
            (event.provider_lead_id and row.provider_lead_id == event.provider_lead_id)
            or (event.email and row.contact_email == event.email)
        )
    ]
    if not candidates:
        return None
    candidates.sort(key=lambda row: row.enrolled_at, reverse=True)
    lead = event.provider_lead_id
    candidates.sort(key=lambda row: not (lead and row.provider_lead_id == lead))
    return candidates[0]


async def _is_stored(conn: AsyncConnection, event: ProviderEvent) -> bool:
    found = await conn.execute(
        sa.select(EVENTS.c.id).where(
            EVENTS.c.provider == event.provider,
            EVENTS.c.provider_event_id == event.provider_event_id,
        )
    )
    return found.first() is not None


async def _store_events(
    conn: AsyncConnection,
    events: Sequence[ProviderEvent],
    found: Sequence[SimpleNamespace | None],
) -> dict[tuple[str, str], uuid.UUID]:
    """Insert the events that have an enrollment; the ids of those stored now, by (provider,
    provider event id). One stored before, or by a concurrent delivery, is not returned."""
    rows = [
        {
            "id": uuid.uuid4(),
            "enrollment_id": enrollment.id,
            "instance_id": enrollment.instance_id,
            "owner_id": event.owner_id,
            "provider": event.provider,
            "event_type": event.event_type,
            "provider_event_id": event.provider_event_id,
            "event_data": event.data,
            "timestamp": event.occurred_at,
        }
        for event, enrollment in zip(events, found, strict=True)
        if enrollment is not None
    ]
    if not rows:
        return {}
    insert = (
        dialect_insert(conn)(EVENTS)
        .on_conflict_do_nothing(index_elements=["provider", "provider_event_id"])
        .returning(EVENTS.c.id, EVENTS.c.provider, EVENTS.c.provider_event_id)
    )
    result = await conn.execute(insert, rows)
    return {(row.provider, row.provider_event_id): row.id for row in result}


async def _write_enrollments(conn: AsyncConnection, batch: _Batch) -> None:
    rows = {row.id: row for row in batch.enrollments}
    changed = {
        enrollment_id: {name: getattr(rows[enrollment_id], name) for name in columns}
        for enrollment_id, columns in batch.changed.items()
    }
    await _write_changes(conn, ENROLLMENTS, ENROLLMENTS.c.id, changed)


async def _write_changes(
    conn: AsyncConnection,
    table: sa.Table,
    key: sa.Column[Any],
    changed: dict[Any, dict[str, Any]],
    *where: sa.ColumnElement[bool],
) -> None:
    """Each row's new values (by `key`), one executemany per set of changed columns."""
    by_columns: defaultdict[tuple[str, ...], list[dict[str, Any]]] = defaultdict(list)
    for row_key, values in sorted(changed.items()):
        columns = tuple(sorted(values))
        by_columns[columns].append(
            {"b_key": row_key, **{f"b_{name}": values[name] for name in columns}}
        )
    for columns, parameters in by_columns.items():
        statement = (
            sa.update(table)
            .where(*where, key == sa.bindparam("b_key"))
            .values({name: sa.bindparam(f"b_{name}", type_=table.c[name].type)
                     for name in columns})
        )  # fmt: skip
        await conn.execute(statement, parameters)


async def _update_contacts(
    conn: AsyncConnection, contact_events: Sequence[tuple[ProviderEvent, str]]
) -> None:
    """Contacts' stages and email status, each contact locked once, in email order."""
    by_owner: defaultdict[str, list[tuple[ProviderEvent, str]]] = defaultdict(list)
    for event, email in contact_events:
        by_owner[event.owner_id].append((event, email))
    for owner_id, owned in sorted(by_owner.items()):
        emails = sorted({email for _, email in owned})
        found = await conn.execute(
            sa.select(CONTACTS.c.email, CONTACTS.c.status, CONTACTS.c.data, CONTACTS.c.provenance)
            .where(CONTACTS.c.owner_id == owner_id, any_of(conn, CONTACTS.c.email, emails))
            .order_by(CONTACTS.c.email)
            .with_for_update()
        )
        contacts = {row.email: SimpleNamespace(**row._mapping) for row in found}
        changed: dict[str, dict[str, Any]] = {}
        for event, email in owned:
            contact = contacts.get(email)
            if contact is None:
                continue
            values = effects.contact_changes(
                contact, event_type=event.event_type, provider=event.provider,
                at=event.occurred_at,
            )  # fmt: skip
            if values:
                for column, value in values.items():
                    setattr(contact, column, value)
                changed.setdefault(email, {}).update(values, updated_at=event.occurred_at)
        await _write_changes(
            conn, CONTACTS, CONTACTS.c.email, changed, CONTACTS.c.owner_id == owner_id
        )


async def _suppress_unsubscribed(
    conn: AsyncConnection,
    events: Sequence[ProviderEvent],
    found: Sequence[SimpleNamespace | None],
    outcomes: Iterable[EventOutcome],
) -> None:
    """An unsubscribe puts the address on the workspace's suppression list."""
    entries: defaultdict[tuple[str, str], set[str]] = defaultdict(set)
    for event, enrollment, outcome in zip(events, found, outcomes, strict=True):
        if event.event_type == "unsubscribed" and outcome is EventOutcome.APPLIED:
            assert enrollment is not None
            entries[(event.owner_id, event.provider)].add(enrollment.contact_email)
    for (owner_id, provider), emails in sorted(entries.items()):
        for email in sorted(emails):
            await effects.suppress_unsubscribed(
                conn, owner_id, email, provider=provider, at=utcnow()
            )
