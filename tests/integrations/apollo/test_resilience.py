"""Apollo over real HTTP when things go wrong: its own 429s, outages, bad keys."""

from __future__ import annotations

import asyncio
import time

import httpx
import pytest

from salesauto.integrations.apollo import ApolloClient
from salesauto.integrations.http import ProviderAuthFailed, ProviderUnavailable
from salesauto.integrations.http.breaker import CircuitState
from salesauto.integrations.sandbox.apollo import build_apollo_emulator
from salesauto.integrations.sandbox.kit import SandboxConfig
from tests.integrations.apollo.conftest import apollo_client
from tests.support.emulators import stats
from tests.support.servers import serve_app


async def test_rate_limit_headers_per_endpoint(client: ApolloClient, emulator_url: str) -> None:
    async with httpx.AsyncClient(base_url=emulator_url, headers={"x-api-key": "k"}) as http:
        first = await http.post("/mixed_people/api_search", json={"per_page": 1})
        second = await http.post("/mixed_people/api_search", json={"per_page": 1})
        other = await http.get("/organizations/enrich", params={"domain": "x.invalid"})
        bulk = await http.post("/people/bulk_match", json={"details": [{"email": "a@b.c"}]})
    assert first.headers["x-rate-limit-minute"] == "200"
    assert first.headers["x-minute-requests-left"] == "199"
    assert second.headers["x-minute-usage"] == "2"
    assert second.headers["x-hourly-usage"] == "2"
    assert "x-rate-limit-hourly" in second.headers
    assert other.headers["x-minute-usage"] == "1"  # counted per endpoint
    assert bulk.headers["x-rate-limit-minute"] == "20"  # bulk gets a tenth


async def test_emulator_429_then_client_waits_retry_after_and_succeeds() -> None:
    emulator = build_apollo_emulator(
        SandboxConfig(seed=42, apollo_requests_per_minute=3), minute_seconds=1.5
    )
    async with serve_app(emulator) as url:
        async with httpx.AsyncClient(base_url=url, headers={"x-api-key": "raw"}) as http:
            for _ in range(3):
                assert (await http.post("/mixed_people/api_search")).status_code == 200
            throttled = await http.post("/mixed_people/api_search")
        assert throttled.status_code == 429
        assert throttled.json()["message"].startswith(
            "The maximum number of api calls allowed for api/v1/mixed_people/api_search is 3 "
            "times per minute."
        )
        assert 1 <= int(throttled.headers["retry-after"]) <= 2
        assert throttled.headers["x-minute-requests-left"] == "0"

        # Our settings claim a bigger plan than the emulator grants, so it answers 429s.
        async with apollo_client(url, apollo_requests_per_minute=100) as client:
            started = time.monotonic()
            summaries = [await client.check() for _ in range(5)]
            elapsed = time.monotonic() - started
        assert all(s.startswith("ok,") for s in summaries)
        counted = await stats(url)
        assert counted["throttled"] >= 2
        assert elapsed >= 1.0


async def test_outage_opens_the_breaker_then_half_open_probe_recovers(emulator_url: str) -> None:
    async with apollo_client(
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

        assert summary.startswith("ok,")
        assert client.http.breaker.state is CircuitState.CLOSED
        assert (await stats(emulator_url))["requests"] == 4


async def test_forced_429_waits_and_succeeds(client: ApolloClient, emulator_url: str) -> None:
    async with httpx.AsyncClient() as http:
        await http.put(
            f"{emulator_url}/_sandbox/faults", json={"force429": 1, "retryAfterSeconds": 1}
        )
    started = time.monotonic()
    assert (await client.check()).startswith("ok,")
    assert time.monotonic() - started >= 0.9
    assert (await stats(emulator_url))["throttled"] == 1


async def test_invalid_key_raises_auth_failed(emulator_url: str) -> None:
    async with apollo_client(emulator_url, apollo_api_key="invalid-key") as client:
        with pytest.raises(ProviderAuthFailed) as caught:
            await client.check()
    assert caught.value.status == 401
    assert "Invalid API key" in str(caught.value)
    assert "invalid-key" not in str(caught.value)


async def test_missing_key_gets_plain_text_401(emulator_url: str) -> None:
    async with httpx.AsyncClient(base_url=emulator_url) as http:
        response = await http.post("/mixed_people/api_search")
        bearer = await http.post(
            "/mixed_people/api_search", headers={"authorization": "Bearer partner-token"}
        )
    assert response.status_code == 401
    assert response.headers["content-type"].startswith("text/plain")
    assert bearer.status_code == 200
