"""An app under test with a raw client (no credentials) for authentication tests."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

import httpx

from salesauto.app import create_app
from salesauto.config import Settings
from salesauto.platform import Platform
from tests.conftest import AUTH


@dataclass
class Secured:
    http: httpx.AsyncClient  # sends no credentials unless a test passes them
    platform: Platform

    async def as_admin(
        self, method: str, path: str, *, headers: dict[str, str] | None = None, **kwargs: Any
    ) -> httpx.Response:
        return await self.http.request(method, path, headers={**AUTH, **(headers or {})}, **kwargs)

    async def issue(self, scopes: list[str], **body: Any) -> dict[str, Any]:
        response = await self.as_admin(
            "POST", "/api/keys", json={"name": "test key", "scopes": scopes, **body}
        )
        assert response.status_code == 201, response.text
        issued: dict[str, Any] = response.json()
        return issued


def bearer(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


@asynccontextmanager
async def secured_app(settings: Settings) -> AsyncIterator[Secured]:
    app = create_app(settings, run_worker=False)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as http:
            yield Secured(http, app.state.platform)
