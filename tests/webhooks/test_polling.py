"""Polling lemlist's activities (the fallback for webhooks) against the lemlist emulator: what
is read is applied once, whether it came by polling twice or by webhook first, and the cursor
moves on. `salesauto webhooks poll` runs one poll from the command line."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import httpx

from salesauto.app import create_app
from salesauto.campaigns.events import lemlist_event_type
from salesauto.integrations.models import OutreachLead
from salesauto.integrations.sandbox.kit import SandboxConfig
from salesauto.integrations.sandbox.server import build_sandbox_app
from salesauto.kit.serving import serve_in_background
from salesauto.models.base import table_of
from salesauto.models.webhooks import ProviderPollCursor
from salesauto.webhooks.polling import POLL_JOB
from tests.conftest import AUTH
from tests.support.cli import cli_env, run_cli
from tests.support.waiting import eventually, wait_for_job
from tests.webhooks.conftest import (
    BASE_URL,
    EVENTS,
    RECEIPTS,
    Api,
    enroll,
    lemlist_token,
    rows,
    webhook_settings,
)

LEADS = ("maya.berg@brightlane.io", "tom.ruiz@keelhaul.dev", "ines.ho@copperleaf.co")
CURSORS = table_of(ProviderPollCursor)
DAY = 86400.0


@dataclass
class Polling:
    api: Api
    sandbox_url: str
    campaign: str

    async def advance(self, seconds: float) -> None:
        """Move the emulator's clock: the leads' sequence produces activities."""
        async with httpx.AsyncClient() as http:
            response = await http.post(
                f"{self.sandbox_url}/lemlist/_sandbox/lemlist/advance", json={"seconds": seconds}
            )
            assert response.status_code == 200, response.text

    async def tracked_activities(self) -> list[dict[str, Any]]:
        """What lemlist has that campaigns act on, as `GET /activities` gives it."""
        lemlist = self.api.platform.integrations.lemlist
        found = [activity async for activity in lemlist.iter_activities()]
        return [
            activity.model_dump(by_alias=True, mode="json")
            for activity in found
            if lemlist_event_type(activity.type) is not None
        ]

    async def poll_job(self) -> dict[str, Any]:
        response = await self.api.http.post("/api/jobs", json={"type": POLL_JOB})
        assert response.status_code in (200, 201, 202), response.text
        job = await wait_for_job(self.api.platform, response.json()["jobId"], ("completed",))
        assert isinstance(job.result, dict)
        return job.result

    async def all_processed(self, count: int) -> list[Any]:
        return await eventually(
            lambda: rows(self.api.engine, RECEIPTS),
            lambda found: len(found) == count and all(r.status == "processed" for r in found),
        )


@asynccontextmanager
async def polling(database_url: str, *, mode: str = "on") -> AsyncIterator[Polling]:
    """The app polling the lemlist emulator, with three leads enrolled in a running campaign
    here and at lemlist. Its worker runs without the scheduler, so every poll is the test's."""
    emulator = build_sandbox_app(SandboxConfig(time_scale=0.0), ["lemlist"])
    async with serve_in_background(emulator) as sandbox_url:
        settings = webhook_settings(
            database_url, sandbox_enabled=True, sandbox_url=sandbox_url, lemlist_polling=mode
        )
        app = create_app(settings, run_worker=False)
        async with (
            app.router.lifespan_context(app),
            httpx.AsyncClient(
                transport=httpx.ASGITransport(app=app), base_url=BASE_URL, headers=AUTH
            ) as http,
        ):
            api = Api(http, app.state.platform)
            api.platform.start_worker(scheduler=False)
            lemlist = api.platform.integrations.lemlist
            campaign = (await lemlist.list_campaigns(status="running"))[0].id
            for email in LEADS:
                await enroll(api.engine, email, campaign)
                await lemlist.enroll_lead(campaign, OutreachLead(email=email, first_name="Lead"))
            yield Polling(api, sandbox_url, campaign)


async def test_polled_activities_are_applied_once_and_the_cursor_moves_on(
    database_url: str,
) -> None:
    async with polling(database_url) as lemlist:
        await lemlist.advance(4 * DAY)
        first = await lemlist.tracked_activities()
        assert first, "the emulator produced no activity"
        result = await lemlist.poll_job()
        assert (result["stored"], result["duplicates"]) == (len(first), 0)
        await lemlist.all_processed(len(first))
        events = await rows(lemlist.api.engine, EVENTS)
        assert sorted(e.provider_event_id for e in events) == sorted(a["_id"] for a in first)
        (cursor,) = await rows(lemlist.api.engine, CURSORS)
        assert cursor.cursor_at == max(datetime.fromisoformat(a["createdAt"]) for a in first)

        # Nothing new at lemlist: the next poll stores and applies nothing.
        again = await lemlist.poll_job()
        assert again["stored"] == 0
        assert len(await rows(lemlist.api.engine, EVENTS)) == len(events)

        # The rest of the sequence: only what is new is stored, and the cursor follows it.
        await lemlist.advance(10 * DAY)
        later = await lemlist.tracked_activities()
        assert len(later) > len(first)
        third = await lemlist.poll_job()
        assert third["stored"] == len(later) - len(first)
        await lemlist.all_processed(len(later))
        assert len(await rows(lemlist.api.engine, EVENTS)) == len(later)
        (moved,) = await rows(lemlist.api.engine, CURSORS)
        assert moved.cursor_at > cursor.cursor_at


async def test_an_activity_received_by_webhook_then_polled_is_processed_once(
    database_url: str, tmp_path: Path
) -> None:
    async with polling(database_url, mode="auto") as lemlist:
        token = await lemlist_token(lemlist.api.engine)
        await lemlist.advance(4 * DAY)
        activities = await lemlist.tracked_activities()
        hooked = activities[0]
        delivered = await lemlist.api.http.post(f"/webhooks/lemlist/{token}", json=hooked)
        assert delivered.json()["received"] == 1
        await lemlist.all_processed(1)

        # With a hook registered, `auto` leaves lemlist alone; the command polls anyway.
        skipped = await lemlist.poll_job()
        assert skipped == {
            "polled": False,
            "reason": "a lemlist webhook is registered (SALESAUTO_LEMLIST_POLLING=auto)",
        }
        env = cli_env(
            tmp_path,
            SALESAUTO_DATABASE_URL=lemlist.api.platform.settings.resolved_database_url,
            SALESAUTO_SANDBOX_URL=lemlist.sandbox_url,
        )
        code, out, err = await run_cli(env, "webhooks", "poll", "--json")
        assert code == 0, err
        polled = json.loads(out)
        assert (polled["stored"], polled["duplicates"]) == (len(activities) - 1, 1)

        receipts = await lemlist.all_processed(len(activities))
        assert sorted(r.event_id for r in receipts) == sorted(a["_id"] for a in activities)
        events = await rows(lemlist.api.engine, EVENTS)
        assert sorted(e.provider_event_id for e in events) == sorted(a["_id"] for a in activities)
