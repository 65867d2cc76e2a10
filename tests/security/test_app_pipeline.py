"""The request pipeline as `create_app` assembles it: hosts, headers, guards, limits, CORS."""

from __future__ import annotations

import pytest

from salesauto.config import Settings
from tests.conftest import AUTH, make_settings
from tests.security.keys_support import bearer, secured_app


async def test_every_answer_carries_the_security_headers(settings: Settings) -> None:
    async with secured_app(settings) as app:
        answers = [
            await app.http.get("/api/jobs"),  # 401
            await app.as_admin("GET", "/api/jobs"),  # 200
            await app.as_admin("GET", "/api/jobs/999999"),  # 404
            await app.http.get("/health"),
        ]
        for response in answers:
            assert response.headers["x-content-type-options"] == "nosniff"
            assert "frame-ancestors 'none'" in response.headers["content-security-policy"]
            assert response.headers["referrer-policy"] == "no-referrer"
        assert [r.status_code for r in answers] == [401, 200, 404, 200]
        assert answers[1].headers["cache-control"] == "no-store"
        assert "strict-transport-security" not in answers[1].headers  # HTTPS is off


async def test_a_foreign_host_header_is_refused(settings: Settings) -> None:
    async with secured_app(settings) as app:
        response = await app.as_admin("GET", "/api/jobs", headers={"Host": "evil.example.com"})
        assert response.status_code == 400


async def test_polluted_or_mistyped_bodies_change_nothing(settings: Settings) -> None:
    async with secured_app(settings) as app:
        polluted = await app.as_admin(
            "POST",
            "/api/suppressions",
            content=b'{"value": "a@b.co", "x": {"__proto__": {"admin": true}}}',
            headers={"Content-Type": "application/json"},
        )
        assert polluted.status_code == 422 and "__proto__" in polluted.json()["error"]
        as_text = await app.as_admin(
            "POST",
            "/api/suppressions",
            content=b'{"value": "a@b.co"}',
            headers={"Content-Type": "text/plain"},
        )
        assert as_text.status_code == 415
        deep = b"[" * 5000 + b"]" * 5000
        nested = await app.as_admin(
            "POST",
            "/api/suppressions",
            content=deep,
            headers={"Content-Type": "application/json"},
        )
        assert nested.status_code == 422
        with_nul = await app.as_admin("POST", "/api/suppressions", json={"value": "a\u0000@b.co"})
        assert with_nul.status_code == 422 and "NUL" in with_nul.json()["error"]
        assert (await app.as_admin("GET", "/api/contacts?q=a%00b")).status_code == 400
        listed = (await app.as_admin("GET", "/api/suppressions")).json()
        assert listed["suppressions"] == []


async def test_a_key_past_its_limit_gets_429_and_others_go_on(database_url: str) -> None:
    settings = make_settings(database_url, rate_limit_enabled=True, rate_limit="5/minute")
    async with secured_app(settings) as app:
        other = await app.platform.keys.create("default", "other", ["jobs:read"])
        statuses = [(await app.as_admin("GET", "/api/jobs")).status_code for _ in range(6)]
        assert statuses == [200] * 5 + [429]
        refused = await app.as_admin("GET", "/api/jobs")
        assert int(refused.headers["retry-after"]) >= 1
        assert refused.headers["ratelimit-remaining"] == "0"
        assert refused.headers["x-content-type-options"] == "nosniff"
        fine = await app.http.get("/api/jobs", headers=bearer(other.plain))
        assert fine.status_code == 200 and fine.headers["ratelimit-limit"] == "5"
        assert (await app.http.get("/health")).status_code == 200  # probes are not limited


async def test_guessing_keys_ends_in_429_whatever_forwarded_for_says(database_url: str) -> None:
    settings = make_settings(
        database_url,
        rate_limit_enabled=True,
        rate_limit_groups={"auth": "3/minute"},
        forwarded_allow_ips=["10.9.9.9"],  # the test client is not a trusted proxy
    )
    async with secured_app(settings) as app:
        statuses = []
        for attempt in range(5):
            spoofed = {"X-Forwarded-For": f"203.0.113.{attempt}", **bearer("sap_guess")}
            statuses.append((await app.http.get("/api/jobs", headers=spoofed)).status_code)
        assert statuses == [401, 401, 401, 429, 429]
        assert (await app.as_admin("GET", "/api/jobs")).status_code == 200


@pytest.mark.parametrize(
    ("origin", "allowed"), [("https://app.acme.test", True), ("https://evil.test", False)]
)
async def test_cors_answers_only_listed_origins(
    database_url: str, origin: str, allowed: bool
) -> None:
    settings = make_settings(database_url, cors_origins=["https://app.acme.test"])
    async with secured_app(settings) as app:
        preflight = await app.http.options(
            "/api/jobs",
            headers={"Origin": origin, "Access-Control-Request-Method": "POST"},
        )
        response = await app.http.get("/api/jobs", headers={"Origin": origin, **AUTH})
        acao = response.headers.get("access-control-allow-origin")
        assert acao == (origin if allowed else None)
        assert (preflight.status_code == 200) is allowed


def test_a_wildcard_origin_is_refused_in_settings() -> None:
    with pytest.raises(ValueError, match="exact origins"):
        make_settings("sqlite+aiosqlite:///:memory:", cors_origins=["*"])


async def test_plain_http_api_calls_are_refused_not_redirected(database_url: str) -> None:
    settings = make_settings(database_url, require_https=True, forwarded_allow_ips=["10.9.9.9"])
    async with secured_app(settings) as app:
        response = await app.as_admin("GET", "/api/jobs", headers={"X-Forwarded-Proto": "https"})
        assert response.status_code == 400 and "HTTPS" in response.json()["error"]
        assert "location" not in response.headers
