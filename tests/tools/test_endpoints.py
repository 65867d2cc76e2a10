"""`/api/tools`: the registry listed and run over REST with the caller's principal."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest

from salesauto.app import create_app
from salesauto.config import Settings
from salesauto.platform import Platform
from salesauto.tools.endpoints import router as tools_router
from tests.conftest import AUTH


@pytest.fixture
async def client(settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    """The API, called with the settings' admin key unless a request says otherwise."""
    app = create_app(settings, run_worker=False)
    if not any(getattr(r, "path", "").startswith("/api/tools") for r in app.routes):
        app.include_router(tools_router)  # until app.py includes it
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(
            transport=transport, base_url="http://test", headers=AUTH
        ) as http:
            http.platform = app.state.platform  # type: ignore[attr-defined]
            yield http


async def _key(client: httpx.AsyncClient, *scopes: str) -> dict[str, str]:
    platform: Platform = client.platform  # type: ignore[attr-defined]
    issued = await platform.keys.create("default", "tools test", list(scopes))
    return {"Authorization": f"Bearer {issued.plain}"}


async def test_the_catalogue_is_listed_with_schemas_and_flags(client: httpx.AsyncClient) -> None:
    listed = (await client.get("/api/tools")).json()
    tools = {t["name"]: t for t in listed["tools"]}
    assert {"contacts", "campaigns", "jobs", "deadletter"} <= set(listed["toolsets"])
    delete = tools["contacts_delete"]
    assert (delete["scope"], delete["flags"]["destructive"], delete["flags"]["needsConfirm"]) == (
        "contacts:write",
        True,
        True,
    )
    assert delete["inputSchema"]["required"] == ["email"]
    assert "confirm_token" in delete["inputSchema"]["properties"]
    assert tools["contacts_search"]["flags"]["readOnly"] is True
    only_jobs = (await client.get("/api/tools", params={"toolset": "jobs"})).json()["tools"]
    assert {t["toolset"] for t in only_jobs} == {"jobs"}
    unknown = await client.get("/api/tools", params={"toolset": "nope"})
    assert unknown.status_code == 422 and "unknown toolset 'nope'" in unknown.json()["error"]


async def test_tools_run_over_rest_with_dry_run_and_confirm(client: httpx.AsyncClient) -> None:
    upserted = await client.post(
        "/api/tools/contacts_upsert", json={"arguments": {"email": "ann@acme.com"}}
    )
    body = upserted.json()
    assert (upserted.status_code, body["ok"], body["structuredContent"]["outcome"]) == (
        200,
        True,
        "created",
    )
    dry = (
        await client.post(
            "/api/tools/contacts_delete", json={"arguments": {"email": "ann@acme.com"}}
        )
    ).json()
    token = dry["structuredContent"]["confirm_token"]
    assert dry["structuredContent"]["dry_run"] and "DRY RUN" in dry["text"]
    done = await client.post(
        "/api/tools/contacts_delete",
        json={"arguments": {"email": "ann@acme.com"}, "confirmToken": token},
    )
    assert done.json()["structuredContent"]["email"] == "ann@acme.com"
    gone = (
        await client.post("/api/tools/contacts_get", json={"arguments": {"email": "ann@acme.com"}})
    ).json()
    assert gone["isError"] and gone["text"] == "no contact with email 'ann@acme.com'"
    missing = await client.post("/api/tools/contacts_serch", json={})
    assert missing.status_code == 404 and "did you mean contacts_search" in missing.json()["error"]


async def test_a_key_without_the_ai_scope_is_refused(client: httpx.AsyncClient) -> None:
    refused = await client.get("/api/tools", headers=await _key(client, "contacts:write"))
    assert refused.status_code == 403 and "'ai:read'" in refused.json()["error"]
    reader = await _key(client, "ai:write", "contacts:read")
    write = await client.post(
        "/api/tools/contacts_upsert", json={"arguments": {"email": "ann@acme.com"}}, headers=reader
    )
    assert write.json()["isError"] and "'contacts:write' scope" in write.json()["text"]
