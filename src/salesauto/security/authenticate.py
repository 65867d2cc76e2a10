"""Authentication of every request that is not on the public list (pure ASGI).

Credentials, in order: `Authorization: Bearer <key>`, `X-API-Key: <key>`, then the extra
resolvers (dashboard session cookie, WebSocket ticket). A request without a valid credential
gets the same 401 whatever was wrong with it (missing, malformed, bad checksum, wrong secret,
revoked, expired), so the answer tells an attacker nothing; a WebSocket is closed with 1008
before it is accepted.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Awaitable, Callable, Iterable

import structlog
from starlette.types import ASGIApp, Receive, Scope, Send

from salesauto.security.keystore import KeyStore
from salesauto.security.principal import ADMIN, FALLBACK_KEY_ID, Principal
from salesauto.security.ratelimit import RequestLimiter, client_ip
from salesauto.security.refusals import refuse as refuse_with
from salesauto.security.settings import EXAMPLE_KEYS, MIN_FALLBACK_KEY_LENGTH

log = structlog.get_logger("salesauto.auth")
DEFAULT_WORKSPACE = "default"
AUTH_FAILURES_GROUP = "auth"
# Routes anyone may call: probes, the dashboard's static shell, and provider webhooks (each
# verified by its own signature or secret path token). The sandbox emulators are mounted only
# when a provider has no credentials and take the providers' own (fake) keys.
PUBLIC_PATHS = frozenset({"/health", "/dashboard", "/sandbox"})
PUBLIC_PREFIXES = ("/health/", "/dashboard/", "/webhooks/", "/sandbox/")
UNAUTHORIZED_MESSAGE = (
    "a valid API key is required: send `Authorization: Bearer <key>` "
    "(create one with `salesauto keys create`)"
)
Resolver = Callable[[Scope], Awaitable[Principal | None]]


class FallbackKeyRefused(ValueError):
    pass


class FallbackKey:
    """`SALESAUTO_API_KEY`: a break-glass admin key for the default workspace."""

    def __init__(self, value: str) -> None:
        if len(value) < MIN_FALLBACK_KEY_LENGTH or value.strip().lower() in EXAMPLE_KEYS:
            raise FallbackKeyRefused(
                f"SALESAUTO_API_KEY must be at least {MIN_FALLBACK_KEY_LENGTH} random "
                "characters and not an example value; generate one with: python -c "
                "'import secrets; print(secrets.token_urlsafe(32))', or unset it and use "
                "`salesauto keys create`"
            )
        self._digest = hashlib.sha256(value.encode()).digest()
        self.principal = Principal(
            workspace=DEFAULT_WORKSPACE,
            key_id=FALLBACK_KEY_ID,
            scopes=frozenset({ADMIN}),
            via="fallback",
        )

    def matches(self, candidate: str) -> bool:
        # Digests first: compare_digest is constant-time only for equal lengths.
        return hmac.compare_digest(hashlib.sha256(candidate.encode()).digest(), self._digest)


def is_public(path: str, *, metrics_public: bool) -> bool:
    if path == "/metrics":
        return metrics_public
    return path in PUBLIC_PATHS or path.startswith(PUBLIC_PREFIXES)


def presented_key(scope: Scope) -> str | None:
    headers: list[tuple[bytes, bytes]] = scope.get("headers") or []
    for name, value in headers:
        if name == b"authorization":
            scheme, _, token = value.decode("latin-1").partition(" ")
            if scheme.lower() == "bearer" and token.strip():
                return token.strip()
        elif name == b"x-api-key" and value:
            return value.decode("latin-1").strip()
    return None


class Authenticator:
    def __init__(
        self,
        keys: Callable[[], KeyStore],
        fallback: FallbackKey | None,
        resolvers: Iterable[Resolver] = (),
    ) -> None:
        self.keys = keys
        self.fallback = fallback
        self.resolvers = list(resolvers)

    async def principal(self, scope: Scope) -> Principal | None:
        key = presented_key(scope)
        if key is not None:
            if self.fallback is not None and self.fallback.matches(key):
                log.info("auth.fallback_key_used", path=scope.get("path"))
                return self.fallback.principal
            return await self.keys().verify(key)
        for resolve in self.resolvers:
            found = await resolve(scope)
            if found is not None:
                return found
        return None


class Authenticate:
    """Attach the caller's `Principal` to `scope["state"]`, or refuse the request."""

    def __init__(
        self,
        app: ASGIApp,
        authenticator: Authenticator,
        *,
        metrics_public: bool,
        limiter: RequestLimiter | None = None,
    ) -> None:
        self.app = app
        self.authenticator = authenticator
        self.metrics_public = metrics_public
        # Failed attempts are counted per client IP: guessing keys ends in 429s, while the
        # same key still works from anywhere else.
        self.limiter = limiter

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket") or is_public(
            scope["path"], metrics_public=self.metrics_public
        ):
            await self.app(scope, receive, send)
            return
        principal = await self.authenticator.principal(scope)
        if principal is None:
            log.info("auth.refused", path=scope["path"], kind=scope["type"])
            if self.limiter is not None:
                verdict = await self.limiter.hit(AUTH_FAILURES_GROUP, client_ip(scope))
                if not verdict.allowed:
                    await refuse_with(
                        scope,
                        receive,
                        send,
                        429,
                        f"too many failed sign-ins from this address; retry in "
                        f"{verdict.retry_after} s",
                        headers={"Retry-After": str(verdict.retry_after)},
                        details={"retryAfter": verdict.retry_after},
                    )
                    return
            await refuse(scope, receive, send)
            return
        scope.setdefault("state", {})["principal"] = principal
        structlog.contextvars.bind_contextvars(
            workspace=principal.workspace, key_id=principal.key_id
        )
        await self.app(scope, receive, send)


async def refuse(scope: Scope, receive: Receive, send: Send) -> None:
    """401 for HTTP, and for a WebSocket handshake too (as an HTTP denial before accepting)."""
    await refuse_with(
        scope,
        receive,
        send,
        401,
        UNAUTHORIZED_MESSAGE,
        headers={"WWW-Authenticate": 'Bearer realm="salesauto"'},
    )
