"""A tiny provider emulator built from the sandbox kit, to test the HTTP layer on its own."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass, field

import pytest
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, PlainTextResponse, Response

from salesauto.integrations.http import ProviderHttp, ProviderProfile, RateLimit
from salesauto.integrations.providers import build_http
from salesauto.integrations.sandbox.kit import SandboxKit, SlidingWindow
from tests.support.servers import provider_settings, serve_app

SECRET = "tok-7c1f9e2b-super-secret"


def _error(status: int, message: str, retry_after: float | None) -> Response:
    headers = {"Retry-After": f"{retry_after:g}"} if retry_after is not None else {}
    return JSONResponse({"message": message}, status_code=status, headers=headers)


@dataclass
class Echo:
    """The emulator: `/things` (rate limited), `/flaky` (fails `fail_first` times), `/bad`."""

    limit: SlidingWindow
    kit: SandboxKit
    fail_first: int = 0
    seen: list[str] = field(default_factory=list)

    def app(self) -> FastAPI:
        app = FastAPI()
        echo = self

        @app.api_route("/things", methods=["GET", "POST"])
        async def things(request: Request) -> Response:
            echo.seen.append(request.headers.get("authorization", ""))
            decision = echo.limit.hit(request.headers.get("authorization", ""))
            if not decision.allowed:
                echo.kit.record_throttled()
                return _error(429, "slow down", decision.retry_after)
            return JSONResponse({"ok": True})

        @app.api_route("/flaky", methods=["GET", "POST"])
        async def flaky() -> Response:
            if echo.fail_first > 0:
                echo.fail_first -= 1
                return _error(503, "temporarily unavailable", None)
            return JSONResponse({"ok": True})

        @app.get("/bad")
        async def bad() -> Response:
            return PlainTextResponse("Bad params: limit must be ≤ 100", status_code=400)

        self.kit.install(app)
        return app


@dataclass
class Harness:
    url: str
    echo: Echo

    def client(self, *, limits: list[RateLimit], **settings: object) -> ProviderHttp:
        profile = ProviderProfile(
            name="echo",
            display_name="Echo",
            base_url=self.url,
            headers={"Authorization": f"Bearer {SECRET}"},
            limits=limits,
            credential=SECRET,
        )
        return build_http(profile, provider_settings(**settings))


@pytest.fixture
async def harness() -> AsyncIterator[Harness]:
    echo = Echo(SlidingWindow(10, 1.0), SandboxKit("echo", _error))
    async with serve_app(echo.app()) as url:
        yield Harness(url, echo)
