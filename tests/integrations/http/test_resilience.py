"""The resilient HTTP layer against a real HTTP emulator: limits, retries, breaker, secrets."""

from __future__ import annotations

import asyncio
import time
import uuid

import httpx
import pytest
from prometheus_client import REGISTRY

from salesauto.integrations.http import (
    ProviderProfile,
    ProviderRateLimiter,
    ProviderRejected,
    ProviderUnavailable,
    RateLimit,
)
from salesauto.integrations.http.limiter import limiter_storage
from salesauto.integrations.providers import build_http
from salesauto.observability.logging import configure_logging
from tests.integrations.http.conftest import SECRET, Harness
from tests.support.servers import provider_settings


async def _stats(url: str, window: float = 1.0) -> dict[str, int]:
    async with httpx.AsyncClient() as raw:
        response = await raw.get(f"{url}/_sandbox/stats", params={"window": window})
        stats: dict[str, int] = response.json()
        return stats


async def _reset(url: str) -> None:
    async with httpx.AsyncClient() as raw:
        (await raw.post(f"{url}/_sandbox/reset")).raise_for_status()


async def _faults(url: str, **knobs: object) -> None:
    async with httpx.AsyncClient() as raw:
        (await raw.put(f"{url}/_sandbox/faults", json=knobs)).raise_for_status()


def _metric(name: str, **labels: str) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


async def test_limiter_keeps_bursts_under_the_provider_limit(harness: Harness) -> None:
    http = harness.client(limits=[RateLimit(10, 1)])
    try:
        # Warm the connections (cold connects in this one loop bunch arrivals), then measure.
        await asyncio.gather(*(http.request("GET", "/things") for _ in range(10)))
        await asyncio.sleep(1.2)
        await _reset(harness.url)
        responses = await asyncio.gather(*(http.request("GET", "/things") for _ in range(30)))
    finally:
        await http.aclose()

    stats = await _stats(harness.url, window=1.0)
    assert [r.json() for r in responses] == [{"ok": True}] * 30
    assert stats["requests"] == 30
    assert stats["throttled"] == 0  # the provider never had to say 429
    assert stats["peakInWindow"] <= 10


async def test_429_waits_for_retry_after_then_succeeds(harness: Harness) -> None:
    await _faults(harness.url, force429=2, retryAfterSeconds=0.2)
    before = _metric("salesauto_provider_retries_total", provider="echo", reason="429")
    http = harness.client(limits=[])
    try:
        response = await http.request("POST", "/things", json={"x": 1})
    finally:
        await http.aclose()

    assert response.json() == {"ok": True}
    assert (await _stats(harness.url))["requests"] == 3
    assert _metric("salesauto_provider_retries_total", provider="echo", reason="429") == before + 2


async def test_503_is_retried_for_idempotent_calls_only(harness: Harness) -> None:
    http = harness.client(limits=[])
    try:
        harness.echo.fail_first = 2
        assert (await http.request("GET", "/flaky")).json() == {"ok": True}

        harness.echo.fail_first = 1
        with pytest.raises(ProviderUnavailable, match="Echo failed with 503"):
            await http.request("POST", "/flaky", json={"send": "email"})
        harness.echo.fail_first = 1
        upsert = await http.request("POST", "/flaky", json={"upsert": 1}, idempotent=True)
    finally:
        await http.aclose()

    assert upsert.json() == {"ok": True}
    assert (await _stats(harness.url))["requests"] == 3 + 1 + 2


async def test_other_4xx_fail_at_once_with_the_providers_message(harness: Harness) -> None:
    http = harness.client(limits=[])
    try:
        with pytest.raises(ProviderRejected) as caught:
            await http.request("GET", "/bad")
    finally:
        await http.aclose()

    assert caught.value.status == 400
    assert "Bad params: limit must be ≤ 100" in caught.value.message
    assert (await _stats(harness.url))["requests"] == 1


async def test_breaker_opens_on_outage_probes_and_recovers(harness: Harness) -> None:
    await _faults(harness.url, outageSeconds=1.0)
    http = harness.client(
        limits=[],
        provider_max_attempts=2,
        provider_breaker_failures=3,
        provider_breaker_reset_seconds=0.6,
    )
    try:
        with pytest.raises(ProviderUnavailable, match="503"):
            await http.request("GET", "/things")  # two failed attempts
        with pytest.raises(ProviderUnavailable, match="circuit breaker open"):
            await http.request("GET", "/things")  # third failure opens; retry is refused
        sent = (await _stats(harness.url))["requests"]
        with pytest.raises(ProviderUnavailable, match="circuit breaker open"):
            await http.request("GET", "/things")  # refused without reaching the provider
        assert (await _stats(harness.url))["requests"] == sent == 3
        assert http.breaker.snapshot()["state"] == "open"
        assert _metric("salesauto_provider_circuit_state", provider="echo") == 2

        opened = http.breaker.opened_at
        await asyncio.sleep(max(0.0, opened + 4.1 - time.monotonic()))  # outage over, reset due
        assert (await http.request("GET", "/things")).json() == {"ok": True}  # half-open probe
    finally:
        await http.aclose()

    assert http.breaker.snapshot() == {"state": "closed", "consecutiveFailures": 0}
    assert _metric("salesauto_provider_circuit_state", provider="echo") == 0


async def test_timeouts_and_refused_connections_raise_provider_unavailable(
    harness: Harness,
) -> None:
    await _faults(harness.url, latencyMs=400)
    slow = harness.client(limits=[], provider_timeout_seconds=0.1, provider_max_attempts=2)
    try:
        with pytest.raises(ProviderUnavailable, match="ReadTimeout"):
            await slow.request("GET", "/things")
    finally:
        await slow.aclose()

    profile = ProviderProfile("echo", "Echo", "http://127.0.0.1:9", {}, [], SECRET)
    refused = build_http(profile, provider_settings(provider_max_attempts=2))
    try:
        with pytest.raises(ProviderUnavailable, match="could not be reached"):
            await refused.request("POST", "/things", json={})
    finally:
        await refused.aclose()


async def test_keys_never_reach_logs_or_errors(
    harness: Harness, capsys: pytest.CaptureFixture[str]
) -> None:
    configure_logging("DEBUG", json=True)
    await _faults(harness.url, force429=1, retryAfterSeconds=0.05)
    http = harness.client(limits=[])
    try:
        await http.request("GET", "/things", params={"limit": 5})
        with pytest.raises(ProviderRejected) as caught:
            await http.request("GET", "/bad")
    finally:
        await http.aclose()
        configure_logging("WARNING")

    logged = capsys.readouterr().err
    assert "provider.call" in logged and "provider.retry" in logged
    assert SECRET not in logged
    assert SECRET not in str(caught.value) and SECRET not in repr(caught.value.details)
    assert harness.echo.seen[0] == f"Bearer {SECRET}"  # it was sent, just never shown


async def test_redis_shares_one_window_between_processes() -> None:
    """Two limiters with their own Redis connections stand for two worker processes."""
    provider = f"shared-{uuid.uuid4().hex[:8]}"
    limits = [RateLimit(10, 1)]
    first, second = (
        ProviderRateLimiter(
            provider, SECRET, limits, limiter_storage("redis://127.0.0.1:6379/0"), owns_store=True
        )
        for _ in range(2)
    )
    granted: list[float] = []

    async def take(limiter: ProviderRateLimiter) -> None:
        await limiter.acquire()
        granted.append(time.time())

    try:
        await asyncio.gather(*(take(first if i % 2 else second) for i in range(25)))
    finally:
        await first.aclose()
        await second.aclose()

    granted.sort()
    peak = max(sum(1 for moment in granted if start <= moment < start + 1.0) for start in granted)
    assert len(granted) == 25
    assert peak <= 10
