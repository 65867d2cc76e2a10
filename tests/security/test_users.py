"""Users: keys issued to a person stop while the person is disabled; members hold no admin key."""

from __future__ import annotations

from pathlib import Path

from salesauto.config import Settings
from tests.security.keys_support import bearer, secured_app
from tests.support.cli import cli_env, run_cli


async def test_disabling_a_user_stops_their_keys_and_enabling_restores_them(
    settings: Settings,
) -> None:
    async with secured_app(settings) as app:
        created = await app.as_admin(
            "POST", "/api/users", json={"email": " Ana@Acme.io ", "name": "Ana", "role": "member"}
        )
        assert created.status_code == 201, created.text
        user = created.json()
        assert user["email"] == "ana@acme.io"
        again = await app.as_admin("POST", "/api/users", json={"email": "ana@acme.io"})
        assert again.status_code == 409
        admin_for_member = await app.as_admin(
            "POST", "/api/keys", json={"name": "k", "scopes": ["admin"], "userId": user["id"]}
        )
        assert admin_for_member.status_code == 422 and "member" in admin_for_member.text
        issued = await app.issue(["jobs:read"], userId=user["id"])
        assert issued["userId"] == user["id"]
        key = bearer(issued["key"])
        assert (await app.http.get("/api/jobs", headers=key)).status_code == 200

        off = await app.as_admin("POST", f"/api/users/{user['id']}/disable")
        assert off.json()["disabled"] is True
        assert (await app.http.get("/api/jobs", headers=key)).status_code == 401
        await app.as_admin("POST", f"/api/users/{user['id']}/enable")
        assert (await app.http.get("/api/jobs", headers=key)).status_code == 200

        other = await app.platform.keys.create("acme", "acme admin", ["admin"])
        theirs = await app.http.get(f"/api/users/{user['id']}/disable", headers=bearer(other.plain))
        assert theirs.status_code in (404, 405)
        hidden = await app.http.post(
            f"/api/users/{user['id']}/disable", headers=bearer(other.plain)
        )
        assert hidden.status_code == 404
        actions = [e["action"] for e in (await app.as_admin("GET", "/api/audit")).json()["events"]]
        assert actions[:3] == ["user.enabled", "user.disabled", "key.created"]


async def test_users_and_their_keys_from_the_cli(database_url: str, tmp_path: Path) -> None:
    env = cli_env(tmp_path, SALESAUTO_DATABASE_URL=database_url)
    code, out, err = await run_cli(
        env, "users", "create", "--email", "lee@acme.io", "--role", "admin", "--json"
    )
    assert code == 0, err
    code, out, err = await run_cli(
        env,
        "keys",
        "create",
        "--name",
        "lee",
        "--scopes",
        "admin",
        "--user",
        "lee@acme.io",
        "--json",
    )
    assert code == 0, err
    assert '"key": "sap_' in out
    code, _, err = await run_cli(
        env, "keys", "create", "--name", "x", "--scopes", "jobs:read", "--user", "nobody@acme.io"
    )
    assert code == 1 and "no user nobody@acme.io" in err
