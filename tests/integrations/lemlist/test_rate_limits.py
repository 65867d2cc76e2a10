"""lemlist's 20 requests per 2 s per key: the client stays under it, and when the emulator
still answers 429 the client waits `Retry-After` and succeeds."""

from __future__ import annotations

import asyncio
import time

import httpx

from salesauto.integrations.lemlist import LemlistClient
from tests.integrations.lemlist.conftest import make_client
from tests.support.servers import sandbox_process


async def stats(control: httpx.AsyncClient) -> dict[str, int]:
    response = await control.get("/_sandbox/stats", params={"window": 2})
    body: dict[str, int] = response.json()
    return body


async def test_limiter_keeps_sixty_calls_under_the_limit() -> None:
    # The emulator runs in its own process, as lemlist does: the test's busy event loop would
    # otherwise delay its clock and make it count arrivals that left on time as a burst.
    async with (
        sandbox_process() as sandbox,
        httpx.AsyncClient(base_url=f"{sandbox}/lemlist") as control,
    ):
        lemlist = make_client(f"{sandbox}/lemlist")
        try:
            started = time.monotonic()
            pages = await asyncio.gather(*(lemlist.list_campaigns() for _ in range(60)))
            elapsed = time.monotonic() - started
        finally:
            await lemlist.http.aclose()
        seen = await stats(control)
    assert all(len(page) == 3 for page in pages)
    assert seen["requests"] == 60
    assert seen["throttled"] == 0
    assert seen["peakInWindow"] <= 20
    assert elapsed >= 4.0  # 60 calls at ≤ 20 per 2 s cannot finish sooner


async def test_429_waits_retry_after_and_succeeds(
    emulator_url: str, control: httpx.AsyncClient
) -> None:
    # Two processes with the same key and no shared (Redis) limiter: together they send 40
    # calls in a burst, twice what lemlist accepts; the extra ones get 429 and wait.
    first, second = make_client(emulator_url), make_client(emulator_url)
    try:
        started = time.monotonic()
        results = await asyncio.gather(
            *(client.list_campaigns() for client in (first, second) for _ in range(20))
        )
        elapsed = time.monotonic() - started
    finally:
        await first.http.aclose()
        await second.http.aclose()
    assert len(results) == 40 and all(len(page) == 3 for page in results)
    seen = await stats(control)
    assert seen["throttled"] > 0
    assert seen["requests"] == 40 + seen["throttled"]
    assert elapsed >= 1.0  # somebody waited for the window


async def test_forced_429_carries_retry_after_and_the_client_recovers(
    lemlist: LemlistClient, control: httpx.AsyncClient
) -> None:
    await control.put("/_sandbox/faults", json={"force429": 2, "retryAfterSeconds": 1})
    raw = await control.get("/campaigns", auth=("", "k"))
    assert raw.status_code == 429 and raw.headers["retry-after"] == "1"
    started = time.monotonic()
    assert len(await lemlist.list_campaigns()) == 3
    assert time.monotonic() - started >= 0.9


async def test_rate_limit_headers_and_429_body(control: httpx.AsyncClient) -> None:
    auth = ("", "burst-key")
    answers = [await control.get("/hooks", auth=auth) for _ in range(21)]
    assert [a.status_code for a in answers[:20]] == [200] * 20
    assert [a.headers["x-ratelimit-remaining"] for a in answers[:3]] == ["19", "18", "17"]
    blocked = answers[20]
    assert blocked.status_code == 429 and blocked.text == "Too Many Requests"
    assert blocked.headers["x-ratelimit-remaining"] == "0"
    assert 1 <= int(blocked.headers["retry-after"]) <= 2
    assert blocked.headers["x-ratelimit-reset"].endswith("GMT+0000 (Coordinated Universal Time)")
    # Limits are per key: another key is not affected.
    assert (await control.get("/hooks", auth=("", "other-key"))).status_code == 200
