"""A lemlist webhook body (an activity record, API_CONTRACTS §2.2) as a `ProviderEvent`."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from salesauto.campaigns.events import ProviderEvent, lemlist_event_type
from salesauto.webhooks.receiving import lemlist_event_id


class UntrackedEvent(Exception):
    """A delivery we store but do not act on; the message says why."""


def _moment(value: Any, fallback: datetime) -> datetime:
    if not isinstance(value, str) or not value:
        return fallback
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return fallback
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def _text(value: Any) -> str | None:
    return value.strip() if isinstance(value, str) and value.strip() else None


def lemlist_provider_event(
    payload: dict[str, Any], *, owner_id: str, received_at: datetime
) -> ProviderEvent:
    """The event the activity reports; `UntrackedEvent` for types campaigns do not track."""
    kind = payload.get("type")
    event_type = lemlist_event_type(kind) if isinstance(kind, str) else None
    if event_type is None:
        raise UntrackedEvent(f"ignored: lemlist activity type {kind!r} is not tracked")
    email = _text(payload.get("leadEmail"))
    step = payload.get("sequenceStep")
    # The hook's own `secret` (if one was set) is not part of the event.
    data = {key: value for key, value in payload.items() if key != "secret"}
    return ProviderEvent(
        owner_id=owner_id,
        provider="lemlist",
        provider_event_id=lemlist_event_id(payload),
        event_type=event_type,
        email=email.lower() if email else None,
        provider_campaign_id=_text(payload.get("campaignId")),
        provider_lead_id=_text(payload.get("leadId")),
        occurred_at=_moment(payload.get("createdAt"), received_at),
        step=step if isinstance(step, int) and not isinstance(step, bool) else None,
        data=data,
    )
