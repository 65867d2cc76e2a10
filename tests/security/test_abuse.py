"""Abuse cases of research/security.md §4.4 not covered elsewhere: injection in filters, mass
assignment, and constant-time comparison of every presented secret."""

from __future__ import annotations

import hmac
from collections.abc import Callable
from typing import Any

import pytest

from salesauto.config import Settings
from salesauto.contacts.merge import ContactFacts
from salesauto.contacts.repository import merge_contacts
from salesauto.kit.time import utcnow
from tests.conftest import TEST_API_KEY
from tests.security.keys_support import bearer, secured_app
from tests.webhooks.conftest import activity, lemlist_token, running_api, webhook_settings

INJECTIONS = (
    "' OR 1=1--",
    "x' UNION SELECT key_hash FROM api_keys--",
    "%' OR '1'='1",
    ";DROP TABLE jobs",
)


async def test_injected_filters_find_nothing_and_break_nothing(settings: Settings) -> None:
    async with secured_app(settings) as app:
        async with app.platform.engine.begin() as conn:
            await merge_contacts(
                conn, "acme", [ContactFacts("secret@acme.io", {})], source="test", at=utcnow()
            )
        for value in INJECTIONS:
            for name in ("q", "stage", "source", "companyDomain"):
                answer = await app.as_admin("GET", "/api/contacts", params={name: value})
                assert answer.status_code in (200, 422), (name, value, answer.text)
                assert "secret@acme.io" not in answer.text and "argon2" not in answer.text
            jobs = await app.as_admin("GET", "/api/jobs", params={"status": value})
            assert jobs.status_code == 422
        assert (await app.as_admin("GET", "/api/jobs")).status_code == 200  # tables intact


async def test_mass_assignment_is_refused_and_changes_nothing(settings: Settings) -> None:
    async with secured_app(settings) as app:
        for field, value in (
            ("ownerId", "acme"),
            ("id", 7),
            ("source", "erasure"),
            ("isAdmin", True),
        ):
            answer = await app.as_admin(
                "POST", "/api/suppressions", json={"value": "a@b.co", field: value}
            )
            assert answer.status_code == 422, field
        template = await app.as_admin(
            "POST",
            "/api/campaigns/templates",
            json={
                "name": "T",
                "structure": {"steps": [{"channel": "email", "subject": "Hi", "body": "Hello"}]},
            },
        )
        smuggled = await app.as_admin(
            "PATCH",
            f"/api/campaigns/templates/{template.json()['id']}",
            json={"ownerId": "acme"},
        )
        assert smuggled.status_code == 422
        assert (await app.as_admin("GET", "/api/suppressions")).json()["suppressions"] == []


@pytest.fixture
def compared(monkeypatch: pytest.MonkeyPatch) -> list[tuple[Any, Any]]:
    """Every `hmac.compare_digest` call of the code under test."""
    calls: list[tuple[Any, Any]] = []
    real: Callable[[Any, Any], bool] = hmac.compare_digest

    def spy(left: Any, right: Any) -> bool:
        calls.append((left, right))
        return real(left, right)

    monkeypatch.setattr(hmac, "compare_digest", spy)
    return calls


async def test_presented_secrets_are_compared_in_constant_time(
    database_url: str, compared: list[tuple[Any, Any]]
) -> None:
    async with running_api(webhook_settings(database_url)) as api:
        await api.http.get("/api/jobs", headers=bearer(TEST_API_KEY))
        assert compared, "the fallback key was not compared with compare_digest"
        compared.clear()
        token = await lemlist_token(api.engine)
        wrong = token[:-4] + ("aaaa" if not token.endswith("aaaa") else "bbbb")
        refused = await api.http.post(f"/webhooks/lemlist/{wrong}", json=activity("x@y.co"))
        assert refused.status_code == 404
        assert compared, "the lemlist token was not compared with compare_digest"
        compared.clear()
        await api.http.post("/api/tools/contacts_upsert", json={"arguments": {"email": "x@y.co"}})
        dry = await api.http.post(
            "/api/tools/contacts_delete",
            json={"arguments": {"email": "x@y.co"}},
        )
        token_given = dry.json()["structuredContent"]["confirm_token"]
        forged = token_given[:-2] + ("AA" if not token_given.endswith("AA") else "BB")
        await api.http.post(
            "/api/tools/contacts_delete",
            json={"arguments": {"email": "x@y.co"}, "confirmToken": forged},
        )
        assert compared, "the confirm token was not compared with compare_digest"


async def test_paths_smuggled_into_an_import_are_refused(settings: Settings) -> None:
    async with secured_app(settings) as app:
        for name in ("../../etc/passwd", "..%2f..%2fsecret.key", "/etc/passwd", "a\\..\\b.csv"):
            answer = await app.as_admin(
                "POST", "/api/jobs", json={"type": "import.csv", "parameters": {"upload": name}}
            )
            assert answer.status_code == 422, name
        upload = await app.as_admin(
            "POST",
            "/api/import/csv",
            files={"file": ("../../../tmp/evil.csv", b"email\nann@acme.io\n", "text/csv")},
        )
        assert upload.status_code == 202
        job = (await app.as_admin("GET", f"/api/jobs/{upload.json()['jobId']}")).json()
        assert "/" not in job["parameters"]["upload"]  # stored under a generated name
