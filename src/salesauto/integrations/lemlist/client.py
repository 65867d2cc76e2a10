"""`LemlistClient`: lemlist's campaigns, leads, activities, hooks and unsubscribes, typed.

It is the platform's `OutreachProvider`. Everything goes through `ProviderHttp`, so calls are
held to 20 per 2 s, a 429 waits `Retry-After`, and errors arrive typed with lemlist's own
(plain-text) message.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any, Literal
from urllib.parse import quote

from salesauto.integrations.http import ProviderHttp, ProviderRejected
from salesauto.integrations.lemlist.schemas import (
    Activity,
    Campaign,
    CampaignCreate,
    CampaignDetail,
    CampaignLeadRef,
    CampaignPage,
    CampaignSequence,
    CampaignState,
    CampaignStats,
    CreatedCampaign,
    DatabaseFilter,
    DatabaseFilterSpec,
    DatabasePage,
    Hook,
    HookCreate,
    Lead,
    LeadMembership,
    LeadUpdate,
    SequenceStep,
    SequenceStepCreate,
    Unsubscribe,
)
from salesauto.integrations.models import EnrollmentOutcome, OutreachActivity, OutreachLead

V2 = {"version": "v2"}
PAGE_MAX = 100  # campaigns and activities: default and maximum page size
# lemlist's add-lead answers for a duplicate: `Already in the campaign` (same campaign) and a
# 400 naming another campaign when `deduplicate=true` finds the email elsewhere.
DUPLICATE_MARKERS = ("already in the campaign", "already exists", "already in another campaign")
ACTIVITY_FIELDS = {
    "_id", "type", "createdAt", "campaignId", "leadId", "leadEmail", "sequenceStep",
}  # fmt: skip


def _segment(value: str) -> str:
    """One path segment; emails keep their `@` (lemlist's own examples do)."""
    return quote(value, safe="@")


def _parse_campaigns(payload: Any) -> list[Campaign]:
    """Both documented shapes: a bare array, or `{campaigns: [...], pagination: {...}}`."""
    if isinstance(payload, list):
        return [Campaign.model_validate(item) for item in payload]
    return CampaignPage.model_validate(payload).campaigns


def _iso(moment: datetime) -> str:
    aware = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    return aware.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _lead_body(lead: OutreachLead) -> dict[str, Any]:
    """Custom variables first, then the standard fields, so a variable cannot shadow `email`."""
    body: dict[str, Any] = dict(lead.variables)
    standard = {
        "email": lead.email,
        "firstName": lead.first_name,
        "lastName": lead.last_name,
        "companyName": lead.company_name,
        "companyDomain": lead.company_domain,
        "jobTitle": lead.job_title,
        "linkedinUrl": lead.linkedin_url,
        "phone": lead.phone,
        "icebreaker": lead.icebreaker,
    }
    body.update({key: value for key, value in standard.items() if value is not None})
    return body


class LemlistClient:
    """lemlist API v2 client (`https://api.lemlist.com/api`, or the sandbox emulator)."""

    name = "lemlist"

    def __init__(self, http: ProviderHttp) -> None:
        self.http = http

    async def check(self) -> str:
        """One cheap real call: how many campaigns the key sees, and how many run."""
        campaigns = await self.list_campaigns(limit=PAGE_MAX)
        running = sum(1 for campaign in campaigns if campaign.status == "running")
        more = "+" if len(campaigns) == PAGE_MAX else ""
        return f"{len(campaigns)}{more} campaigns ({running} running)"

    # --- campaigns -------------------------------------------------------------------------

    async def list_campaigns(
        self, *, status: str | None = None, limit: int = PAGE_MAX, offset: int = 0
    ) -> list[Campaign]:
        """One page of campaigns, oldest first; `status` e.g. `running`, `draft`, `paused`."""
        params: dict[str, Any] = {**V2, "limit": min(limit, PAGE_MAX), "offset": offset}
        if status:
            params["status"] = status
        response = await self.http.request("GET", "campaigns", params=params)
        return _parse_campaigns(response.json())

    async def iter_campaigns(self, *, status: str | None = None) -> AsyncIterator[Campaign]:
        """Every campaign, page by page until a short page."""
        offset = 0
        while True:
            page = await self.list_campaigns(status=status, limit=PAGE_MAX, offset=offset)
            for campaign in page:
                yield campaign
            if len(page) < PAGE_MAX:
                return
            offset += len(page)

    async def get_campaign(self, campaign_id: str) -> CampaignDetail:
        """One campaign with its creator and senders; `Campaign not found` raises 404."""
        response = await self.http.request("GET", f"campaigns/{_segment(campaign_id)}")
        return CampaignDetail.model_validate(response.json())

    async def campaign_stats(
        self, campaign_id: str, *, start: datetime, end: datetime
    ) -> CampaignStats:
        """Leads reached/opened/answered and per-step counts between `start` and `end`."""
        response = await self.http.request(
            "GET",
            f"v2/campaigns/{_segment(campaign_id)}/stats",
            params={"startDate": _iso(start), "endDate": _iso(end)},
        )
        return CampaignStats.model_validate(response.json())

    async def start_campaign(self, campaign_id: str) -> CampaignState:
        """Start (or resume) sending; answers `state: running`."""
        response = await self.http.request(
            "POST", f"campaigns/{_segment(campaign_id)}/start", idempotent=True
        )
        return CampaignState.model_validate(response.json())

    async def pause_campaign(self, campaign_id: str) -> CampaignState:
        """Stop sending until started again; answers `state: paused`."""
        response = await self.http.request(
            "POST", f"campaigns/{_segment(campaign_id)}/pause", idempotent=True
        )
        return CampaignState.model_validate(response.json())

    async def create_campaign(self, campaign: CampaignCreate) -> CreatedCampaign:
        """A new campaign with an empty sequence (not idempotent: call it once)."""
        response = await self.http.request("POST", "campaigns", json=campaign.to_body())
        return CreatedCampaign.model_validate(response.json())

    async def add_sequence_step(self, sequence_id: str, step: SequenceStepCreate) -> SequenceStep:
        """Append a step to a campaign's sequence."""
        response = await self.http.request(
            "POST", f"sequences/{_segment(sequence_id)}/steps", json=step.to_body()
        )
        return SequenceStep.model_validate(response.json())

    async def get_sequences(self, campaign_id: str) -> dict[str, CampaignSequence]:
        """The campaign's sequences by id: the main one (level 0) and any nested branch."""
        response = await self.http.request("GET", f"campaigns/{_segment(campaign_id)}/sequences")
        return {
            key: CampaignSequence.model_validate(value) for key, value in response.json().items()
        }

    async def list_campaign_leads(
        self, campaign_id: str, *, state: str | None = None, limit: int = 100
    ) -> list[CampaignLeadRef]:
        """Lead ids and states of a campaign (lemlist caps `limit` at 500)."""
        params: dict[str, Any] = {"limit": min(limit, 500)}
        if state:
            params["state"] = state
        response = await self.http.request(
            "GET", f"campaigns/{_segment(campaign_id)}/leads/", params=params
        )
        return [CampaignLeadRef.model_validate(item) for item in response.json()]

    # --- leads -----------------------------------------------------------------------------

    async def add_lead(
        self, campaign_id: str, lead: OutreachLead, *, deduplicate: bool = True
    ) -> Lead:
        """Add a lead (custom variables merged into the body); a duplicate raises 400."""
        response = await self.http.request(
            "POST",
            f"campaigns/{_segment(campaign_id)}/leads/",
            params={"deduplicate": "true" if deduplicate else "false"},
            json=_lead_body(lead),
        )
        return Lead.model_validate(response.json())

    async def enroll_lead(
        self, campaign_id: str, lead: OutreachLead, *, deduplicate: bool = True
    ) -> EnrollmentOutcome:
        """Add a lead to a campaign; a lead already in a campaign is skipped, not an error.

        With `deduplicate`, lemlist refuses an email found in any campaign of the team. An
        address on the unsubscribe list is stored but never contacted: reported as skipped.
        """
        try:
            added = await self.add_lead(campaign_id, lead, deduplicate=deduplicate)
        except ProviderRejected as error:
            detail = str(error.body).strip()
            if error.status == 400 and any(m in detail.lower() for m in DUPLICATE_MARKERS):
                return EnrollmentOutcome(email=lead.email, enrolled=False, skipped_reason=detail)
            raise
        if added.is_unsubscribed:
            return EnrollmentOutcome(
                email=lead.email,
                enrolled=False,
                lead_id=added.id,
                contact_id=added.contact_id,
                skipped_reason="Unsubscribed: lemlist will not contact this address",
            )
        return EnrollmentOutcome(
            email=lead.email, enrolled=True, lead_id=added.id, contact_id=added.contact_id
        )

    async def get_lead_memberships(self, email: str) -> list[LeadMembership]:
        """The lead in every campaign it belongs to (`GET /leads/{email}`); [] when unknown."""
        response = await self.http.request(
            "GET", f"leads/{_segment(email)}", params=V2, ok_statuses=frozenset({404})
        )
        if response.status_code == 404:
            return []
        payload = response.json()
        items = payload if isinstance(payload, list) else [payload]
        return [LeadMembership.model_validate(item) for item in items]

    async def find_lead(
        self, *, email: str | None = None, lead_id: str | None = None
    ) -> Lead | None:
        """One lead by email or id (`GET /leads?email=`); None when lemlist has none."""
        if not email and not lead_id:
            raise ValueError("find_lead needs an email or a lead id")
        params: dict[str, Any] = dict(V2)
        if email:
            params["email"] = email
        if lead_id:
            params["id"] = lead_id
        response = await self.http.request(
            "GET", "leads", params=params, ok_statuses=frozenset({404})
        )
        if response.status_code == 404:
            return None
        payload = response.json()
        if isinstance(payload, list):  # tolerate the array form some accounts get
            return Lead.model_validate(payload[0]) if payload else None
        return Lead.model_validate(payload)

    async def update_lead(self, campaign_id: str, lead_id: str, update: LeadUpdate) -> Lead:
        """Change a lead's documented fields in one campaign."""
        response = await self.http.request(
            "PATCH",
            f"campaigns/{_segment(campaign_id)}/leads/{_segment(lead_id)}",
            json=update.to_body(),
            idempotent=True,
        )
        return Lead.model_validate(response.json())

    async def delete_lead(self, campaign_id: str, lead_id: str) -> Lead:
        """Remove a lead from a campaign for good (`action=remove`)."""
        response = await self.http.request(
            "DELETE",
            f"campaigns/{_segment(campaign_id)}/leads/{_segment(lead_id)}",
            params={"action": "remove"},
        )
        return Lead.model_validate(response.json())

    async def unsubscribe_lead(self, campaign_id: str, email_or_lead_id: str) -> Lead:
        """Stop a lead's sequence in one campaign; the lead stays, marked unsubscribed."""
        response = await self.http.request(
            "DELETE", f"campaigns/{_segment(campaign_id)}/leads/{_segment(email_or_lead_id)}"
        )
        return Lead.model_validate(response.json())

    async def pause_lead(self, lead_id: str, *, campaign_id: str | None = None) -> list[Lead]:
        """Hold the lead's sequence (in `campaign_id` only, else in all its campaigns) until
        started again; answers the lead in each campaign it was paused in."""
        response = await self.http.request(
            "POST",
            f"leads/pause/{_segment(lead_id)}",
            params={"campaignId": campaign_id} if campaign_id else None,
            idempotent=True,
        )
        return [Lead.model_validate(item) for item in response.json()]

    async def resume_lead(self, lead_id: str) -> list[Lead]:
        """Restart a paused lead's sequence (`POST /leads/start/{leadId}`)."""
        response = await self.http.request(
            "POST", f"leads/start/{_segment(lead_id)}", idempotent=True
        )
        return [Lead.model_validate(item) for item in response.json()]

    # --- activities ------------------------------------------------------------------------

    async def activities_page(
        self,
        *,
        type: str | None = None,
        campaign_id: str | None = None,
        lead_id: str | None = None,
        since: datetime | None = None,
        until: datetime | None = None,
        limit: int = PAGE_MAX,
        offset: int = 0,
    ) -> list[Activity]:
        """One page of `GET /activities?version=v2`, newest first (`limit` ≤ 100)."""
        params: dict[str, Any] = {**V2, "limit": min(limit, PAGE_MAX), "offset": offset}
        optional = {
            "type": type,
            "campaignId": campaign_id,
            "leadId": lead_id,
            "minDate": _iso(since) if since else None,
            "maxDate": _iso(until) if until else None,
        }
        params.update({key: value for key, value in optional.items() if value is not None})
        response = await self.http.request("GET", "activities", params=params)
        return [Activity.model_validate(item) for item in response.json()]

    async def iter_activities(
        self,
        *,
        type: str | None = None,
        campaign_id: str | None = None,
        since: datetime | None = None,
        page_size: int = PAGE_MAX,
    ) -> AsyncIterator[Activity]:
        """Every matching activity, paging by offset to the end (each id yielded once)."""
        seen: set[str] = set()
        offset = 0
        while True:
            page = await self.activities_page(
                type=type, campaign_id=campaign_id, since=since, limit=page_size, offset=offset
            )
            for activity in page:
                # New events arriving mid-walk shift offsets; never yield one twice.
                if activity.id not in seen:
                    seen.add(activity.id)
                    yield activity
            if len(page) < min(page_size, PAGE_MAX):
                return
            offset += len(page)

    async def list_activities(
        self,
        *,
        campaign_id: str | None = None,
        type: str | None = None,
        since: datetime | None = None,
        limit: int = 100,
        offset: int = 0,
    ) -> list[OutreachActivity]:
        """Engagement events, newest first."""
        page = await self.activities_page(
            type=type, campaign_id=campaign_id, since=since, limit=limit, offset=offset
        )
        return [self._outreach_activity(activity) for activity in page]

    def _outreach_activity(self, activity: Activity) -> OutreachActivity:
        raw = activity.model_dump(by_alias=True, exclude_none=True)
        return OutreachActivity(
            provider=self.name,
            activity_id=activity.id,
            type=activity.type,
            campaign_id=activity.campaign_id,
            lead_id=activity.lead_id,
            lead_email=activity.lead_email,
            occurred_at=activity.created_at,
            sequence_step=activity.sequence_step,
            data={key: value for key, value in raw.items() if key not in ACTIVITY_FIELDS},
        )

    # --- hooks -----------------------------------------------------------------------------

    async def create_hook(self, hook: HookCreate) -> Hook:
        """Subscribe `target_url` to events (one POST per event, `secret` echoed in each)."""
        body = hook.to_body()
        params = {
            key: (str(value).lower() if isinstance(value, bool) else value)
            for key in ("campaignId", "isFirst")
            if (value := body.pop(key, None)) is not None
        }
        response = await self.http.request("POST", "hooks", params=params or None, json=body)
        return Hook.model_validate(response.json())

    async def list_hooks(self) -> list[Hook]:
        """Every webhook of the team (secrets are never returned)."""
        response = await self.http.request("GET", "hooks")
        return [Hook.model_validate(item) for item in response.json()]

    async def delete_hook(self, hook_id: str) -> Hook:
        """Remove a webhook; answers the deleted hook."""
        response = await self.http.request("DELETE", f"hooks/{_segment(hook_id)}")
        return Hook.model_validate(response.json())

    # --- unsubscribes ----------------------------------------------------------------------

    async def list_unsubscribes(self, *, limit: int = 100, offset: int = 0) -> list[Unsubscribe]:
        """One page of the team's unsubscribed addresses and domains."""
        response = await self.http.request(
            "GET", "unsubscribes", params={"limit": limit, "offset": offset}
        )
        return [Unsubscribe.model_validate(item) for item in response.json()]

    async def iter_unsubscribes(self, *, page_size: int = 100) -> AsyncIterator[Unsubscribe]:
        """Every unsubscribe entry, page by page."""
        offset = 0
        while True:
            page = await self.list_unsubscribes(limit=page_size, offset=offset)
            for entry in page:
                yield entry
            if len(page) < page_size:
                return
            offset += len(page)

    async def add_unsubscribe(self, email_or_domain: str) -> Unsubscribe:
        """Never email this address again; a bare domain (`acme.com`) is sent as `@acme.com`."""
        value = email_or_domain.strip().lower()
        if "@" not in value:
            value = f"@{value}"  # lemlist: "Domains must start with @"
        response = await self.http.request(
            "POST", f"unsubscribes/{_segment(value)}", idempotent=True
        )
        return Unsubscribe.model_validate(response.json())

    async def delete_unsubscribe(self, email_or_domain: str) -> Unsubscribe | None:
        """Allow emailing this address (or `@domain`) again; None when it was not listed."""
        response = await self.http.request(
            "DELETE", f"unsubscribes/{_segment(email_or_domain)}", ok_statuses=frozenset({404})
        )
        if response.status_code == 404:
            return None
        return Unsubscribe.model_validate(response.json())

    async def unsubscribe(self, email_or_domain: str) -> None:
        """Never contact this address (or domain) again from this provider."""
        await self.add_unsubscribe(email_or_domain)

    # --- People database -------------------------------------------------------------------

    async def database_filters(self) -> list[DatabaseFilterSpec]:
        """The filters People and Companies database searches accept (free)."""
        response = await self.http.request("GET", "database/filters")
        return [DatabaseFilterSpec.model_validate(item) for item in response.json()]

    async def search_database(
        self,
        kind: Literal["people", "companies"],
        filters: list[DatabaseFilter],
        *,
        page: int = 1,
        size: int = 25,
        search: str | None = None,
    ) -> DatabasePage:
        """One page of lemlist's People (size ≤ 100) or Companies (≤ 500) database. Each search
        uses one of the team's daily database searches (`limitation` says how many are left);
        it is a read, so a retry is safe."""
        body: dict[str, Any] = {
            "filters": [item.to_body() for item in filters],
            "page": page,
            "size": size,
        }
        if search:
            body["search"] = search
        response = await self.http.request("POST", f"database/{kind}", json=body, idempotent=True)
        return DatabasePage.model_validate(response.json())
