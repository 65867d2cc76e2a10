"""Dashboard sessions: sign in once with an API key, then a server-side session behind a cookie.

The cookie holds only a random session id; the session (workspace, key id, scopes) lives in
Redis with a TTL when `redis_url` is set, so every API process sees it, else in this
process's memory. Stores are keyed by the SHA-256 of the id, so a dump of Redis holds no
working cookie. A session lives `session_hours` at most and ends as soon as its key is revoked
or expires. The API key itself is never accepted from a cookie: cookies ride along with
cross-site requests, which is why session writes also need a CSRF token (`csrf.py`).
"""

from __future__ import annotations

import hashlib
import json
import secrets
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

import sqlalchemy as sa
import structlog
from redis.asyncio import Redis
from redis.exceptions import RedisError
from sqlalchemy.ext.asyncio import AsyncEngine
from starlette.datastructures import Headers
from starlette.requests import cookie_parser
from starlette.responses import Response
from starlette.types import Scope

from salesauto.kit.errors import SalesautoError
from salesauto.kit.time import utcnow
from salesauto.models.base import table_of
from salesauto.models.security import ApiKey, User
from salesauto.security.principal import FALLBACK_KEY_ID, Principal

log = structlog.get_logger(__name__)
KEYS = table_of(ApiKey)
USERS = table_of(User)
SESSION_COOKIE = "session"
# Hosts where browsers talk plain HTTP to a developer's own machine: `Secure` cookies (and so
# the `__Host-` prefix, which requires it) would never be sent back there.
LOCAL_HOSTS = frozenset({"localhost", "127.0.0.1", "::1", "[::1]"})
REDIS_TIMEOUT_SECONDS = 1.0
MEMORY_SWEEP_SECONDS = 60.0


class TokenStoreUnavailable(SalesautoError):
    status_code = 503


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


# -- where sessions, CSRF tokens and tickets are kept ------------------------------------------


class TokenStore(Protocol):
    async def put(self, key: str, value: dict[str, Any], ttl_seconds: float) -> None: ...
    async def get(self, key: str) -> dict[str, Any] | None: ...
    async def take(self, key: str) -> dict[str, Any] | None:
        """Read and delete in one step, so a single-use token is used once."""
        ...

    async def delete(self, key: str) -> None: ...
    async def aclose(self) -> None: ...


class MemoryTokens:
    """One process's tokens: enough for a single API process (the default deployment)."""

    def __init__(self) -> None:
        self._items: dict[str, tuple[float, dict[str, Any]]] = {}
        self._swept_at = time.monotonic()

    async def put(self, key: str, value: dict[str, Any], ttl_seconds: float) -> None:
        now = time.monotonic()
        if now - self._swept_at > MEMORY_SWEEP_SECONDS:
            # Expired entries nobody asks for again would otherwise stay forever.
            self._items = {k: item for k, item in self._items.items() if item[0] > now}
            self._swept_at = now
        self._items[key] = (now + ttl_seconds, value)

    async def get(self, key: str) -> dict[str, Any] | None:
        item = self._items.get(key)
        if item is None:
            return None
        if item[0] <= time.monotonic():
            del self._items[key]
            return None
        return item[1]

    async def take(self, key: str) -> dict[str, Any] | None:
        found = await self.get(key)
        self._items.pop(key, None)
        return found

    async def delete(self, key: str) -> None:
        self._items.pop(key, None)

    async def aclose(self) -> None:
        self._items.clear()


class RedisTokens:
    """Tokens shared by every API process through Redis, expired by Redis itself."""

    def __init__(self, url: str) -> None:
        self.redis: Redis = Redis.from_url(
            url, socket_timeout=REDIS_TIMEOUT_SECONDS, socket_connect_timeout=REDIS_TIMEOUT_SECONDS
        )

    async def put(self, key: str, value: dict[str, Any], ttl_seconds: float) -> None:
        ttl_ms = max(1, round(ttl_seconds * 1000))
        await self._call(self.redis.set(key, json.dumps(value), px=ttl_ms))

    async def get(self, key: str) -> dict[str, Any] | None:
        return _decoded(await self._call(self.redis.get(key)))

    async def take(self, key: str) -> dict[str, Any] | None:
        return _decoded(await self._call(self.redis.getdel(key)))

    async def delete(self, key: str) -> None:
        await self._call(self.redis.delete(key))

    async def aclose(self) -> None:
        await self.redis.aclose()

    @staticmethod
    async def _call(command: Any) -> Any:
        try:
            return await command
        except (RedisError, OSError) as error:
            log.warning("sessions.redis_unavailable", error=type(error).__name__)
            raise TokenStoreUnavailable(
                "the session store (Redis) cannot be reached; try again in a moment"
            ) from error


def _decoded(raw: bytes | None) -> dict[str, Any] | None:
    if raw is None:
        return None
    value = json.loads(raw)
    return value if isinstance(value, dict) else None


def token_store(redis_url: str | None) -> TokenStore:
    return RedisTokens(redis_url) if redis_url else MemoryTokens()


# -- is the key behind a session or ticket still good? -----------------------------------------


class KeyActivity:
    """Whether an API key is neither revoked nor expired, re-read at most every `cache_seconds`."""

    def __init__(
        self, engine: Callable[[], AsyncEngine], *, cache_seconds: float, fallback_enabled: bool
    ) -> None:
        self._engine = engine
        self._cache_seconds = cache_seconds
        self._fallback_enabled = fallback_enabled
        self._known: dict[str, tuple[float, bool, datetime | None]] = {}

    async def is_active(self, key_id: str) -> bool:
        if key_id == FALLBACK_KEY_ID:
            # The settings' key lives as long as the settings keep it switched on.
            return self._fallback_enabled
        now = time.monotonic()
        known = self._known.get(key_id)
        if known is None or known[0] <= now:
            known = (now + self._cache_seconds, *await self._read(key_id))
            if self._cache_seconds > 0:
                self._known[key_id] = known
        _, usable, expires_at = known
        return usable and (expires_at is None or expires_at > utcnow())

    def forget(self, key_id: str) -> None:
        """Re-read this key on its next check (call it when the key is revoked)."""
        self._known.pop(key_id, None)

    async def _read(self, key_id: str) -> tuple[bool, datetime | None]:
        try:
            parsed = uuid.UUID(key_id)
        except ValueError:
            return False, None
        async with self._engine().connect() as conn:
            row = (
                await conn.execute(
                    sa.select(KEYS.c.revoked, KEYS.c.expires_at, USERS.c.disabled)
                    .outerjoin(USERS, USERS.c.id == KEYS.c.user_id)
                    .where(KEYS.c.id == parsed)
                )
            ).first()
        if row is None:
            return False, None
        # A disabled user's keys are inactive too: their sessions and sockets end.
        return not row.revoked and not row.disabled, row.expires_at


# -- the sessions ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class DashboardSessions:
    store: TokenStore
    activity: KeyActivity
    prefix: str
    lifetime_seconds: float

    def _key(self, session_id: str) -> str:
        return f"{self.prefix}:session:{digest(session_id)}"

    async def start(self, principal: Principal) -> str:
        """A new session for the key that signed in; returns the id for the cookie."""
        session_id = secrets.token_urlsafe(32)
        value = {
            "workspace": principal.workspace,
            "keyId": principal.key_id,
            "scopes": sorted(principal.scopes),
        }
        await self.store.put(self._key(session_id), value, self.lifetime_seconds)
        return session_id

    async def find(self, session_id: str) -> Principal | None:
        """The session's principal, or None if it is unknown, ended, or its key is no more."""
        found = await self.store.get(self._key(session_id))
        if found is None:
            return None
        if not await self.activity.is_active(found["keyId"]):
            await self.store.delete(self._key(session_id))
            return None
        return Principal(
            workspace=found["workspace"],
            key_id=found["keyId"],
            scopes=frozenset(found["scopes"]),
            via="session",
            session_id=session_id,
        )

    async def end(self, session_id: str) -> None:
        await self.store.delete(self._key(session_id))


# -- cookies -----------------------------------------------------------------------------------


def request_host(scope: Scope) -> str:
    host = Headers(scope=scope).get("host", "").lower()
    if host.startswith("["):  # [::1]:8000
        return host.partition("]")[0] + "]"
    return host.rpartition(":")[0] if host.count(":") == 1 else host


def is_local(scope: Scope) -> bool:
    return request_host(scope) in LOCAL_HOSTS


def cookie_name(scope: Scope, base: str) -> str:
    # `__Host-`: the browser accepts it only with Secure, Path=/ and no Domain, so a sibling
    # subdomain or a plain-HTTP page cannot plant one.
    return base if is_local(scope) else f"__Host-{base}"


def read_cookie(scope: Scope, base: str) -> str | None:
    header = Headers(scope=scope).get("cookie")
    if not header:
        return None
    return cookie_parser(header).get(cookie_name(scope, base)) or None


def set_cookie(
    response: Response, scope: Scope, base: str, value: str, *, max_age: int, http_only: bool
) -> None:
    """A SameSite=Strict cookie for the whole app; Secure and `__Host-` outside localhost."""
    response.set_cookie(
        cookie_name(scope, base),
        value,
        max_age=max_age,
        path="/",
        secure=not is_local(scope),
        httponly=http_only,
        samesite="strict",
    )
