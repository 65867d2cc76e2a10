"""`salesauto dlq` and `salesauto webhooks register`, run as a user runs them."""

from __future__ import annotations

import json
from pathlib import Path

import httpx

from salesauto.deadletter.repository import NewDeadLetter, insert_dead_letter
from salesauto.integrations.sandbox.kit import SandboxConfig
from salesauto.integrations.sandbox.server import build_sandbox_app
from salesauto.kit.db import create_engine
from salesauto.kit.serving import serve_in_background
from salesauto.kit.time import utcnow
from tests.support.cli import cli_env, run_cli
from tests.webhooks.conftest import DEAD_LETTERS, activity, enroll, rows


async def test_dlq_list_and_replay_all(database_url: str, tmp_path: Path) -> None:
    engine = create_engine(database_url)
    payload = activity("cli@acme.test", activity_id="act_cli")
    async with engine.begin() as conn:
        await insert_dead_letter(
            conn,
            NewDeadLetter(
                owner_id="default", provider="lemlist", provider_event_id="act_cli",
                event_type="opened", email="cli@acme.test", payload=payload,
                error="no enrollment matches this event yet", attempts=8, receipt_id=None,
                at=utcnow(),
            ),
        )  # fmt: skip
    await enroll(engine, "cli@acme.test")
    env = cli_env(tmp_path, SALESAUTO_DATABASE_URL=database_url)
    try:
        code, out, err = await run_cli(env, "dlq", "list", "--json")
        assert code == 0, err
        (listed,) = json.loads(out)
        assert (listed["email"], listed["status"], listed["retryCount"]) == (
            "cli@acme.test", "pending", 8,
        )  # fmt: skip
        code, out, err = await run_cli(env, "dlq", "replay", "--all", "--json")
        assert code == 0, err
        assert json.loads(out)["replayed"] == 1
        (letter,) = await rows(engine, DEAD_LETTERS)
        assert letter.status == "replayed" and letter.replayed_at is not None
    finally:
        await engine.dispose()


async def test_webhooks_register_prints_the_hook_and_the_hubspot_url(
    database_url: str, tmp_path: Path
) -> None:
    emulator = build_sandbox_app(SandboxConfig(time_scale=0.0), ["lemlist"])
    async with serve_in_background(emulator) as sandbox_url:
        env = cli_env(
            tmp_path,
            SALESAUTO_DATABASE_URL=database_url,
            SALESAUTO_SANDBOX_URL=sandbox_url,
            SALESAUTO_PUBLIC_BASE_URL="https://sales.example.test/",
        )
        code, out, err = await run_cli(env, "webhooks", "register", "--json")
        assert code == 0, err
        async with httpx.AsyncClient(auth=("", "key")) as http:
            hooks = (await http.get(f"{sandbox_url}/lemlist/hooks")).json()
    registered = json.loads(out)
    assert registered["lemlist"]["status"] == "created"
    assert [hook["_id"] for hook in hooks] == [registered["lemlist"]["hookId"]]
    assert hooks[0]["targetUrl"].startswith("https://sales.example.test/webhooks/lemlist/")
    assert registered["hubspot"]["subscriptionUrl"] == "https://sales.example.test/webhooks/hubspot"
