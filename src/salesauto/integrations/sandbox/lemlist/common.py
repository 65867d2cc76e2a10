"""Small helpers the lemlist routes share: lookups that answer lemlist's 404 texts, paging and
lemlist's two date formats."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, TypeVar

from salesauto.integrations.sandbox.lemlist.gate import LemlistError
from salesauto.integrations.sandbox.lemlist.state import Campaign, Lead, LemlistState

T = TypeVar("T")


def campaign_or_404(state: LemlistState, campaign_id: str) -> Campaign:
    campaign = state.campaigns.get(campaign_id)
    if campaign is None:
        raise LemlistError(404, "Campaign not found")
    return campaign


def lead_in_campaign(state: LemlistState, campaign: Campaign, id_or_email: str) -> Lead:
    """A lead of `campaign` by `lea_…` id or by email; `Lead not found` otherwise."""
    wanted = id_or_email.strip().lower()
    for lead in state.campaign_leads(campaign.id):
        if lead.id.lower() == wanted or lead.email == wanted:
            return lead
    raise LemlistError(404, "Lead not found")


def page(items: list[T], offset: int | None, limit: int | None, *, cap: int) -> list[T]:
    """lemlist's offset paging; a `limit` above the documented maximum is clamped to it."""
    start = max(offset or 0, 0)
    size = cap if limit is None or limit <= 0 else min(limit, cap)
    return items[start : start + size]


def parse_moment(value: str | None, name: str) -> int | None:
    """Unix seconds (`1715385600`) or ISO 8601 (`2026-05-11T00:00:00Z`) → epoch milliseconds."""
    if value is None or value == "":
        return None
    try:
        return round(float(value) * 1000)
    except ValueError:
        pass
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise LemlistError(400, f"Bad params: {name} must be a date") from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return round(moment.timestamp() * 1000)


def bool_param(value: str | None) -> bool | None:
    if value is None or value == "":
        return None
    return value.strip().lower() in ("true", "1", "yes")


def as_text(value: Any) -> str:
    return value if isinstance(value, str) else str(value)
