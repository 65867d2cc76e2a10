"""CSRF: a session's writes need its own signed token; API-key calls need none."""

from __future__ import annotations

import asyncio
import hmac
from typing import Any

import pytest

from salesauto.config import Settings
from salesauto.security import csrf
from salesauto.security.csrf import CsrfTokens
from salesauto.security.sessions import MemoryTokens
from tests.conftest import make_settings
from tests.security.keys_support import bearer
from tests.security.test_sessions import SITE, attributes, dashboard

SUPPRESS = {"value": "someone@example.com"}


async def test_a_session_write_needs_a_token_of_that_session(settings: Settings) -> None:
    async with dashboard(settings) as app:
        session, _ = await app.sign_in()
        other, _ = await app.sign_in()
        response = await app.http.get("/api/csrf-token", headers={"Cookie": session})
        app.http.cookies.clear()
        token = response.json()["csrfToken"]
        cookie = attributes(response.headers["set-cookie"])
        assert cookie["name"] == "__Host-csrf" and f"={token}" in response.headers["set-cookie"]
        assert "secure" in cookie and "httponly" not in cookie  # the page's script reads it
        assert cookie["samesite"].lower() == "strict" and cookie["path"] == "/"
        assert response.headers["cache-control"].startswith("no-store")
        others_token = await app.csrf_token(other)
        signature, _, nonce = token.partition(".")
        refusals: dict[str, tuple[str, str | None, dict[str, str]]] = {
            "no header": (session, None, {}),
            "mismatched": (session, f"{'0' * len(signature)}.{nonce}", {}),
            "another session's": (session, others_token, {}),
            "cookie only": (f"{session}; __Host-csrf={token}", None, {}),
            "not in the store": (session, "abc.def", {}),
        }
        for case, (cookies, sent, headers) in refusals.items():
            refused = await app.as_session(
                "POST", "/api/suppressions", cookies, sent, json=SUPPRESS, headers=headers
            )
            assert refused.status_code == 403, case
            assert "/api/csrf-token" in refused.json()["error"], case
        listed = await app.as_session("GET", "/api/suppressions", session)
        assert listed.json()["suppressions"] == []  # GET needs no token and nothing was added

        added = await app.as_session("POST", "/api/suppressions", session, token, json=SUPPRESS)
        assert added.status_code == 201, added.text
        listed = await app.as_session("GET", "/api/suppressions", session)
        assert [s["value"] for s in listed.json()["suppressions"]] == [SUPPRESS["value"]]


async def test_a_session_write_from_another_origin_is_refused_a_keys_write_is_not(
    database_url: str,
) -> None:
    partner = "https://crm.partner.test"
    async with dashboard(make_settings(database_url, cors_origins=[partner])) as app:
        added = await app.http.post(
            "/api/suppressions",
            headers={**bearer(app.key), "Origin": "https://evil.example"},
            json=SUPPRESS,
        )
        assert added.status_code == 201, added.text  # no token, foreign origin: a key is exempt
        session, _ = await app.sign_in()
        token = await app.csrf_token(session)
        for origin in ("https://evil.example", "null", "http://app.example.test"):
            refused = await app.as_session(
                "POST", "/api/ws-ticket", session, token, headers={"Origin": origin}
            )
            assert refused.status_code == 403, origin
            assert "another site" in refused.json()["error"]
        cross_site = await app.as_session(
            "POST", "/api/ws-ticket", session, token, headers={"Sec-Fetch-Site": "cross-site"}
        )
        assert cross_site.status_code == 403
        for origin in (SITE, partner):
            allowed = await app.as_session(
                "POST", "/api/ws-ticket", session, token, headers={"Origin": origin}
            )
            assert allowed.status_code == 201, origin


async def test_tokens_are_bound_to_their_session_and_expire(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    tokens = CsrfTokens(b"k" * 32, MemoryTokens(), "test")
    token = await tokens.issue("session-a")
    compared: list[object] = []
    real_compare = hmac.compare_digest

    def spy(a: Any, b: Any) -> bool:
        compared.append(a)
        return real_compare(a, b)

    monkeypatch.setattr(hmac, "compare_digest", spy)
    assert await tokens.verify("session-a", token)
    assert compared, "tokens must be compared in constant time"
    assert not await tokens.verify("session-b", token)
    assert not await tokens.verify("session-a", token + "x")
    other_key = CsrfTokens(b"j" * 32, tokens.store, "test")
    assert not await other_key.verify("session-a", token)

    monkeypatch.setattr(csrf, "CSRF_TTL_SECONDS", 0.01)
    short_lived = await tokens.issue("session-a")
    await asyncio.sleep(0.05)
    assert not await tokens.verify("session-a", short_lived)
