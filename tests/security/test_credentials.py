"""Provider credentials through the API: sealed per row, shown as last four, rotatable."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa

from salesauto.config import Settings
from salesauto.models.base import table_of
from salesauto.models.security import ProviderCredential
from salesauto.security.crypto import CredentialCipher, CredentialUnreadable
from tests.conftest import make_settings
from tests.security.keys_support import Secured, secured_app
from tests.support.cli import cli_env, run_cli

CREDENTIALS = table_of(ProviderCredential)
SECRET = "apollo-live-key-9f8e7d6c5b4a1234"


async def _apollo_mode(app: Secured) -> str:
    mode: str = (await app.as_admin("GET", "/api/integrations")).json()["apollo"]["mode"]
    return mode


async def test_a_stored_key_is_ciphertext_shown_as_last_four_and_used(settings: Settings) -> None:
    async with secured_app(settings) as app:
        assert (await app.as_admin("GET", "/api/integrations")).json()["apollo"][
            "mode"
        ] == "sandbox"
        stored = await app.as_admin(
            "PUT", "/api/integrations/apollo/credentials", json={"secret": SECRET}
        )
        assert stored.status_code == 200 and stored.json()["last4"] == "1234"
        assert SECRET not in stored.text
        listed = (await app.as_admin("GET", "/api/integrations/credentials")).json()
        assert [(c["provider"], c["last4"]) for c in listed] == [("apollo", "1234")]
        async with app.platform.engine.connect() as conn:
            row = (await conn.execute(sa.select(CREDENTIALS))).one()
        assert row.ciphertext.startswith("v1:") and SECRET not in row.ciphertext
        assert await _apollo_mode(app) == "live"
        audit = (await app.as_admin("GET", "/api/audit")).json()["events"]
        assert audit[0]["action"] == "credential.set" and SECRET not in str(audit)

        assert (
            await app.as_admin("DELETE", "/api/integrations/apollo/credentials")
        ).status_code == 204
        assert (await app.as_admin("GET", "/api/integrations")).json()["apollo"][
            "mode"
        ] == "sandbox"
        unknown = await app.as_admin(
            "PUT", "/api/integrations/salesforce/credentials", json={"secret": SECRET}
        )
        assert unknown.status_code == 422


def test_a_ciphertext_moved_to_another_row_or_tampered_does_not_decrypt() -> None:
    cipher = CredentialCipher(b"k" * 32)
    sealed = cipher.encrypt(SECRET, identity="default|apollo|row-1")
    assert cipher.decrypt(sealed, identity="default|apollo|row-1") == SECRET
    with pytest.raises(CredentialUnreadable):
        cipher.decrypt(sealed, identity="acme|apollo|row-1")
    flipped = sealed[:-6] + ("A" if sealed[-6] != "A" else "B") + sealed[-5:]
    with pytest.raises(CredentialUnreadable) as refused:
        cipher.decrypt(flipped, identity="default|apollo|row-1")
    assert SECRET not in str(refused.value)


async def test_rotating_the_key_reencrypts_every_credential(
    database_url: str, tmp_path: Path
) -> None:
    old = make_settings(database_url, credential_key="the-old-credential-key-0123456789")
    async with secured_app(old) as app:
        await app.platform.credentials.set("default", "lemlist", "lemlist-key-abcd")
    env = cli_env(
        tmp_path,
        SALESAUTO_DATABASE_URL=database_url,
        SALESAUTO_SECRET_KEY="test-server-secret-0123456789abcdefghijklmnop",
        SALESAUTO_CREDENTIAL_KEY="the-new-credential-key-9876543210",
        SALESAUTO_CREDENTIAL_KEYS_PREVIOUS='["the-old-credential-key-0123456789"]',
    )
    code, out, err = await run_cli(env, "keys", "rotate-encryption", "--json")
    assert code == 0, err
    assert '"reencrypted": 1' in out
    new = make_settings(database_url, credential_key="the-new-credential-key-9876543210")
    async with secured_app(new) as app:
        assert await app.platform.credentials.secrets_of("default") == {
            "lemlist": "lemlist-key-abcd"
        }
