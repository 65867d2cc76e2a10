"""A spawned campaign runs at the lemlist emulator; its activities, applied in any order and
twice, give the instance counters lemlist's own stats give (both databases)."""

from __future__ import annotations

import random
import uuid
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa

from salesauto.campaigns.applying import apply_provider_event
from salesauto.campaigns.events import (
    ProviderEvent,
    lemlist_event_type,
)
from salesauto.campaigns.tables import INSTANCES
from salesauto.contacts.merge import ContactFacts
from salesauto.contacts.repository import merge_contacts
from salesauto.integrations.lemlist.schemas import Activity
from salesauto.integrations.models import OutreachLead
from salesauto.kit.db import retry_locked
from salesauto.kit.time import utcnow
from salesauto.models.base import table_of
from salesauto.models.jobs import Job
from salesauto.pipeline.enrollments import (
    ENROLLED,
    EnrollmentRecord,
    record_enrollments,
    reserve_enrollments,
)
from tests.campaigns.api_support import Api
from tests.support.waiting import eventually

BASE = "/api/campaigns"
LEADS = 24
JOBS = table_of(Job)


def _event(activity: Activity) -> ProviderEvent | None:
    kind = lemlist_event_type(activity.type)
    if kind is None:
        return None
    return ProviderEvent(
        owner_id="default",
        provider="lemlist",
        provider_event_id=activity.id,
        event_type=kind,
        email=(activity.lead_email or "").lower() or None,
        provider_campaign_id=activity.campaign_id,
        provider_lead_id=activity.lead_id,
        occurred_at=activity.created_at.astimezone(UTC),
        step=activity.sequence_step,
        data=activity.model_dump(by_alias=True, exclude_none=True, mode="json"),
    )


async def _enroll(api: Api, instance_id: uuid.UUID, campaign_id: str) -> None:
    """Enroll leads at lemlist and record them the way the outreach step does."""
    emails = [f"buyer{n}@firm{n}.example" for n in range(LEADS)]
    engine, lemlist, now = api.platform.engine, api.platform.integrations.lemlist, utcnow()
    async with engine.begin() as conn:
        facts = [ContactFacts(email=email, fields={"first_name": "Kim"}) for email in emails]
        await merge_contacts(conn, "default", facts, source="csv", at=now)
        await reserve_enrollments(
            conn,
            instance_id=instance_id,
            owner_id="default",
            emails=emails,
            cap=1000,
            since=now - timedelta(days=1),
            now=now,
        )
    records = []
    for n, email in enumerate(emails):
        lead = OutreachLead(email=email, first_name="Kim", company_name=f"Firm {n}")
        outcome = await lemlist.enroll_lead(campaign_id, lead)
        records.append(EnrollmentRecord(email, ENROLLED, outcome.lead_id, {}))
    async with engine.begin() as conn:
        await record_enrollments(
            conn,
            instance_id=instance_id,
            owner_id="default",
            records=records,
            released=[],
            at=now,
        )


async def test_counters_match_lemlist_stats_whatever_the_order(api: Api) -> None:
    template = await api.template()
    instance = await api.ok("POST", f"{BASE}/instances", 201, json={"templateId": template["id"]})
    instance_id, campaign_id = uuid.UUID(instance["id"]), instance["providerCampaignId"]
    path = f"{BASE}/instances/{instance_id}"
    await _enroll(api, instance_id, campaign_id)
    await api.ok("POST", f"{path}/start")
    await api.advance(days=12)

    lemlist = api.platform.integrations.lemlist
    activities = [a async for a in lemlist.iter_activities(campaign_id=campaign_id)]
    sent = [a for a in activities if a.type == "emailsSent"]
    assert {a.subject for a in sent if a.sequence_step == 0} >= {"Idea for Firm 0"}
    assert {a.sequence_step for a in sent} == {0, 1}  # the template's two steps ran
    events = [e for e in map(_event, activities) if e is not None]
    shuffled = events + events[:8]  # every event once, some delivered twice, in any order
    random.Random(7).shuffle(shuffled)
    for event in shuffled:

        async def write(event: ProviderEvent = event) -> None:
            async with api.platform.engine.begin() as conn:
                await apply_provider_event(conn, event)

        await retry_locked(write)

    stats = await api.ok("GET", f"{path}/stats")
    funnel = {stage["stage"]: stage["count"] for stage in stats["funnel"]}
    truth = await lemlist.campaign_stats(
        campaign_id, start=datetime(2020, 1, 1, tzinfo=UTC), end=datetime(2100, 1, 1, tzinfo=UTC)
    )

    def leads(kind: str) -> int:  # lemlist's stats have no count of clicked or bounced leads
        return len({a.lead_id for a in activities if a.type == kind})

    assert funnel == {
        "enrolled": LEADS,
        "sent": truth.nb_leads_launched,
        "delivered": truth.nb_leads_reached,
        "opened": truth.nb_leads_opened,
        "clicked": leads("emailsClicked"),
        "replied": truth.nb_leads_answered,
    }
    assert (stats["unsubscribed"], stats["bounced"]) == (
        truth.nb_leads_unsubscribed,
        leads("emailsBounced"),
    )
    assert funnel["replied"] > 0 and funnel["opened"] > funnel["replied"]
    assert stats["rates"]["replyRate"] == round(funnel["replied"] / funnel["delivered"], 4)
    assert stats["rates"]["bounceRate"] == round(stats["bounced"] / funnel["sent"], 4)

    # Each reply queued a classification; the worker classifies every one (and acts on it:
    # an unsubscribe or an absence moves the enrollment on from `replied`).
    page = await eventually(
        lambda: api.ok("GET", f"{path}/enrollments", params={"limit": LEADS}),
        lambda page: all(e["replyClass"] for e in page["enrollments"] if e["repliedAt"]),
    )
    replied = [e for e in page["enrollments"] if e["repliedAt"]]
    assert len(replied) == funnel["replied"]
    assert all(e["replyText"] for e in replied)
    page = await api.ok("GET", f"{path}/events", params={"type": "replied", "limit": 1})
    assert page["events"][0]["type"] == "replied" and page["events"][0]["data"]["text"]
    seen, cursor = 1, page["nextCursor"]
    while cursor:
        more = await api.ok("GET", f"{path}/events", params={"type": "replied", "cursor": cursor})
        seen, cursor = seen + len(more["events"]), more["nextCursor"]
    assert seen == funnel["replied"]
    async with api.platform.engine.connect() as conn:
        classify = await conn.execute(
            sa.select(sa.func.count()).where(JOBS.c.type == "campaigns.classify_reply")
        )
        assert classify.scalar() == funnel["replied"]

    async with api.platform.engine.begin() as conn:  # counters damaged by hand
        await conn.execute(
            sa.update(INSTANCES)
            .where(INSTANCES.c.id == instance_id)
            .values(total_opened=999, total_delivered=0)
        )
    assert await api.ok("POST", f"{path}/recount") == stats
