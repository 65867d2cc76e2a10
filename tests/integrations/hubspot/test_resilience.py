"""Rate limits and auth: the client waits per HubSpot's policyName, gives up on DAILY, and
never lets a token into an error."""

from __future__ import annotations

import time

import httpx
import pytest

from salesauto.integrations.http.errors import ProviderAuthFailed, ProviderRateLimited
from salesauto.integrations.sandbox.kit import SandboxConfig
from tests.integrations.hubspot.conftest import hubspot_sandbox, raw_client


async def test_429_without_retry_after_waits_the_ten_second_window_and_succeeds() -> None:
    # The emulator allows 3 calls per 10 s; the client believes it may make 100.
    async with hubspot_sandbox(SandboxConfig(hubspot_requests_per_10s=3)) as sandbox:
        # Limits are per token: exhaust the client's own token's window first.
        token = sandbox.client.http.profile.credential
        async with raw_client(sandbox.url, token) as raw:
            for _ in range(3):
                assert (await raw.get("/crm/v3/owners")).status_code == 200
            throttled = await raw.get("/crm/v3/owners")
        assert throttled.status_code == 429
        assert "retry-after" not in throttled.headers
        assert throttled.json()["policyName"] == "TEN_SECONDLY_ROLLING"
        assert throttled.headers["x-hubspot-ratelimit-interval-milliseconds"] == "10000"

        started = time.monotonic()
        owners = await sandbox.client.list_owners()  # the window is still full: 429, wait, retry
        waited = time.monotonic() - started

        assert len(owners.results) == 3
        assert 8.0 <= waited < 14.0
        stats = await sandbox.stats()
        assert stats["throttled"] == 2  # the raw probe and the client's first attempt


async def test_daily_limit_raises_rate_limited_without_waiting() -> None:
    async with hubspot_sandbox(daily_limit=2) as sandbox:
        await sandbox.client.list_owners()
        await sandbox.client.list_owners()
        started = time.monotonic()
        with pytest.raises(ProviderRateLimited) as limited:
            await sandbox.client.list_owners()
        assert time.monotonic() - started < 2.0
        assert limited.value.retry_after is not None and limited.value.retry_after >= 3600
        assert "daily limit" in limited.value.message


async def test_forced_429_with_retry_after_is_honoured() -> None:
    async with hubspot_sandbox() as sandbox:
        async with httpx.AsyncClient(base_url=sandbox.url) as control:
            await control.put("/_sandbox/faults", json={"force429": 2, "retryAfterSeconds": 0.3})
        started = time.monotonic()
        page = await sandbox.client.list_owners()
        assert page.results
        assert 0.5 <= time.monotonic() - started < 5.0
        assert (await sandbox.stats())["throttled"] == 2


async def test_invalid_token_raises_auth_failed_without_the_token() -> None:
    async with hubspot_sandbox(hubspot_access_token="invalid-key") as sandbox:
        assert sandbox.client.http.profile.credential == "invalid-key"  # live mode, bad key
        with pytest.raises(ProviderAuthFailed) as failed:
            await sandbox.client.contacts.list_page()
        assert failed.value.status == 401
        assert "invalid-key" not in str(failed.value)
        assert "invalid-key" not in repr(failed.value.details)
        assert "INVALID_AUTHENTICATION" in str(failed.value)
