"""The engagement simulation seen through the client: a started campaign's leads produce
sends, opens, clicks, bounces and replies in `/activities` and as webhook POSTs."""

from __future__ import annotations

import asyncio
import re
from collections import Counter
from typing import Any

import httpx
from fastapi import FastAPI, HTTPException, Request

from salesauto.integrations.lemlist import LemlistClient
from salesauto.integrations.lemlist.schemas import Activity, HookCreate
from salesauto.integrations.models import OutreachLead
from salesauto.integrations.sandbox.kit import SandboxConfig
from salesauto.integrations.sandbox.lemlist import build_lemlist_emulator
from tests.integrations.lemlist.conftest import DAY, advance, make_client
from tests.support.servers import serve_app

FIRST = ("Maya", "Jonas", "Aiko", "Luis", "Noor", "Felix", "Ines", "Omar", "Clara", "Ravi")
LAST = ("Berg", "Silva", "Tanaka", "Moreau", "Haddad", "Novak", "Okoye", "Weber", "Costa", "Iyer")
COMPANIES = ("brightlane.io", "corvid-analytics.com", "tallyforge.de", "nimbusops.co",
             "harborview.tech")  # fmt: skip


def lead_batch(count: int) -> list[dict[str, str]]:
    leads = []
    for index in range(count):
        first, last = FIRST[index % 10], LAST[(index // 10 + index) % 10]
        domain = COMPANIES[index % len(COMPANIES)]
        leads.append(
            {
                "email": f"{first.lower()}.{last.lower()}{index}@{domain}",
                "firstName": first,
                "lastName": last,
                "companyName": domain.split(".")[0].replace("-", " ").title(),
            }
        )
    return leads


def hook_receiver() -> tuple[FastAPI, dict[str, list[dict[str, Any]]]]:
    """A tiny app that records every webhook body it receives, by path."""
    app = FastAPI()
    received: dict[str, list[dict[str, Any]]] = {"all": [], "replies": []}

    @app.post("/lemlist/{kind}")
    async def receive(kind: str, request: Request) -> dict[str, bool]:
        received[kind].append(await request.json())
        return {"ok": True}

    return app, received


async def enroll_batch(lemlist: LemlistClient, campaign_id: str, count: int) -> None:
    outcomes = await asyncio.gather(
        *(
            lemlist.enroll_lead(
                campaign_id,
                OutreachLead(
                    email=lead["email"],
                    first_name=lead["firstName"],
                    last_name=lead["lastName"],
                    company_name=lead["companyName"],
                ),
            )
            for lead in lead_batch(count)
        )
    )
    assert all(outcome.enrolled for outcome in outcomes)


# Fates are drawn from seed + email, so a run is reproducible: under seed 28 these 50 leads
# draw every reply class (interested, not now, out of office, unsubscribe, wrong person,
# negative) and 3 bounces. Another seed gives the same rates but maybe not every class.
ENGAGEMENT_SEED = 28


async def test_started_campaign_engages_leads_and_posts_hooks() -> None:
    receiver, received = hook_receiver()
    emulator = build_lemlist_emulator(SandboxConfig(seed=ENGAGEMENT_SEED, time_scale=0.0))
    async with (
        serve_app(receiver) as hooks_url,
        serve_app(emulator) as emulator_url,
        httpx.AsyncClient(base_url=emulator_url, timeout=30) as control,
    ):
        lemlist = make_client(emulator_url)
        try:
            await engage_fifty_leads(lemlist, control, hooks_url, received)
        finally:
            await lemlist.http.aclose()


async def engage_fifty_leads(
    lemlist: LemlistClient,
    control: httpx.AsyncClient,
    hooks_url: str,
    received: dict[str, list[dict[str, Any]]],
) -> None:
    campaign_id = (await lemlist.list_campaigns(status="draft"))[0].id
    await lemlist.create_hook(
        HookCreate(target_url=f"{hooks_url}/lemlist/all", secret="whsec-demo")
    )
    await lemlist.create_hook(
        HookCreate(target_url=f"{hooks_url}/lemlist/replies", type="emailsReplied")
    )
    await enroll_batch(lemlist, campaign_id, 50)

    # A draft campaign sends nothing, however long we wait.
    assert (await advance(control, 2 * DAY))["activities"] == 0
    await lemlist.start_campaign(campaign_id)
    result = await advance(control, 14 * DAY)
    assert result["hooksFailed"] == 0 and result["hooksPending"] == 0

    activities = [a async for a in lemlist.iter_activities(campaign_id=campaign_id)]
    assert len(activities) == result["activities"]
    types = Counter(activity.type for activity in activities)
    assert types["emailsSent"] >= 50 + 30  # every lead's first email, most get follow-ups
    assert types["emailsOpened"] > 20
    assert types["emailsBounced"] == 3
    assert types["emailsReplied"] == 7  # ~11 % of 50, as drawn under this seed
    assert types["emailsClicked"] >= 1
    assert_sequences_stop(activities)

    # One POST per event to the catch-all hook, with the secret; replies to the typed one.
    assert sorted(body["_id"] for body in received["all"]) == sorted(a.id for a in activities)
    assert all(body["secret"] == "whsec-demo" for body in received["all"])
    reply_ids = {a.id for a in activities if a.type == "emailsReplied"}
    assert {body["_id"] for body in received["replies"]} == reply_ids
    assert all("secret" not in body for body in received["replies"])
    sent = next(body for body in received["all"] if body["type"] == "emailsSent")
    assert sent["to"][0]["address"] == sent["leadEmail"]
    assert sent["subject"].startswith(("Quick question about", "Re:", "Closing the loop"))

    await assert_reply_classes(control, activities)

    stats = await lemlist.campaign_stats(
        campaign_id,
        start=min(a.created_at for a in activities),
        end=max(a.created_at for a in activities),
    )
    assert stats.messages_sent == types["emailsSent"]
    assert stats.nb_leads_answered == types["emailsReplied"]
    assert stats.messages_bounced == types["emailsBounced"]


def assert_sequences_stop(activities: list[Activity]) -> None:
    """After a reply or a bounce, that lead is never emailed again."""
    by_lead: dict[str, list[Activity]] = {}
    for activity in activities:
        by_lead.setdefault(activity.lead_id or "", []).append(activity)
    for events in by_lead.values():
        stops = [e.created_at for e in events if e.type in ("emailsReplied", "emailsBounced")]
        if stops:
            later_sends = [e for e in events if e.type == "emailsSent" and e.created_at > stops[0]]
            assert later_sends == []
        steps = sorted(e.sequence_step or 0 for e in events if e.type == "emailsSent")
        assert steps == list(range(len(steps)))  # steps in order, none twice


async def assert_reply_classes(control: httpx.AsyncClient, activities: list[Activity]) -> None:
    replies = {a.id: a for a in activities if a.type == "emailsReplied"}
    facts = (await control.get("/_sandbox/lemlist/replies")).json()
    assert {fact["activityId"] for fact in facts} == set(replies)
    classes = {fact["class"]: fact for fact in facts}
    assert set(classes) == {
        "interested",
        "not_now",
        "out_of_office",
        "unsubscribe",
        "wrong_person",
        "negative",
    }

    away = classes["out_of_office"]
    text = replies[away["activityId"]].text or ""
    assert away["returnDate"] in text and re.search(r"\d{4}-\d{2}-\d{2}", text)
    assert (replies[away["activityId"]].subject or "").startswith("Automatic reply:")

    referral = classes["wrong_person"]
    text = replies[referral["activityId"]].text or ""
    assert referral["referralEmail"] in text and referral["referralName"] in text
    lead_domain = referral["leadEmail"].rsplit("@", 1)[1]
    assert referral["referralEmail"].endswith("@" + lead_domain)
    for activity in replies.values():
        assert activity.text and activity.subject
        assert "_sandboxClass" not in (activity.model_extra or {})


async def test_activities_page_to_the_end_with_a_type_filter(
    lemlist: LemlistClient, control: httpx.AsyncClient
) -> None:
    campaign_id = (await lemlist.list_campaigns(status="running"))[0].id
    await enroll_batch(lemlist, campaign_id, 30)
    await advance(control, 12 * DAY)

    everything = [a async for a in lemlist.iter_activities()]
    sent = [a async for a in lemlist.iter_activities(type="emailsSent", page_size=25)]
    assert len(sent) > 50  # more than two pages of 25
    assert [a.id for a in sent] == [a.id for a in everything if a.type == "emailsSent"]
    assert len({a.id for a in sent}) == len(sent)
    moments = [a.created_at for a in sent]
    assert moments == sorted(moments, reverse=True)  # newest first

    since = moments[len(moments) // 2]
    recent = await lemlist.list_activities(type="emailsSent", since=since, limit=100)
    assert recent and all(a.occurred_at >= since for a in recent)
    assert len(recent) == sum(1 for moment in moments if moment >= since)
    assert recent[0].provider == "lemlist" and recent[0].data["subject"]


async def test_paused_campaign_stops_sending_until_started(
    lemlist: LemlistClient, control: httpx.AsyncClient
) -> None:
    campaign_id = (await lemlist.list_campaigns(status="running"))[0].id
    await enroll_batch(lemlist, campaign_id, 10)
    await advance(control, 1 * DAY)
    first_wave = len([a async for a in lemlist.iter_activities(type="emailsSent")])
    assert first_wave == 10 - 0  # every lead got its first email

    await lemlist.pause_campaign(campaign_id)
    await advance(control, 10 * DAY)
    assert len([a async for a in lemlist.iter_activities(type="emailsSent")]) == first_wave

    await lemlist.start_campaign(campaign_id)
    await advance(control, 10 * DAY)
    assert len([a async for a in lemlist.iter_activities(type="emailsSent")]) > first_wave


async def test_failed_webhook_deliveries_are_retried(
    lemlist: LemlistClient, control: httpx.AsyncClient
) -> None:
    """A receiver that answers 500 the first time gets each event again; nothing is lost."""
    app = FastAPI()
    attempts: Counter[str] = Counter()

    @app.post("/flaky")
    async def flaky(request: Request) -> dict[str, bool]:
        body = await request.json()
        attempts[body["_id"]] += 1
        if attempts[body["_id"]] == 1:
            raise HTTPException(500, "receiver hiccup")
        return {"ok": True}

    async with serve_app(app) as url:
        await lemlist.create_hook(HookCreate(target_url=f"{url}/flaky", type="emailsSent"))
        campaign_id = (await lemlist.list_campaigns(status="running"))[0].id
        await enroll_batch(lemlist, campaign_id, 3)
        result = await advance(control, 1 * DAY)
    assert result["hooksDelivered"] == 3 and result["hooksFailed"] == 0
    assert sorted(attempts.values()) == [2, 2, 2]
