"""LemlistClient against the lemlist emulator over real HTTP: campaigns, leads, hooks,
unsubscribes, auth and errors."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from salesauto.integrations.capabilities import OutreachProvider
from salesauto.integrations.http import ProviderAuthFailed, ProviderRejected
from salesauto.integrations.lemlist import LemlistClient, lemlist_profile
from salesauto.integrations.lemlist.profile import basic_authorization
from salesauto.integrations.lemlist.schemas import HookCreate, LeadUpdate
from salesauto.integrations.models import OutreachLead
from salesauto.integrations.providers import ProviderTarget, build_http
from tests.integrations.lemlist.conftest import make_client
from tests.support.servers import provider_settings, serve_app

AUTH = ("", "sandbox-key-salesauto")


async def running_campaign(lemlist: LemlistClient) -> str:
    campaigns = await lemlist.list_campaigns(status="running")
    return campaigns[0].id


async def test_client_is_an_outreach_provider(lemlist: LemlistClient) -> None:
    assert isinstance(lemlist, OutreachProvider)
    assert await lemlist.check() == "3 campaigns (1 running)"


def test_basic_auth_has_an_empty_username() -> None:
    # The documented example: key `abc123` → `Basic OmFiYzEyMw==` (base64 of ":abc123").
    assert basic_authorization("abc123") == "Basic OmFiYzEyMw=="


async def test_lead_round_trip(lemlist: LemlistClient) -> None:
    campaign_id = await running_campaign(lemlist)
    lead = OutreachLead(
        email="Ada.Lovelace@Analytical.io",
        first_name="Ada",
        last_name="Lovelace",
        company_name="Analytical Engines",
        job_title="Head of RevOps",
        variables={"painPoint": "manual CRM updates", "firstName": "shadowed"},
    )
    outcome = await lemlist.enroll_lead(campaign_id, lead)
    assert outcome.enrolled and outcome.lead_id and outcome.lead_id.startswith("lea_")
    assert outcome.contact_id and outcome.contact_id.startswith("ctc_")

    memberships = await lemlist.get_lead_memberships("ada.lovelace@analytical.io")
    assert [m.id for m in memberships] == [outcome.lead_id]
    assert memberships[0].campaign is not None and memberships[0].campaign.id == campaign_id
    # Custom variables are stored, and cannot shadow the standard fields.
    assert memberships[0].variables["painPoint"] == "manual CRM updates"
    assert memberships[0].variables["firstName"] == "Ada"

    updated = await lemlist.update_lead(
        campaign_id, outcome.lead_id, LeadUpdate(job_title="VP Revenue")
    )
    assert updated.job_title == "VP Revenue"
    found = await lemlist.find_lead(email="ada.lovelace@analytical.io")
    assert found is not None and found.job_title == "VP Revenue" and found.first_name == "Ada"

    unsubscribed = await lemlist.unsubscribe_lead(campaign_id, "ada.lovelace@analytical.io")
    assert unsubscribed.id == outcome.lead_id and unsubscribed.is_unsubscribed
    refs = await lemlist.list_campaign_leads(campaign_id, state="unsubscribed")
    assert [ref.id for ref in refs] == [outcome.lead_id]

    deleted = await lemlist.delete_lead(campaign_id, outcome.lead_id)
    assert deleted.id == outcome.lead_id
    assert await lemlist.find_lead(email="ada.lovelace@analytical.io") is None
    assert await lemlist.get_lead_memberships("ada.lovelace@analytical.io") == []


async def test_duplicates_are_skipped_not_errors(lemlist: LemlistClient) -> None:
    campaigns = await lemlist.list_campaigns()
    first, second = campaigns[0].id, campaigns[1].id
    lead = OutreachLead(email="grace@hopper.dev", first_name="Grace")
    assert (await lemlist.enroll_lead(first, lead)).enrolled

    again = await lemlist.enroll_lead(first, lead, deduplicate=False)
    assert not again.enrolled and again.skipped_reason == "Already in the campaign"

    elsewhere = await lemlist.enroll_lead(second, lead, deduplicate=True)
    assert not elsewhere.enrolled and elsewhere.skipped_reason
    assert "another campaign" in elsewhere.skipped_reason
    # Without deduplication the same person may join a second campaign.
    assert (await lemlist.enroll_lead(second, lead, deduplicate=False)).enrolled
    assert len(await lemlist.get_lead_memberships("grace@hopper.dev")) == 2


async def test_campaign_get_start_pause_and_stats(lemlist: LemlistClient) -> None:
    draft = (await lemlist.list_campaigns(status="draft"))[0]
    detail = await lemlist.get_campaign(draft.id)
    assert detail.name == draft.name and detail.senders and detail.creator is not None
    assert (await lemlist.start_campaign(draft.id)).state == "running"
    assert (await lemlist.get_campaign(draft.id)).status == "running"
    assert (await lemlist.pause_campaign(draft.id)).state == "paused"
    now = datetime.now(UTC)
    stats = await lemlist.campaign_stats(draft.id, start=now - timedelta(days=30), end=now)
    assert stats.nb_leads == 0 and [step.sequence_step for step in stats.steps] == [0, 1, 2]

    with pytest.raises(ProviderRejected) as missing:
        await lemlist.get_campaign("cam_doesNotExist12345")
    assert missing.value.status == 404 and missing.value.body == "Campaign not found"


async def test_campaigns_accept_both_envelopes(
    lemlist: LemlistClient, control: httpx.AsyncClient
) -> None:
    bare = await lemlist.list_campaigns()
    raw = await control.get("/campaigns", params={"version": "v2"}, auth=AUTH)
    assert isinstance(raw.json(), list)  # the documented default

    await control.put("/_sandbox/lemlist/options", json={"campaignsEnvelope": True})
    raw = await control.get("/campaigns", params={"version": "v2", "limit": 2}, auth=AUTH)
    assert raw.json()["pagination"]["totalRecords"] == 3
    assert [c.id for c in await lemlist.list_campaigns()] == [c.id for c in bare]
    assert len([c async for c in lemlist.iter_campaigns()]) == 3


async def test_campaign_paging_to_the_end_across_envelope_pages() -> None:
    """A tiny server answering the `{campaigns, pagination}` envelope, 100 per page."""
    app = FastAPI()
    campaigns = [
        {"_id": f"cam_{i:017d}", "name": f"Campaign {i}", "labels": [], "status": "running"}
        for i in range(230)
    ]

    @app.get("/campaigns")
    async def listing(offset: int = 0, limit: int = 100) -> dict[str, Any]:
        chosen = campaigns[offset : offset + limit]
        return {"campaigns": chosen, "pagination": {"totalRecords": len(campaigns)}}

    async with serve_app(app) as url:
        client = make_client(url)
        try:
            seen = [c.id async for c in client.iter_campaigns()]
        finally:
            await client.http.aclose()
    assert seen == [c["_id"] for c in campaigns]


async def test_hooks_create_list_delete(lemlist: LemlistClient) -> None:
    campaign_id = await running_campaign(lemlist)
    replies = await lemlist.create_hook(
        HookCreate(
            target_url="https://example.com/lemlist/replies",
            type="emailsReplied",
            campaign_id=campaign_id,
            secret="s3cret",
        )
    )
    everything = await lemlist.create_hook(HookCreate(target_url="https://example.com/all"))
    assert replies.id.startswith("hoo_") and replies.type == "emailsReplied"
    listed = {hook.id: hook for hook in await lemlist.list_hooks()}
    assert set(listed) == {replies.id, everything.id}
    assert listed[replies.id].campaign_id == campaign_id
    assert "secret" not in (listed[replies.id].model_extra or {})
    assert (await lemlist.delete_hook(replies.id)).id == replies.id
    assert [hook.id for hook in await lemlist.list_hooks()] == [everything.id]
    with pytest.raises(ProviderRejected) as missing:
        await lemlist.delete_hook(replies.id)
    assert missing.value.body == "Webhook not found"


async def test_unsubscribes_list_add_delete_and_enrollment(lemlist: LemlistClient) -> None:
    campaign_id = await running_campaign(lemlist)
    await lemlist.unsubscribe("gone@nowhere.example")
    domain = await lemlist.add_unsubscribe("competitor.example")
    assert domain.value == "@competitor.example" and domain.id.startswith("uns_")
    values = {entry.value: entry for entry in [u async for u in lemlist.iter_unsubscribes()]}
    assert set(values) == {"gone@nowhere.example", "@competitor.example"}
    assert values["gone@nowhere.example"].source == "api"

    for email in ("gone@nowhere.example", "spy@competitor.example"):
        outcome = await lemlist.enroll_lead(campaign_id, OutreachLead(email=email))
        assert not outcome.enrolled and outcome.skipped_reason
        assert outcome.skipped_reason.startswith("Unsubscribed")

    removed = await lemlist.delete_unsubscribe("gone@nowhere.example")
    assert removed is not None and removed.value == "gone@nowhere.example"
    assert await lemlist.delete_unsubscribe("gone@nowhere.example") is None
    assert [u.value for u in await lemlist.list_unsubscribes()] == ["@competitor.example"]


async def test_auth_errors_and_access_token(emulator_url: str, control: httpx.AsyncClient) -> None:
    missing = await control.get("/campaigns")
    assert (missing.status_code, missing.text) == (400, "No API key provided")
    assert missing.headers["content-type"].startswith("text/plain")
    wrong = await control.get("/campaigns", auth=("", "invalid-key"))
    assert (wrong.status_code, wrong.text) == (401, "The authentication you supplied is incorrect")
    token = await control.get("/campaigns", params={"version": "v2", "access_token": "k"})
    assert token.status_code == 200 and len(token.json()) == 3
    assert token.headers["x-ratelimit-limit"] == "20"
    assert "GMT" in token.headers["x-ratelimit-reset"]

    settings = provider_settings()
    target = ProviderTarget("lemlist", "live", emulator_url, "invalid-key")
    bad = LemlistClient(build_http(lemlist_profile(target, settings), settings))
    try:
        with pytest.raises(ProviderAuthFailed) as refused:
            await bad.check()
    finally:
        await bad.http.aclose()
    assert "The authentication you supplied is incorrect" in str(refused.value)
    assert "invalid-key" not in str(refused.value)
