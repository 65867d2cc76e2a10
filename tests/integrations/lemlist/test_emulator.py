"""The emulator as an app: real-time ticking, mounting under a prefix, reset."""

from __future__ import annotations

import asyncio

import httpx
from fastapi import FastAPI

from salesauto.integrations.models import OutreachLead
from salesauto.integrations.sandbox.kit import SandboxConfig
from salesauto.integrations.sandbox.lemlist import build_lemlist_emulator
from tests.integrations.lemlist.conftest import make_client
from tests.support.servers import serve_app


async def test_time_scale_moves_the_simulation_in_real_time() -> None:
    # 200,000 simulated seconds per second: the first emails (due within 2 h) go out at once.
    app = build_lemlist_emulator(SandboxConfig(seed=3, time_scale=200_000))
    async with serve_app(app) as url:
        client = make_client(url)
        try:
            campaign_id = (await client.list_campaigns(status="running"))[0].id
            for index in range(3):
                lead = OutreachLead(email=f"realtime{index}@tick.example", first_name="Sam")
                assert (await client.enroll_lead(campaign_id, lead)).enrolled
            for _ in range(40):
                sent = await client.list_activities(type="emailsSent")
                if len(sent) >= 3:
                    break
                await asyncio.sleep(0.1)
        finally:
            await client.http.aclose()
    assert {activity.lead_email for activity in sent} >= {
        f"realtime{index}@tick.example" for index in range(3)
    }


async def test_works_mounted_under_a_prefix_and_resets() -> None:
    emulator = build_lemlist_emulator(SandboxConfig(seed=5, time_scale=0))
    parent = FastAPI()
    parent.mount("/sandbox/lemlist", emulator)
    async with serve_app(parent) as url:
        base = f"{url}/sandbox/lemlist"
        client = make_client(base)
        try:
            campaign_id = (await client.list_campaigns(status="running"))[0].id
            lead = OutreachLead(email="mounted@prefix.example")
            assert (await client.enroll_lead(campaign_id, lead)).enrolled
            async with httpx.AsyncClient(base_url=base) as control:
                moved = await control.post("/_sandbox/lemlist/advance", json={"seconds": 86400})
                assert moved.json()["activities"] >= 1
                assert (await control.get("/_sandbox/stats")).json()["requests"] >= 2
                await control.post("/_sandbox/reset")
            assert await client.find_lead(email="mounted@prefix.example") is None
            assert await client.list_activities() == []
            assert len(await client.list_campaigns()) == 3
        finally:
            await client.http.aclose()
            # A mounted app's lifespan never runs: the parent stops the emulator's tasks.
            await emulator.state.lemlist.stop()
