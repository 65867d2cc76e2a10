"""Provider events (opens, clicks, replies, bounces, unsubscribes): their normalised
types and shape. applying.py applies them to enrollments."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from enum import StrEnum
from typing import Any

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
