"""API keys in the database: create (shown once), list, revoke, rotate, and verify fast.

Verification: the key's shape and checksum are checked first (no database work for junk),
then its row is read by lookup prefix and the secret checked against the Argon2id hash.
A verified key is cached for `key_cache_seconds` by the SHA-256 of the whole key, so the hot
path costs one dictionary read; revoking purges this process's cache at once (other
processes follow within the cache time). `last_used_at` is written at most once a minute.
"""

from __future__ import annotations

import asyncio
import hashlib
import time
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
import structlog
from sqlalchemy.ext.asyncio import AsyncEngine

from salesauto.kit.db import retry_locked
from salesauto.kit.errors import InvalidInput, NotFound
from salesauto.kit.time import utcnow
from salesauto.models.base import table_of
from salesauto.models.security import ApiKey, User
from salesauto.security.hashing import KeyHasher
from salesauto.security.keys import new_key, parse_key
from salesauto.security.principal import ADMIN, SCOPES, Principal

log = structlog.get_logger(__name__)
KEYS = table_of(ApiKey)
USERS = table_of(User)
LAST_USED_EVERY = timedelta(minutes=1)


@dataclass(frozen=True, slots=True)
class IssuedKey:
    """A new key: `plain` is shown to the user once and never stored."""

    row: ApiKey
    plain: str


@dataclass(slots=True)
class _Verified:
    principal: Principal
    key_expires_at: datetime | None
    cached_until: float


def check_scopes(scopes: list[str]) -> list[str]:
    unknown = sorted(set(scopes) - set(SCOPES))
    if unknown:
        raise InvalidInput(f"unknown scopes {unknown}; choose from {list(SCOPES)}", field="scopes")
    if not scopes:
        raise InvalidInput(f"give at least one scope from {list(SCOPES)}", field="scopes")
    return sorted(set(scopes))


class KeyStore:
    def __init__(self, engine: AsyncEngine, *, cache_seconds: float, concurrency: int) -> None:
        self.engine = engine
        self.hasher = KeyHasher(concurrency)
        self._cache_seconds = cache_seconds
        self._verified: dict[bytes, _Verified] = {}
        self._last_used_written: dict[str, float] = {}
        self._background: set[asyncio.Task[None]] = set()

    # -- issuing ---------------------------------------------------------------------------

    async def create(
        self,
        owner_id: str,
        name: str,
        scopes: list[str],
        expires_at: datetime | None = None,
        user: User | None = None,
    ) -> IssuedKey:
        scopes = check_scopes(scopes)
        if user is not None and user.role != ADMIN and ADMIN in scopes:
            raise InvalidInput(
                f"{user.email} is a member: their keys cannot have the admin scope", field="scopes"
            )
        if expires_at is not None and expires_at <= utcnow():
            raise InvalidInput("expiry must be in the future", field="expiresAt")
        plain, parsed = new_key()
        secret_hash = await self.hasher.hash(plain)
        row = {
            "id": uuid.uuid4(),
            "owner_id": owner_id,
            "user_id": user.id if user is not None else None,
            "name": name,
            "key_hash": secret_hash,
            "key_prefix": parsed.prefix,
            "scopes": scopes,
            "expires_at": expires_at,
            "revoked": False,
            "created_at": utcnow(),
        }

        async def insert() -> None:
            async with self.engine.begin() as conn:
                await conn.execute(sa.insert(KEYS).values(**row))

        await retry_locked(insert)
        return IssuedKey(row=ApiKey(**row), plain=plain)

    async def rotate(self, owner_id: str, key_id: uuid.UUID) -> IssuedKey:
        """A new key with the same name, scopes and expiry; the old one is revoked."""
        old = await self.get(owner_id, key_id)
        if old.revoked:
            raise InvalidInput("this key is revoked; create a new one instead")
        user = await self._user(old.user_id)
        issued = await self.create(owner_id, old.name, list(old.scopes), old.expires_at, user)
        await self.revoke(owner_id, key_id)
        return issued

    async def revoke(self, owner_id: str, key_id: uuid.UUID) -> ApiKey:
        async def update() -> None:
            async with self.engine.begin() as conn:
                await conn.execute(
                    sa.update(KEYS)
                    .where(KEYS.c.id == key_id, KEYS.c.owner_id == owner_id, ~KEYS.c.revoked)
                    .values(revoked=True, revoked_at=utcnow())
                )

        await self.get(owner_id, key_id)  # 404 for another workspace's key
        await retry_locked(update)
        self.forget(str(key_id))
        return await self.get(owner_id, key_id)

    async def _user(self, user_id: uuid.UUID | None) -> User | None:
        if user_id is None:
            return None
        async with self.engine.connect() as conn:
            found = (await conn.execute(sa.select(USERS).where(USERS.c.id == user_id))).first()
        return User(**found._mapping) if found is not None else None

    def forget(self, key_id: str) -> None:
        """Drop a key's cached verifications (revoked here, or told by another process)."""
        for digest in [d for d, v in self._verified.items() if v.principal.key_id == key_id]:
            del self._verified[digest]

    # -- reading ---------------------------------------------------------------------------

    async def get(self, owner_id: str, key_id: uuid.UUID) -> ApiKey:
        async with self.engine.connect() as conn:
            found = (
                await conn.execute(
                    sa.select(KEYS).where(KEYS.c.id == key_id, KEYS.c.owner_id == owner_id)
                )
            ).first()
        if found is None:
            raise NotFound(f"no API key {key_id} in this workspace; GET /api/keys lists them")
        return ApiKey(**found._mapping)

    async def page(self, owner_id: str, *, include_revoked: bool) -> list[ApiKey]:
        query = sa.select(KEYS).where(KEYS.c.owner_id == owner_id)
        if not include_revoked:
            query = query.where(~KEYS.c.revoked)
        async with self.engine.connect() as conn:
            rows = (await conn.execute(query.order_by(KEYS.c.created_at.desc()))).all()
        return [ApiKey(**row._mapping) for row in rows]

    # -- verifying -------------------------------------------------------------------------

    async def verify(self, candidate: str) -> Principal | None:
        """The key's principal, or None for junk, unknown, wrong, revoked or expired keys."""
        digest = hashlib.sha256(candidate.encode()).digest()
        now = time.monotonic()
        # A cached digest was a well-formed, verified key: the hot path skips every check.
        cached = self._verified.get(digest)
        if cached is not None and cached.cached_until > now:
            if cached.key_expires_at is not None and cached.key_expires_at <= utcnow():
                del self._verified[digest]
                return None
            self._touch(cached.principal.key_id)
            return cached.principal
        parsed = parse_key(candidate)
        if parsed is None:
            return None
        async with self.engine.connect() as conn:
            row = (
                await conn.execute(
                    sa.select(KEYS, USERS.c.disabled.label("user_disabled"))
                    .outerjoin(USERS, USERS.c.id == KEYS.c.user_id)
                    .where(KEYS.c.key_prefix == parsed.prefix)
                )
            ).first()
        if row is None or row.revoked or row.user_disabled:
            return None
        if row.expires_at is not None and row.expires_at <= utcnow():
            return None
        if not await self.hasher.verify(row.key_hash, candidate):
            return None
        principal = Principal(
            workspace=row.owner_id, key_id=str(row.id), scopes=frozenset(row.scopes)
        )
        if self._cache_seconds > 0:
            self._verified[digest] = _Verified(principal, row.expires_at, now + self._cache_seconds)
        self._touch(principal.key_id)
        return principal

    def _touch(self, key_id: str) -> None:
        now = time.monotonic()
        if now - self._last_used_written.get(key_id, -1e9) < LAST_USED_EVERY.total_seconds():
            return
        self._last_used_written[key_id] = now
        task = asyncio.get_running_loop().create_task(self._write_last_used(key_id))
        self._background.add(task)
        task.add_done_callback(self._background.discard)

    async def _write_last_used(self, key_id: str) -> None:
        at = utcnow()

        async def update() -> None:
            async with self.engine.begin() as conn:
                await conn.execute(
                    sa.update(KEYS)
                    .where(
                        KEYS.c.id == uuid.UUID(key_id),
                        sa.or_(
                            KEYS.c.last_used_at.is_(None),
                            KEYS.c.last_used_at < at - LAST_USED_EVERY,
                        ),
                    )
                    .values(last_used_at=at)
                )

        try:
            await retry_locked(update)
        except Exception as error:
            log.warning("keys.last_used_not_written", key_id=key_id, error=type(error).__name__)

    async def close(self) -> None:
        for task in list(self._background):
            await task
