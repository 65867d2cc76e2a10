"""API keys end to end: issued once, scoped, revocable, per workspace, identical refusals."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from salesauto.app import create_app
from salesauto.config import Settings
from salesauto.kit.time import utcnow
from salesauto.models.base import table_of
from salesauto.models.security import ApiKey
from salesauto.security.authenticate import FallbackKeyRefused
from salesauto.security.keys import new_key
from tests.conftest import make_settings
from tests.security.keys_support import bearer, secured_app

KEYS = table_of(ApiKey)


async def test_a_key_is_shown_once_and_works_within_its_scopes(settings: Settings) -> None:
    async with secured_app(settings) as app:
        issued = await app.issue(["contacts:read"])
        key = issued["key"]
        listing = (await app.as_admin("GET", "/api/keys")).json()["keys"]
        assert [k["id"] for k in listing] == [issued["id"]]
        assert "key" not in listing[0] and key not in str(listing)
        async with app.platform.engine.connect() as conn:
            stored = (await conn.execute(sa.select(KEYS))).one()
        assert stored.key_hash.startswith("$argon2id$v=19$m=65536,t=3")
        assert key not in str(stored._mapping)

        assert (await app.http.get("/api/contacts", headers=bearer(key))).status_code == 200
        assert (await app.http.get("/api/contacts", headers={"X-API-Key": key})).status_code == 200
        refused = await app.http.post(
            "/api/suppressions", headers=bearer(key), json={"value": "a@b.co"}
        )
        assert refused.status_code == 403
        assert "contacts:write" in refused.json()["error"]
        assert (await app.http.get("/api/jobs", headers=bearer(key))).status_code == 403
        assert (await app.http.get("/api/keys", headers=bearer(key))).status_code == 403
        suppressions = (await app.as_admin("GET", "/api/suppressions")).json()
        assert suppressions["suppressions"] == []  # the refused write left nothing behind

        used = (await app.as_admin("GET", f"/api/keys/{issued['id']}")).json()
        assert used["lastUsedAt"] is not None


async def test_every_kind_of_bad_key_gets_the_same_401(settings: Settings) -> None:
    async with secured_app(settings) as app:
        revoked = await app.issue(["admin"])
        await app.as_admin("POST", f"/api/keys/{revoked['id']}/revoke")
        expiring = await app.issue(["admin"])
        async with app.platform.engine.begin() as conn:
            await conn.execute(
                sa.update(KEYS)
                .where(KEYS.c.id == sa.bindparam("key_id", type_=sa.Uuid))
                .values(expires_at=utcnow() - timedelta(seconds=1)),
                {"key_id": __import__("uuid").UUID(expiring["id"])},
            )
        valid_shape_unknown = new_key()[0]
        known_prefix_wrong_secret = new_key()[0].replace(new_key()[0][:15], revoked["key"][:15], 1)
        candidates = {
            "missing": {},
            "malformed": bearer("not-a-key"),
            "bad checksum": bearer(revoked["key"][:-1] + "0"),
            "unknown key": bearer(valid_shape_unknown),
            "wrong secret": bearer(known_prefix_wrong_secret),
            "revoked": bearer(revoked["key"]),
            "expired": bearer(expiring["key"]),
            "basic scheme": {"Authorization": f"Basic {revoked['key']}"},
        }
        answers = {}
        for kind, headers in candidates.items():
            response = await app.http.get("/api/jobs", headers=headers)
            answers[kind] = (response.status_code, response.text)
            assert "sap_" not in response.text
        assert set(answers.values()) == {answers["missing"]}, answers
        assert answers["missing"][0] == 401


async def test_revoking_stops_a_key_at_once_and_rotation_replaces_it(
    settings: Settings,
) -> None:
    async with secured_app(settings) as app:
        issued = await app.issue(["jobs:read"])
        assert (await app.http.get("/api/jobs", headers=bearer(issued["key"]))).status_code == 200
        rotated = (await app.as_admin("POST", f"/api/keys/{issued['id']}/rotate")).json()
        assert rotated["scopes"] == ["jobs:read"] and rotated["key"] != issued["key"]
        assert (await app.http.get("/api/jobs", headers=bearer(issued["key"]))).status_code == 401
        ok = await app.http.get("/api/jobs", headers=bearer(rotated["key"]))
        assert ok.status_code == 200
        audit = (await app.as_admin("GET", "/api/audit")).json()["events"]
        assert [e["action"] for e in audit] == ["key.rotated", "key.created"]
        assert all(e["actor"] == "fallback" for e in audit)
        assert issued["key"] not in str(audit) and rotated["key"] not in str(audit)


async def test_another_workspaces_objects_are_404(settings: Settings) -> None:
    async with secured_app(settings) as app:
        other = await app.platform.keys.create("acme", "acme admin", ["admin"])
        theirs = await app.http.post(
            "/api/jobs", headers=bearer(other.plain), json={"type": "noop"}
        )
        job_id = theirs.json()["jobId"]
        assert (await app.http.get(f"/api/jobs/{job_id}", headers=bearer(other.plain))).is_success
        assert (await app.as_admin("GET", f"/api/jobs/{job_id}")).status_code == 404
        assert (await app.as_admin("POST", f"/api/jobs/{job_id}/cancel")).status_code == 404
        mine = (await app.as_admin("GET", "/api/jobs")).json()
        assert all(job["id"] != job_id for job in mine["items"])
        # Nor can one workspace revoke another's key.
        assert (await app.as_admin("POST", f"/api/keys/{other.row.id}/revoke")).status_code == 404


async def test_unknown_scopes_and_input_fields_are_refused(settings: Settings) -> None:
    async with secured_app(settings) as app:
        unknown = await app.as_admin(
            "POST", "/api/keys", json={"name": "x", "scopes": ["everything"]}
        )
        assert unknown.status_code == 422 and "everything" in unknown.json()["error"]
        smuggled = await app.as_admin(
            "POST", "/api/keys", json={"name": "x", "scopes": ["admin"], "ownerId": "acme"}
        )
        assert smuggled.status_code == 422
        assert (await app.as_admin("GET", "/api/keys")).json()["keys"] == []


@pytest.mark.parametrize("value", ["short", "changeme", " " * 40 + "test"])
def test_a_weak_fallback_key_stops_the_start(value: str) -> None:
    with pytest.raises(FallbackKeyRefused, match="at least 32"):
        create_app(make_settings("sqlite+aiosqlite:///:memory:", api_key=value))


async def test_the_fallback_key_can_be_switched_off(database_url: str) -> None:
    settings = make_settings(database_url, api_key_fallback_enabled=False)
    async with secured_app(settings) as app:
        assert (await app.as_admin("GET", "/api/jobs")).status_code == 401
