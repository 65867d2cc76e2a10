"""The same server over its two real transports: `salesauto mcp` on stdio (one process) and
`/mcp` on the API over streamable HTTP (one server), with the API's keys and scopes."""

from __future__ import annotations

import sys
from pathlib import Path

import httpx
import httpx2
import pytest
from mcp import Client, StdioServerParameters
from mcp.client.streamable_http import streamable_http_client

from salesauto.app import create_app
from salesauto.platform import Platform
from tests.conftest import AUTH, make_settings
from tests.mcp_server.conftest import error_text, names, structured
from tests.support.cli import ROOT, cli_env
from tests.support.servers import serve_app

pytestmark = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)


async def test_salesauto_mcp_over_stdio(
    database_url: str, sandbox_url: str, tmp_path: Path
) -> None:
    env = cli_env(tmp_path, SALESAUTO_DATABASE_URL=database_url, SALESAUTO_SANDBOX_URL=sandbox_url)
    command = StdioServerParameters(
        command=sys.executable,
        args=["-m", "salesauto", "mcp", "--toolsets", "all", "--no-worker"],
        env=env,
        cwd=ROOT,
    )
    async with Client(command) as client:
        assert len(await names(client)) >= 80
        upserted = structured(await client.call_tool("contacts_upsert", {"email": "ann@acme.com"}))
        assert upserted["outcome"] == "created"
        owners = structured(await client.call_tool("hubspot_list_owners", {}))
        assert owners["owners"]
        missing = await client.call_tool("contacts_get", {"email": "bob@acme.com"})
        assert "bob@acme.com" in error_text(missing)
        pipeline = await client.read_resource("salesauto://pipeline")
        assert '"contacts":1' in getattr(pipeline.contents[0], "text", "")


async def test_mcp_over_http_with_the_api_keys(database_url: str, sandbox_url: str) -> None:
    app = create_app(make_settings(database_url, sandbox_url=sandbox_url), run_worker=False)
    async with serve_app(app) as url:
        async with httpx.AsyncClient() as http:
            anonymous = await http.post(f"{url}/mcp", json={"jsonrpc": "2.0", "id": 1})
        assert anonymous.status_code == 401
        assert "a valid API key is required" in anonymous.json()["error"]

        async with (
            httpx2.AsyncClient(headers=AUTH) as admin_http,
            Client(streamable_http_client(f"{url}/mcp", http_client=admin_http)) as admin,
        ):
            listed = await names(admin)
            # The settings' default selection: the default toolsets, not the providers'.
            assert {"contacts_upsert", "jobs_get", "admin_whoami"} <= listed
            assert not any(name.startswith("hubspot_") for name in listed)
            me = structured(await admin.call_tool("admin_whoami", {}))
            assert (me["workspace"], me["scopes"]) == ("default", ["admin"])
            structured(await admin.call_tool("contacts_upsert", {"email": "ann@acme.com"}))
            dry = structured(await admin.call_tool("contacts_delete", {"email": "ann@acme.com"}))
            confirmed = {"email": "ann@acme.com", "confirm_token": dry["confirm_token"]}
            assert "dry_run" not in structured(await admin.call_tool("contacts_delete", confirmed))

        platform: Platform = app.state.platform
        issued = await platform.keys.create("default", "mcp reader", ["contacts:read"])
        reader_headers = {"Authorization": f"Bearer {issued.plain}"}
        async with (
            httpx2.AsyncClient(headers=reader_headers) as reader_http,
            Client(streamable_http_client(f"{url}/mcp", http_client=reader_http)) as reader,
        ):
            visible = await names(reader)
            assert "contacts_search" in visible and "contacts_upsert" not in visible
            refused = await reader.call_tool("contacts_upsert", {"email": "bob@acme.com"})
            assert "needs the 'contacts:write' scope" in error_text(refused)
