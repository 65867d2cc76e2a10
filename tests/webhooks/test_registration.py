"""`webhooks register` against the lemlist emulator, and the emulator's real deliveries to the
hook it created: one hook however often it runs, re-created when lemlist lost it."""

from __future__ import annotations

import httpx

from salesauto.app import create_app
from salesauto.integrations.models import OutreachLead
from salesauto.integrations.sandbox.kit import SandboxConfig
from salesauto.integrations.sandbox.server import build_sandbox_app
from salesauto.kit.serving import serve_in_background
from tests.conftest import AUTH
from tests.support.servers import free_port
from tests.support.waiting import eventually
from tests.webhooks.conftest import EVENTS, RECEIPTS, enroll, rows, webhook_settings

LEAD = "maya.berg@brightlane.io"


async def test_register_twice_makes_one_hook_that_lemlist_delivers_to(database_url: str) -> None:
    emulator = build_sandbox_app(SandboxConfig(time_scale=0.0), ["lemlist"])
    async with serve_in_background(emulator) as sandbox_url:
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        settings = webhook_settings(
            database_url, sandbox_enabled=True, sandbox_url=sandbox_url, public_base_url=base
        )
        app = create_app(settings, run_worker=True)
        async with (
            serve_in_background(app, port=port),
            httpx.AsyncClient(base_url=base, timeout=30, headers=AUTH) as http,
        ):
            lemlist = app.state.platform.integrations.lemlist
            engine = app.state.platform.engine
            first = (await http.post("/api/webhooks/register")).json()
            second = (await http.post("/api/webhooks/register")).json()
            assert first["lemlist"]["status"] == "created"
            assert second["lemlist"]["status"] == "unchanged"
            assert second["lemlist"]["hookId"] == first["lemlist"]["hookId"]
            assert first["hubspot"]["subscriptionUrl"] == f"{base}/webhooks/hubspot"
            (hook,) = await lemlist.list_hooks()
            assert hook.id == first["lemlist"]["hookId"]
            assert hook.target_url.startswith(f"{base}/webhooks/lemlist/")
            token = hook.target_url.rsplit("/", 1)[1]
            assert token not in first["lemlist"]["targetUrl"]

            # A running campaign's activities reach the hook and are applied.
            campaign = (await lemlist.list_campaigns(status="running"))[0].id
            await enroll(engine, LEAD, campaign)
            await lemlist.enroll_lead(campaign, OutreachLead(email=LEAD, first_name="Maya"))
            advanced = await http.post(
                f"{sandbox_url}/lemlist/_sandbox/lemlist/advance", json={"seconds": 10 * 86400}
            )
            delivered = advanced.json()
            assert delivered["hooksFailed"] == 0
            assert delivered["hooksDelivered"] == delivered["activities"] > 0
            received = await eventually(
                lambda: rows(engine, RECEIPTS),
                lambda found: (
                    len(found) == delivered["activities"]
                    and all(r.status == "processed" for r in found)
                ),
            )
            events = await rows(engine, EVENTS)
            assert len(events) == len([r for r in received if r.error is None]) > 0

            # lemlist lost the hook: registering again re-creates it, with a new token.
            await lemlist.delete_hook(hook.id)
            third = (await http.post("/api/webhooks/register")).json()
            assert third["lemlist"]["status"] == "replaced"
            (new_hook,) = await lemlist.list_hooks()
            assert new_hook.id == third["lemlist"]["hookId"] != hook.id
            stale = await http.post(f"/webhooks/lemlist/{token}", json={"_id": "act_x"})
            assert stale.status_code == 404
