"""Explorium over real HTTP when things go wrong: 429s, outages, bad keys, the rate window."""

from __future__ import annotations

import asyncio
import time

import httpx
import pytest

from salesauto.integrations.explorium import ExploriumClient
from salesauto.integrations.http import ProviderAuthFailed, ProviderUnavailable
from salesauto.integrations.http.breaker import CircuitState
from tests.integrations.explorium.conftest import explorium_client
from tests.support.emulators import stats


async def test_429_waits_retry_after_and_succeeds(
    client: ExploriumClient, emulator_url: str
) -> None:
    async with httpx.AsyncClient() as http:
        await http.put(
            f"{emulator_url}/_sandbox/faults", json={"force429": 2, "retryAfterSeconds": 1}
        )
    started = time.monotonic()

    credits = await client.credits()

    assert credits.remaining_credits is not None
    assert time.monotonic() - started >= 1.9
    counted = await stats(emulator_url)
    assert counted["throttled"] == 2
    assert counted["requests"] == 3


async def test_emulator_rate_window_headers_and_documented_429(emulator_url: str) -> None:
    async with httpx.AsyncClient(base_url=emulator_url, headers={"api_key": "burst"}) as http:
        first = await http.get("/v1/credits")
        assert first.headers["X-RateLimit-Limit"] == "200"
        assert first.headers["X-RateLimit-Remaining"] == "199"
        assert int(first.headers["X-RateLimit-Reset"]) >= int(time.time())
        for _ in range(199):
            await http.get("/v1/credits")
        throttled = await http.get("/v1/credits")
        other_key = await http.get("/v1/credits", headers={"api_key": "another"})

    assert throttled.status_code == 429
    assert throttled.json()["error"] == "rate_limit_exceeded"
    assert throttled.json()["retry_after"] == int(throttled.headers["Retry-After"])
    assert 1 <= int(throttled.headers["Retry-After"]) <= 60
    assert throttled.headers["X-RateLimit-Remaining"] == "0"
    assert other_key.status_code == 200  # the window is per key
    assert (await stats(emulator_url))["throttled"] == 1


async def test_outage_opens_the_breaker_then_half_open_probe_recovers(emulator_url: str) -> None:
    async with explorium_client(
        emulator_url, provider_max_attempts=3, provider_breaker_reset_seconds=1.5
    ) as client:
        async with httpx.AsyncClient() as http:
            await http.put(f"{emulator_url}/_sandbox/faults", json={"outageSeconds": 2.5})
        outage_started = time.monotonic()

        with pytest.raises(ProviderUnavailable):
            await client.check()
        assert (await stats(emulator_url))["requests"] == 3
        assert client.http.breaker.state is CircuitState.OPEN

        with pytest.raises(ProviderUnavailable, match="circuit breaker open"):
            await client.check()
        assert (await stats(emulator_url))["requests"] == 3  # never reached the emulator

        # Past both the outage and the breaker's reset time (1.5 s after it opened).
        breaker_due = client.http.breaker.opened_at + 1.6 - time.monotonic()
        await asyncio.sleep(max(2.7 - (time.monotonic() - outage_started), breaker_due, 0.0))
        summary = await client.check()

        assert "credits remaining" in summary
        assert client.http.breaker.state is CircuitState.CLOSED
        assert (await stats(emulator_url))["requests"] == 4


async def test_invalid_key_raises_auth_failed(emulator_url: str) -> None:
    async with explorium_client(emulator_url, explorium_api_key="invalid-key") as client:
        assert client.http.profile.credential == "invalid-key"
        with pytest.raises(ProviderAuthFailed) as caught:
            await client.check()
    assert caught.value.status == 401
    assert "invalid-key" not in str(caught.value)


async def test_missing_key_is_refused(emulator_url: str) -> None:
    async with httpx.AsyncClient(base_url=emulator_url) as http:
        response = await http.get("/v1/credits")
    assert response.status_code == 401
