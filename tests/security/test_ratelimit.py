"""Request rate limits: 429 past the limit, shared through Redis, alive when Redis is not."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from typing import cast

import httpx
import pytest
from fastapi import FastAPI
from redis.asyncio import Redis
from starlette.types import ASGIApp, Scope
from structlog.testing import capture_logs
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

from salesauto.security.ratelimit import RateLimit, RequestLimiter, client_ip

REDIS_URL = "redis://127.0.0.1:6379/0"
REFUSING_REDIS_URL = "redis://127.0.0.1:1/0"


def unique_prefix() -> str:
    return f"test-ratelimit:{uuid.uuid4().hex}"


def by_client_ip(scope: Scope) -> tuple[str, str] | None:
    path: str = scope["path"]
    if path.startswith("/health"):
        return None
    return ("auth" if path.startswith("/api/auth") else "default", client_ip(scope))


def limited_app(limiter: RequestLimiter) -> RateLimit:
    app = FastAPI()

    @app.get("/api/contacts")
    async def contacts() -> dict[str, bool]:
        return {"ok": True}

    @app.post("/api/auth/session")
    async def sign_in() -> dict[str, bool]:
        return {"ok": True}

    @app.get("/health")
    async def health() -> dict[str, str]:
        return {"status": "ok"}

    return RateLimit(app, limiter, bucket=by_client_ip)


def behind_proxy(app: ASGIApp, trusted: str) -> ASGIApp:
    """The app as uvicorn serves it: scheme and client taken from trusted proxies only."""
    # uvicorn types ASGI with its own TypedDicts; the protocol is the same.
    proxy = ProxyHeadersMiddleware(app, trusted_hosts=[trusted])  # type: ignore[arg-type]
    return cast(ASGIApp, proxy)


def client_for(app: ASGIApp, peer: str = "198.51.100.1") -> httpx.AsyncClient:
    transport = httpx.ASGITransport(app=app, client=(peer, 50000))
    return httpx.AsyncClient(transport=transport, base_url="https://testserver")


@pytest.fixture
async def limiter() -> AsyncIterator[RequestLimiter]:
    limiter = RequestLimiter(
        None, default="100/15 minutes", groups={"auth": "3/minute"}, key_prefix=unique_prefix()
    )
    yield limiter
    await limiter.aclose()


async def test_the_101st_request_in_15_minutes_gets_429(limiter: RequestLimiter) -> None:
    async with client_for(limited_app(limiter)) as client:
        for sent in range(1, 101):
            response = await client.get("/api/contacts")
            assert response.status_code == 200
            assert response.headers["ratelimit-limit"] == "100"
            assert response.headers["ratelimit-remaining"] == str(100 - sent)
        refused = await client.get("/api/contacts")
    assert refused.status_code == 429
    retry_after = int(refused.headers["retry-after"])
    assert 1 <= retry_after <= 900
    assert refused.headers["ratelimit-remaining"] == "0"
    assert refused.json()["success"] is False
    assert "100/15 minutes" in refused.json()["error"]
    assert refused.json()["retryAfter"] == retry_after


async def test_a_group_has_its_own_limit_and_unlimited_paths_pass(
    limiter: RequestLimiter,
) -> None:
    async with client_for(limited_app(limiter)) as client:
        statuses = [(await client.post("/api/auth/session")).status_code for _ in range(4)]
        assert statuses == [200, 200, 200, 429]
        assert (await client.get("/api/contacts")).status_code == 200  # another group
        health = await client.get("/health")
    assert health.status_code == 200 and "ratelimit-limit" not in health.headers


async def test_different_callers_do_not_share_a_bucket(limiter: RequestLimiter) -> None:
    app = limited_app(limiter)
    async with client_for(app, peer="198.51.100.1") as first:
        for _ in range(3):
            await first.post("/api/auth/session")
        assert (await first.post("/api/auth/session")).status_code == 429
    async with client_for(app, peer="198.51.100.2") as second:
        assert (await second.post("/api/auth/session")).status_code == 200


async def test_two_instances_on_one_redis_share_the_count() -> None:
    prefix = unique_prefix()
    first, second = (
        RequestLimiter(REDIS_URL, default="5/minute", groups={}, key_prefix=prefix)
        for _ in range(2)
    )
    try:
        verdicts = [await (first if n % 2 else second).hit("default", "key-1") for n in range(5)]
        assert all(v.allowed for v in verdicts)
        assert verdicts[-1].remaining == 0
        refused = await first.hit("default", "key-1")
        assert not refused.allowed and refused.retry_after >= 1
        assert (await second.hit("default", "key-2")).allowed
    finally:
        await first.aclose()
        await second.aclose()


async def test_a_per_process_group_is_counted_by_each_process_without_redis() -> None:
    prefix = unique_prefix()
    first, second = (
        RequestLimiter(
            REDIS_URL,
            default="5/minute",
            groups={"webhooks": "2/second"},
            per_process=frozenset({"webhooks"}),
            key_prefix=prefix,
        )
        for _ in range(2)
    )
    redis = Redis.from_url(REDIS_URL)
    try:
        for limiter in (first, second):  # each process has its own two deliveries a second
            verdicts = [await limiter.hit("webhooks", "lemlist:192.0.2.1") for _ in range(3)]
            assert [v.allowed for v in verdicts] == [True, True, False]
            assert verdicts[-1].limit == 2 and verdicts[-1].retry_after == 1
        assert [key async for key in redis.scan_iter(match=f"*{prefix}*")] == []
        # Other groups are still shared through Redis.
        await first.hit("default", "key-1")
        assert (await second.hit("default", "key-1")).remaining == 3
        assert [key async for key in redis.scan_iter(match=f"*{prefix}*")] != []
    finally:
        await redis.aclose()
        await first.aclose()
        await second.aclose()


async def test_an_unreachable_redis_falls_back_to_a_local_window() -> None:
    limiter = RequestLimiter(
        REFUSING_REDIS_URL,
        default="3/minute",
        groups={},
        key_prefix=unique_prefix(),
        redis_retry_seconds=0,  # try Redis on every request: still one warning
    )
    try:
        with capture_logs() as logs:
            verdicts = [await limiter.hit("default", "203.0.113.9") for _ in range(4)]
    finally:
        await limiter.aclose()
    assert [v.allowed for v in verdicts] == [True, True, True, False]
    warnings = [e for e in logs if e["event"] == "ratelimit.redis_unavailable"]
    assert len(warnings) == 1 and warnings[0]["log_level"] == "warning"


async def test_a_spoofed_forwarded_for_from_an_untrusted_peer_keeps_its_bucket(
    limiter: RequestLimiter,
) -> None:
    app = behind_proxy(limited_app(limiter), "127.0.0.1")
    async with client_for(app, peer="203.0.113.50") as attacker:
        statuses = [
            (
                await attacker.post(
                    "/api/auth/session", headers={"X-Forwarded-For": f"192.0.2.{n}"}
                )
            ).status_code
            for n in range(4)
        ]
    assert statuses == [200, 200, 200, 429]
    # Behind the trusted proxy, each forwarded client has its own bucket.
    async with client_for(app, peer="127.0.0.1") as proxy:
        for n in range(4):
            forwarded = {"X-Forwarded-For": f"192.0.2.{n}"}
            assert (await proxy.post("/api/auth/session", headers=forwarded)).status_code == 200


def test_client_ip_without_a_client_is_unknown() -> None:
    assert client_ip({"type": "http"}) == "unknown"
    assert client_ip({"type": "http", "client": ("192.0.2.4", 1234)}) == "192.0.2.4"
