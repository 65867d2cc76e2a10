"""Dashboard sessions: sign in with a key, a Strict HttpOnly cookie, sign out, revocation."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from http.cookies import SimpleCookie
from typing import Any

import httpx

from salesauto.app import create_app
from salesauto.config import Settings
from salesauto.platform import Platform
from salesauto.security.session_endpoints import browser_auth
from salesauto.security.sessions import MemoryTokens, RedisTokens
from tests.conftest import AUTH, make_settings
from tests.security.keys_support import bearer

SITE = "https://app.example.test"
LOCAL = "http://localhost"


@dataclass
class Dashboard:
    http: httpx.AsyncClient  # keeps no cookies: each test says which cookies it sends
    platform: Platform
    key: str  # an admin key of the default workspace, issued for the test
    key_id: str

    async def sign_in(self) -> tuple[str, httpx.Response]:
        """A new session; returns its cookie header and the sign-in response."""
        response = await self.http.post("/api/session", headers=bearer(self.key))
        assert response.status_code == 201, response.text
        self.http.cookies.clear()
        cookie = SimpleCookie(response.headers["set-cookie"])
        (name,) = cookie.keys()
        return f"{name}={cookie[name].value}", response

    async def csrf_token(self, session: str) -> str:
        response = await self.http.get("/api/csrf-token", headers={"Cookie": session})
        assert response.status_code == 200, response.text
        self.http.cookies.clear()
        token: str = response.json()["csrfToken"]
        return token

    async def as_session(
        self, method: str, path: str, session: str, token: str | None = None, **kwargs: Any
    ) -> httpx.Response:
        headers = {"Cookie": session, **kwargs.pop("headers", {})}
        if token is not None:
            headers["X-CSRF-Token"] = token
        response = await self.http.request(method, path, headers=headers, **kwargs)
        self.http.cookies.clear()
        return response


@asynccontextmanager
async def dashboard(settings: Settings, base_url: str = SITE) -> AsyncIterator[Dashboard]:
    app = create_app(settings, run_worker=False)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url=base_url) as http:
            issued = await http.post(
                "/api/keys", headers=AUTH, json={"name": "dashboard", "scopes": ["admin"]}
            )
            assert issued.status_code == 201, issued.text
            yield Dashboard(http, app.state.platform, issued.json()["key"], issued.json()["id"])
        await browser_auth({"app": app}).aclose()


def attributes(set_cookie: str) -> dict[str, str]:
    name, _, rest = set_cookie.partition(";")
    parts = [part.strip() for part in rest.split(";") if part.strip()]
    found = {"name": name.partition("=")[0]}
    for part in parts:
        key, _, value = part.partition("=")
        found[key.lower()] = value
    return found


async def test_signing_in_sets_a_strict_http_only_host_cookie(settings: Settings) -> None:
    async with dashboard(settings) as app:
        session, response = await app.sign_in()
        assert response.json()["keyId"] == app.key_id
        assert response.json()["scopes"] == ["admin"]
        cookie = attributes(response.headers["set-cookie"])
        assert cookie["name"] == "__Host-session"
        assert {"httponly", "secure"} <= cookie.keys()
        assert cookie["samesite"].lower() == "strict"
        assert cookie["path"] == "/" and "domain" not in cookie
        assert cookie["max-age"] == str(12 * 3600)
        assert app.key not in response.headers["set-cookie"]

        assert (await app.as_session("GET", "/api/keys", session)).status_code == 200
        assert (await app.http.get("/api/keys")).status_code == 401
        audit = (await app.http.get("/api/audit", headers=AUTH)).json()["events"]
        assert "session.started" in [event["action"] for event in audit]

        # The cookie holds a session id: neither the key itself nor a made-up id gets in.
        for forged in (f"__Host-session={app.key}", "__Host-session=made-up", f"key={app.key}"):
            response = await app.as_session("GET", "/api/jobs", forged)
            assert response.status_code == 401, forged
            assert app.key not in response.text


async def test_on_localhost_the_cookie_is_not_secure_and_has_no_prefix(
    settings: Settings,
) -> None:
    async with dashboard(settings, LOCAL) as app:
        session, response = await app.sign_in()
        cookie = attributes(response.headers["set-cookie"])
        assert cookie["name"] == "session"
        assert "secure" not in cookie and "httponly" in cookie
        assert cookie["samesite"].lower() == "strict"
        assert (await app.as_session("GET", "/api/jobs", session)).status_code == 200
        # A prefixed cookie is read outside localhost only, and the plain one only here.
        hosted = "__Host-" + session
        assert (await app.as_session("GET", "/api/jobs", hosted)).status_code == 401


async def test_signing_out_ends_the_session(settings: Settings) -> None:
    async with dashboard(settings) as app:
        session, _ = await app.sign_in()
        other, _ = await app.sign_in()
        token = await app.csrf_token(session)
        again = await app.as_session("POST", "/api/session", session, token)
        assert again.status_code == 403  # only an API key starts a session
        assert "API key" in again.json()["error"]
        keyed = await app.http.get("/api/csrf-token", headers=bearer(app.key))
        assert keyed.status_code == 403  # and CSRF tokens are for sessions only
        assert "POST /api/session" in keyed.json()["error"]

        ended = await app.as_session("DELETE", "/api/session", session, token)
        assert ended.status_code == 204
        expired = [attributes(value) for value in ended.headers.get_list("set-cookie")]
        assert {c["name"] for c in expired} == {"__Host-session", "__Host-csrf"}
        assert all(c["max-age"] == "0" for c in expired)

        assert (await app.as_session("GET", "/api/jobs", session)).status_code == 401
        assert (await app.as_session("GET", "/api/jobs", other)).status_code == 200


async def test_a_revoked_keys_sessions_stop_working(database_url: str) -> None:
    async with dashboard(make_settings(database_url, key_cache_seconds=0)) as app:
        session, _ = await app.sign_in()
        assert (await app.as_session("GET", "/api/jobs", session)).status_code == 200
        revoked = await app.http.post(f"/api/keys/{app.key_id}/revoke", headers=AUTH)
        assert revoked.status_code == 200
        assert (await app.as_session("GET", "/api/jobs", session)).status_code == 401


async def test_with_redis_a_session_works_on_every_process(database_url: str) -> None:
    settings = make_settings(database_url, redis_url="redis://127.0.0.1:6379/0")
    async with dashboard(settings) as first:
        session, _ = await first.sign_in()
        second_app = create_app(settings, run_worker=False)
        transport = httpx.ASGITransport(app=second_app)
        async with (
            second_app.router.lifespan_context(second_app),
            httpx.AsyncClient(transport=transport, base_url=SITE) as second,
        ):
            assert (await second.get("/api/jobs", headers={"Cookie": session})).status_code == 200
            await browser_auth({"app": second_app}).aclose()


async def test_stores_forget_tokens_after_their_time() -> None:
    redis = RedisTokens("redis://127.0.0.1:6379/0")
    try:
        for store in (MemoryTokens(), redis):
            await store.put("salesauto-test:a", {"v": 1}, 60)
            await store.put("salesauto-test:b", {"v": 2}, 0.01)
            assert await store.get("salesauto-test:a") == {"v": 1}
            assert await store.take("salesauto-test:a") == {"v": 1}
            assert await store.take("salesauto-test:a") is None
            await asyncio.sleep(0.05)
            assert await store.get("salesauto-test:b") is None
    finally:
        await redis.aclose()
