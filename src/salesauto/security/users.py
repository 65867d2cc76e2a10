"""Users of a workspace: the people API keys are issued to.

Disabling a user stops every key issued to them at once in this process (their cached
verifications are dropped) and within the key cache time elsewhere; enabling them again
restores the keys that were not revoked meanwhile.
"""

from __future__ import annotations

import uuid
from typing import Literal

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine

from salesauto.kit.db import retry_locked
from salesauto.kit.errors import Conflict, InvalidInput, NotFound
from salesauto.kit.time import utcnow
from salesauto.models.base import table_of
from salesauto.models.security import ApiKey, User
from salesauto.security.keystore import KeyStore

USERS = table_of(User)
KEYS = table_of(ApiKey)
Role = Literal["admin", "member"]
ROLES: tuple[Role, ...] = ("admin", "member")


def normalised_email(value: str) -> str:
    email = value.strip().lower()
    local, _, domain = email.partition("@")
    if not local or "." not in domain or " " in email:
        raise InvalidInput(f"{value!r} is not an email address", field="email")
    return email


class UserService:
    def __init__(self, engine: AsyncEngine, keys: KeyStore) -> None:
        self.engine = engine
        self.keys = keys

    async def create(self, owner_id: str, email: str, name: str, role: Role) -> User:
        if role not in ROLES:
            raise InvalidInput(f"role must be one of {list(ROLES)}", field="role")
        row = {
            "id": uuid.uuid4(),
            "owner_id": owner_id,
            "email": normalised_email(email),
            "name": name.strip() or email,
            "role": role,
            "disabled": False,
            "created_at": utcnow(),
        }

        async def insert() -> None:
            async with self.engine.begin() as conn:
                await conn.execute(sa.insert(USERS).values(**row))

        try:
            await retry_locked(insert)
        except IntegrityError:
            raise Conflict(f"{row['email']} is already a user of this workspace") from None
        return User(**row)

    async def get(self, owner_id: str, user_id: uuid.UUID) -> User:
        async with self.engine.connect() as conn:
            found = (
                await conn.execute(
                    sa.select(USERS).where(USERS.c.id == user_id, USERS.c.owner_id == owner_id)
                )
            ).first()
        if found is None:
            raise NotFound(f"no user {user_id} in this workspace; GET /api/users lists them")
        return User(**found._mapping)

    async def by_email(self, owner_id: str, email: str) -> User:
        address = normalised_email(email)
        async with self.engine.connect() as conn:
            found = (
                await conn.execute(
                    sa.select(USERS).where(USERS.c.owner_id == owner_id, USERS.c.email == address)
                )
            ).first()
        if found is None:
            raise NotFound(f"no user {address} in this workspace; create it first")
        return User(**found._mapping)

    async def listed(self, owner_id: str) -> list[User]:
        async with self.engine.connect() as conn:
            rows = (
                await conn.execute(
                    sa.select(USERS).where(USERS.c.owner_id == owner_id).order_by(USERS.c.email)
                )
            ).all()
        return [User(**row._mapping) for row in rows]

    async def set_disabled(self, owner_id: str, user_id: uuid.UUID, disabled: bool) -> User:
        await self.get(owner_id, user_id)

        async def update() -> list[uuid.UUID]:
            async with self.engine.begin() as conn:
                await conn.execute(
                    sa.update(USERS)
                    .where(USERS.c.id == user_id, USERS.c.owner_id == owner_id)
                    .values(disabled=disabled)
                )
                keys = await conn.execute(sa.select(KEYS.c.id).where(KEYS.c.user_id == user_id))
                return [row.id for row in keys]

        for key_id in await retry_locked(update):
            self.keys.forget(str(key_id))
        return await self.get(owner_id, user_id)
