"""What a classified reply changes in the database, in one transaction.

The class and its confidence go on the reply's campaign event (`event_data.classification`)
and the class on the enrollment (`reply_class`, while this reply is its latest). Then,
as the provider event of the same meaning would (`campaigns/funnel.py` rules, so a reply
never moves an enrollment back):

- unsubscribe → the enrollment `unsubscribed`, the contact's other running enrollments
  stopped, the address suppressed (source `reply`; pushed to lemlist's unsubscribe list);
- bounce → the enrollment `bounced`, the others stopped, the email marked invalid;
- out_of_office → the enrollment `paused` until the return date (a week when the reply
  gives none), unless it has moved on; a `campaigns.sync_lead_pause` job, queued here,
  pauses the lead at lemlist and restarts it on the return date (campaigns/pauses.py);
- wrong_person with a referral address → the referral stored as a new contact (source
  `referral`), unless it is already known.

A class below `ACT_THRESHOLD` confidence is recorded but not acted on: the offline
classifier's phrase matches are almost always right, its word-model guesses far less
(bench/classify.py prints both).

`event_data.outcome` records what was done, so a second run of the job acts no more.
Locks follow `campaigns/effects.py`: the contact's enrollments (by id), the contact, the
suppression list.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from salesauto.campaigns import effects
from salesauto.campaigns.funnel import event_change
from salesauto.campaigns.pauses import queue_lead_pause_sync
from salesauto.campaigns.tables import ENROLLMENTS, EVENTS
from salesauto.contacts.merge import ContactFacts
from salesauto.contacts.repository import CONTACTS, merge_contacts
from salesauto.imports.cells import company_domain_from_email, email_problem, normalise_email
from salesauto.replies.schemas import ACT_THRESHOLD, Classification, Referral
from salesauto.suppressions.propagation import suppress_everywhere

SOURCE = "reply"  # suppressions, stop reasons, provenance
REFERRAL_SOURCE = "referral"
DEFAULT_AWAY = timedelta(days=7)  # an absence without a return date
STATUS_COLUMNS = frozenset({"status", "completed_at", "paused_until"})
# The provider event each class stands for.
DERIVED_EVENTS = {
    "unsubscribe": "unsubscribed",
    "bounce": "bounced",
    "out_of_office": "out_of_office",
}


@dataclass(frozen=True)
class StoredReply:
    event_id: uuid.UUID
    enrollment_id: uuid.UUID
    owner_id: str
    email: str
    received_at: datetime
    text: str
    subject: str | None
    data: dict[str, Any]  # the event's `event_data` as stored

    @property
    def classified(self) -> bool:
        return "outcome" in self.data


async def load_reply(
    conn: AsyncConnection, event_id: uuid.UUID, enrollment_id: uuid.UUID
) -> StoredReply | None:
    row = (
        await conn.execute(
            sa.select(EVENTS, ENROLLMENTS.c.contact_email)
            .join(ENROLLMENTS, ENROLLMENTS.c.id == EVENTS.c.enrollment_id)
            .where(EVENTS.c.id == event_id, EVENTS.c.enrollment_id == enrollment_id)
        )
    ).one_or_none()
    if row is None:
        return None
    data = dict(row.event_data or {})
    text, subject = data.get("text"), data.get("subject")
    return StoredReply(
        event_id=row.id,
        enrollment_id=enrollment_id,
        owner_id=row.owner_id,
        email=row.contact_email,
        received_at=row.timestamp,
        text=text if isinstance(text, str) else "",
        subject=subject if isinstance(subject, str) else None,
        data=data,
    )


def classification_data(found: Classification, at: datetime) -> dict[str, Any]:
    return found.model_dump(mode="json") | {"at": at.isoformat()}


def stored_classification(reply: StoredReply) -> Classification:
    """The classification a previous run of the job stored."""
    data = {k: v for k, v in reply.data["classification"].items() if k != "at"}
    return Classification.model_validate(data)


def _away_until(reply: StoredReply, found: Classification) -> datetime:
    if found.return_date is None:
        return reply.received_at + DEFAULT_AWAY
    return datetime.combine(found.return_date, time.min, UTC)


def acts_on(found: Classification) -> bool:
    return found.confidence >= ACT_THRESHOLD


async def _apply_derived_event(
    conn: AsyncConnection, reply: StoredReply, found: Classification, siblings: list[Any]
) -> dict[str, Any]:
    """The status change of the event the class stands for; the values written.

    Only the status moves: the funnel marks and counters stay what the provider reported
    (lemlist counts its own unsubscribes and bounces, and `recount` rebuilds from marks).
    """
    enrollment = next(row for row in siblings if row.id == reply.enrollment_id)
    kind = DERIVED_EVENTS.get(found.label) if acts_on(found) else None
    values: dict[str, Any] = {}
    if kind is not None:
        back = _away_until(reply, found) if kind == "out_of_office" else None
        change = event_change(enrollment, kind, reply.received_at, None, back)
        values = {k: v for k, v in change.values.items() if k in STATUS_COLUMNS}
        if kind != "out_of_office" and "status" in values:
            values["stop_reason"] = f"{kind} (reply)"
    is_latest = enrollment.last_reply_at is None or enrollment.last_reply_at <= reply.received_at
    if is_latest:
        values["reply_class"] = found.label
    if values:
        await conn.execute(
            sa.update(ENROLLMENTS).where(ENROLLMENTS.c.id == enrollment.id).values(values)
        )
    return values


async def _store_referral(
    conn: AsyncConnection, reply: StoredReply, referral: Referral, at: datetime
) -> str | None:
    """The referral as a new contact; its address, or None when it is not a usable new one."""
    email = normalise_email(referral.email or "")
    if email is None or email_problem(email) or email == reply.email:
        return None
    known = await conn.execute(
        sa.select(CONTACTS.c.email).where(
            CONTACTS.c.owner_id == reply.owner_id, CONTACTS.c.email == email
        )
    )
    if known.first() is not None:
        return None  # already a lead: nothing of theirs to overwrite from a reply
    fields: dict[str, str] = {}
    if referral.name:
        first, _, last = referral.name.partition(" ")
        fields.update(first_name=first, last_name=last)
    guessed: set[str] = set()
    domain = company_domain_from_email(email)
    if domain:
        fields["company_domain"] = domain
        guessed.add("company_domain")
    facts = ContactFacts(
        email=email, fields=fields, data={"referred_by": reply.email}, guessed=guessed
    )
    counts = await merge_contacts(conn, reply.owner_id, [facts], source=REFERRAL_SOURCE, at=at)
    return email if counts.created else None


async def record_outcome(
    conn: AsyncConnection, reply: StoredReply, found: Classification, at: datetime
) -> dict[str, Any]:
    """In the caller's transaction: store the class and act on it; what was done."""
    siblings = await effects.lock_contact_enrollments(conn, reply.owner_id, reply.email)
    if not any(row.id == reply.enrollment_id for row in siblings):
        return {"skipped": "the enrollment no longer exists"}
    values = await _apply_derived_event(conn, reply, found, siblings)
    outcome: dict[str, Any] = {"enrollment": {k: _plain(v) for k, v in values.items()}}
    # Below the threshold the label is kept, and none of the actions below runs.
    act = found.label if acts_on(found) else None
    if act is None:
        outcome["held"] = f"confidence under {ACT_THRESHOLD}: recorded, not acted on"
    if act in ("unsubscribe", "bounce"):
        outcome["stoppedElsewhere"] = await effects.stop_other_enrollments(
            conn,
            siblings,
            keep=reply.enrollment_id,
            reason=f"{DERIVED_EVENTS[act]} in another campaign (reply)",
            at=reply.received_at,
        )
    if act == "bounce":
        await effects.update_contact(
            conn, reply.owner_id, reply.email, event_type="bounced", provider=SOURCE, at=at
        )
        outcome["emailStatus"] = effects.INVALID_EMAIL
    if act == "unsubscribe":
        entry = ("email", reply.email, "asked to unsubscribe in a reply")
        ids = await suppress_everywhere(conn, reply.owner_id, [entry], source=SOURCE, at=at)
        outcome["suppressed"] = bool(ids)
    if act == "out_of_office" and "paused_until" in values:
        outcome["lemlistPauseJob"] = await queue_lead_pause_sync(
            conn, reply.owner_id, reply.enrollment_id, key=f"reply:{reply.event_id}"
        )
    if act == "wrong_person" and found.referral is not None:
        outcome["referralContact"] = await _store_referral(conn, reply, found.referral, at)
    data = reply.data | {
        "classification": classification_data(found, at),
        "outcome": outcome,
    }
    await conn.execute(
        sa.update(EVENTS).where(EVENTS.c.id == reply.event_id).values(event_data=data)
    )
    return outcome


async def remember_task(conn: AsyncConnection, event_id: uuid.UUID, task: dict[str, Any]) -> None:
    """Store the follow-up task's HubSpot id (or why there is none) on the reply's event."""
    row = (
        await conn.execute(
            sa.select(EVENTS.c.event_data).where(EVENTS.c.id == event_id).with_for_update()
        )
    ).one()
    data = dict(row.event_data or {}) | {"followUpTask": task}
    await conn.execute(sa.update(EVENTS).where(EVENTS.c.id == event_id).values(event_data=data))


def _plain(value: Any) -> Any:
    return value.isoformat() if isinstance(value, datetime) else value
