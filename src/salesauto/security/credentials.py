"""Provider credentials set through the API: encrypted per row, shown as their last four.

The default workspace's credentials override the settings' provider keys for this platform's
provider clients (`Platform.apply_stored_credentials`); other workspaces' are stored for when
per-workspace clients land, and listed like any other.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

from salesauto.integrations.providers import PROVIDERS
from salesauto.kit.db import retry_locked
from salesauto.kit.errors import InvalidInput, NotFound
from salesauto.kit.time import utcnow
from salesauto.models.base import table_of
from salesauto.models.security import ProviderCredential
from salesauto.security.crypto import CredentialCipher

CREDENTIALS = table_of(ProviderCredential)


@dataclass(frozen=True, slots=True)
class StoredCredential:
    provider: str
    last4: str
    updated_at: datetime


def _identity(owner_id: str, provider: str, row_id: uuid.UUID) -> str:
    return f"{owner_id}|{provider}|{row_id}"


def check_provider(provider: str) -> str:
    if provider not in PROVIDERS:
        raise InvalidInput(f"unknown provider {provider!r}; one of {list(PROVIDERS)}")
    return provider


class CredentialStore:
    def __init__(self, engine: AsyncEngine, cipher: CredentialCipher) -> None:
        self.engine = engine
        self.cipher = cipher

    async def set(self, owner_id: str, provider: str, secret: str) -> StoredCredential:
        check_provider(provider)
        at = utcnow()

        async def upsert() -> None:
            async with self.engine.begin() as conn:
                row_id = await conn.scalar(
                    sa.select(CREDENTIALS.c.id).where(
                        CREDENTIALS.c.owner_id == owner_id, CREDENTIALS.c.provider == provider
                    )
                )
                sealed = {
                    "last4": secret[-4:],
                    "updated_at": at,
                }
                if row_id is None:
                    row_id = uuid.uuid4()
                    identity = _identity(owner_id, provider, row_id)
                    await conn.execute(
                        sa.insert(CREDENTIALS).values(
                            id=row_id,
                            owner_id=owner_id,
                            provider=provider,
                            ciphertext=self.cipher.encrypt(secret, identity=identity),
                            **sealed,
                        )
                    )
                else:
                    identity = _identity(owner_id, provider, row_id)
                    await conn.execute(
                        sa.update(CREDENTIALS)
                        .where(CREDENTIALS.c.id == row_id)
                        .values(ciphertext=self.cipher.encrypt(secret, identity=identity), **sealed)
                    )

        await retry_locked(upsert)
        return StoredCredential(provider, secret[-4:], at)

    async def remove(self, owner_id: str, provider: str) -> None:
        check_provider(provider)

        async def delete() -> int:
            async with self.engine.begin() as conn:
                result = await conn.execute(
                    sa.delete(CREDENTIALS).where(
                        CREDENTIALS.c.owner_id == owner_id, CREDENTIALS.c.provider == provider
                    )
                )
                return int(result.rowcount)

        if not await retry_locked(delete):
            raise NotFound(f"no stored {provider} credential in this workspace")

    async def listed(self, owner_id: str) -> list[StoredCredential]:
        async with self.engine.connect() as conn:
            rows = (
                await conn.execute(
                    sa.select(CREDENTIALS)
                    .where(CREDENTIALS.c.owner_id == owner_id)
                    .order_by(CREDENTIALS.c.provider)
                )
            ).all()
        return [StoredCredential(row.provider, row.last4, row.updated_at) for row in rows]

    async def secrets_of(self, owner_id: str) -> dict[str, str]:
        """Decrypted, for the provider clients only: never returned by the API or logged."""
        async with self.engine.connect() as conn:
            rows = (
                await conn.execute(sa.select(CREDENTIALS).where(CREDENTIALS.c.owner_id == owner_id))
            ).all()
        return {
            row.provider: self.cipher.decrypt(
                row.ciphertext, identity=_identity(row.owner_id, row.provider, row.id)
            )
            for row in rows
        }

    async def rotate(self) -> int:
        """Re-encrypt every credential not sealed with the current key; how many changed."""
        async with self.engine.connect() as conn:
            rows = (await conn.execute(sa.select(CREDENTIALS))).all()
        changed = 0
        for row in rows:
            if not self.cipher.needs_rotation(row.ciphertext):
                continue
            identity = _identity(row.owner_id, row.provider, row.id)
            resealed = self.cipher.encrypt(
                self.cipher.decrypt(row.ciphertext, identity=identity), identity=identity
            )

            async def update(row_id: uuid.UUID = row.id, value: str = resealed) -> None:
                async with self.engine.begin() as conn:
                    await conn.execute(
                        sa.update(CREDENTIALS)
                        .where(CREDENTIALS.c.id == row_id)
                        .values(ciphertext=value)
                    )

            await retry_locked(update)
            changed += 1
        return changed
