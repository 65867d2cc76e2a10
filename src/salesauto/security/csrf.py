"""CSRF protection for dashboard sessions: signed double-submit tokens bound to the session.

A token is `HMAC(key, len(sid)!sid!len(rand)!rand).rand` (the OWASP cheat sheet's signed
double-submit), so it verifies only for the session it was issued to, and it is remembered
server-side for an hour (Redis when configured), so a token cannot outlive that. The dashboard
gets one from `GET /api/csrf-token` (also set as a `__Host-csrf` cookie its scripts can read)
and sends it back in `X-CSRF-Token` with every POST, PUT, PATCH and DELETE.

Only requests authenticated by the session cookie are checked: a browser attaches cookies to
cross-site requests by itself, but never an `Authorization` header, so API-key calls are
exempt. Session writes from another origin (or a cross-site fetch) are refused outright.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import urlsplit

import structlog
from starlette.datastructures import Headers
from starlette.types import ASGIApp, Receive, Scope, Send

from salesauto.security.principal import principal_of
from salesauto.security.refusals import refuse
from salesauto.security.sessions import TokenStore, TokenStoreUnavailable, digest

log = structlog.get_logger(__name__)
CSRF_COOKIE = "csrf"
CSRF_HEADER = "x-csrf-token"
CSRF_TTL_SECONDS = 3600
UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
MISSING_TOKEN = (
    "a CSRF token is required for changes made with a dashboard session: GET /api/csrf-token "
    "and send its csrfToken in the X-CSRF-Token header (API keys need none)"
)
FOREIGN_ORIGIN = (
    "this request came from another site; dashboard sessions accept changes only from the "
    "app's own origin or an origin listed in SALESAUTO_CORS_ORIGINS"
)


def origin_of(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}".lower()


class Origins:
    """The browser origins a session may act from: the app's own and `cors_origins`."""

    def __init__(self, allowed: Iterable[str]) -> None:
        self._allowed = frozenset(origin_of(url) for url in allowed)

    def own(self, scope: Scope) -> str:
        # After the proxy-headers middleware the scheme is the one the browser used.
        scheme = {"ws": "http", "wss": "https"}.get(scope["scheme"], scope["scheme"])
        return f"{scheme}://{Headers(scope=scope).get('host', '')}".lower()

    def allows(self, scope: Scope, origin: str) -> bool:
        origin = origin.strip().lower()
        return origin == self.own(scope) or origin in self._allowed


@dataclass(frozen=True, slots=True)
class CsrfTokens:
    key: bytes  # derived_key(settings, "csrf"): no other token kind verifies with it
    store: TokenStore
    prefix: str

    def _signature(self, session_id: str, nonce: str) -> str:
        message = f"{len(session_id)}!{session_id}!{len(nonce)}!{nonce}"
        return hmac.new(self.key, message.encode(), hashlib.sha256).hexdigest()

    def _key(self, token: str) -> str:
        return f"{self.prefix}:csrf:{digest(token)}"

    async def issue(self, session_id: str) -> str:
        nonce = secrets.token_urlsafe(32)
        token = f"{self._signature(session_id, nonce)}.{nonce}"
        await self.store.put(self._key(token), {"session": digest(session_id)}, CSRF_TTL_SECONDS)
        return token

    async def verify(self, session_id: str, token: str) -> bool:
        signature, _, nonce = token.partition(".")
        if not nonce or len(token) > 200:
            return False
        expected = self._signature(session_id, nonce)
        if not hmac.compare_digest(signature.encode(), expected.encode()):
            return False
        remembered = await self.store.get(self._key(token))
        return remembered is not None and hmac.compare_digest(
            str(remembered.get("session", "")), digest(session_id)
        )


class CsrfGuard:
    """Refuse (403) a session's write without a valid `X-CSRF-Token` or from a foreign origin.

    Runs after authentication, which says how the caller signed in.
    """

    def __init__(self, app: ASGIApp, tokens: CsrfTokens, origins: Origins) -> None:
        self.app = app
        self.tokens = tokens
        self.origins = origins

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        principal = principal_of(scope)
        if (
            scope["type"] != "http"
            or scope["method"] not in UNSAFE_METHODS
            or principal is None
            or principal.via != "session"
            or principal.session_id is None
        ):
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        origin = headers.get("origin")
        if headers.get("sec-fetch-site") == "cross-site" or (
            origin is not None and not self.origins.allows(scope, origin)
        ):
            log.info("csrf.foreign_origin", path=scope["path"])
            await refuse(scope, receive, send, 403, FOREIGN_ORIGIN)
            return
        token = headers.get(CSRF_HEADER)
        try:
            valid = token is not None and await self.tokens.verify(principal.session_id, token)
        except TokenStoreUnavailable as error:
            await refuse(scope, receive, send, 503, error.message)
            return
        if not valid:
            log.info("csrf.refused", path=scope["path"], token_sent=token is not None)
            await refuse(scope, receive, send, 403, MISSING_TOKEN)
            return
        await self.app(scope, receive, send)
