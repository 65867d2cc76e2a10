"""A long tool called with a progress token reports its job's progress until it ends."""

from __future__ import annotations

import httpx2
import pytest
from mcp import Client
from mcp.client.streamable_http import streamable_http_client

from salesauto.app import create_app
from tests.conftest import AUTH, make_settings
from tests.mcp_server.conftest import structured
from tests.support.servers import serve_app

CSV = "Email,First Name,Company\nann@acme.com,Ann,Acme\nbob@beta.io,Bob,Beta\n"
IMPORT = {"csv": CSV, "auto_enrich": False, "auto_sync": False}


@pytest.mark.parametrize("database_url", ["sqlite", "postgresql"], indirect=True)
async def test_an_import_reports_progress_until_its_job_completes(
    database_url: str, sandbox_url: str
) -> None:
    settings = make_settings(
        database_url, sandbox_url=sandbox_url, mcp_toolsets=["imports"], lemlist_polling="off"
    )
    seen: list[tuple[float, float | None, str | None]] = []

    async def on_progress(progress: float, total: float | None, message: str | None) -> None:
        seen.append((progress, total, message))

    async with (
        serve_app(create_app(settings, run_worker=True)) as url,
        httpx2.AsyncClient(headers=AUTH) as http,
        Client(streamable_http_client(f"{url}/mcp", http_client=http)) as client,
    ):
        followed = await client.call_tool("imports_start", IMPORT, progress_callback=on_progress)
        quick = await client.call_tool("imports_start", IMPORT)
    job_id = structured(followed)["job_id"]
    assert seen and seen[-1][0] == 1.0 and all(total == 1.0 for _, total, _ in seen)
    assert f"job {job_id} completed" in getattr(followed.content[0], "text", "")
    # Without a progress token the call answers at once with the job id.
    assert "job_id" in structured(quick)
    assert "completed" not in getattr(quick.content[0], "text", "")
