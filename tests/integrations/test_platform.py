"""The platform with its providers: sandbox mounted by `serve`, health, metrics, the CLI check."""

from __future__ import annotations

import contextlib
import json
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from salesauto.app import create_app
from salesauto.config import Settings
from salesauto.integrations.sandbox.hubspot import build_hubspot_emulator
from salesauto.integrations.sandbox.kit import SandboxConfig
from salesauto.kit.serving import serve_in_background
from tests.conftest import AUTH
from tests.support.cli import cli_env, run_cli
from tests.support.servers import free_port, serve_app

ROOT = Path(__file__).resolve().parents[2]


@contextlib.asynccontextmanager
async def serving(settings: Settings) -> AsyncIterator[str]:
    """The real API on the port its settings name, so its own clients reach /sandbox."""
    app = create_app(settings, run_worker=False)
    async with serve_in_background(app, host=settings.host, port=settings.port) as url:
        yield url


async def test_serve_mounts_the_sandbox_for_providers_without_keys(settings: Settings) -> None:
    settings = settings.model_copy(update={"port": free_port()})
    async with (
        serving(settings) as url,
        httpx.AsyncClient(base_url=url, timeout=30, headers=AUTH) as api,
    ):
        listing = (await api.get("/api/integrations")).json()
        checks = (await api.post("/api/integrations/check")).json()
        ready = (await api.get("/health/ready")).json()
        metrics = (await api.get("/metrics")).text
        sandbox_index = (await api.get("/sandbox/")).json()

    assert {name: entry["mode"] for name, entry in listing.items()} == {
        "hubspot": "sandbox",
        "lemlist": "sandbox",
        "explorium": "sandbox",
        "apollo": "sandbox",
    }
    assert listing["hubspot"]["baseUrl"] == f"{url}/sandbox/hubspot"
    assert [(c["provider"], c["ok"]) for c in checks] == [
        ("hubspot", True),
        ("lemlist", True),
        ("explorium", True),
        ("apollo", True),
    ], checks
    assert all(c["detail"] for c in checks)
    assert ready["checks"]["providers"]["lemlist"]["circuit"]["state"] == "closed"
    assert 'salesauto_provider_circuit_state{provider="explorium"} 0.0' in metrics
    assert 'salesauto_provider_requests_total{provider="apollo",status="200"}' in metrics
    assert sandbox_index["sandbox"] == ["apollo", "explorium", "hubspot", "lemlist"]


@pytest.mark.slow
async def test_cli_check_reports_sandbox_and_live_providers(tmp_path: Path) -> None:
    code, out, err = await run_cli(cli_env(tmp_path), "integrations", "check", "--json")
    assert code == 0, err
    report = {entry["provider"]: entry for entry in json.loads(out)}
    assert {name: (e["mode"], e["ok"]) for name, e in report.items()} == {
        "hubspot": ("sandbox", True),
        "lemlist": ("sandbox", True),
        "explorium": ("sandbox", True),
        "apollo": ("sandbox", True),
    }

    # A key makes a provider live; here "live" is an emulator at a base URL we choose.
    async with serve_app(build_hubspot_emulator(SandboxConfig())) as hubspot_url:
        env = cli_env(
            tmp_path, HUBSPOT_ACCESS_TOKEN="pat-na1-live-token", HUBSPOT_BASE_URL=hubspot_url
        )
        code, out, err = await run_cli(env, "integrations", "check", "--json")
        assert code == 0, err
        hubspot = next(e for e in json.loads(out) if e["provider"] == "hubspot")
        assert (hubspot["mode"], hubspot["ok"], hubspot["baseUrl"]) == ("live", True, hubspot_url)
        assert "pat-na1-live-token" not in out + err

        env["HUBSPOT_ACCESS_TOKEN"] = "invalid-key"
        code, out, _err = await run_cli(env, "integrations", "check", "--json")
        hubspot = next(e for e in json.loads(out) if e["provider"] == "hubspot")
        assert code == 1
        assert hubspot["ok"] is False and "HUBSPOT" in hubspot["detail"]
