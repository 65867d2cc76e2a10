"""Browser credentials besides API keys: WebSocket tickets and the session cookie.

Browsers cannot send an `Authorization` header on a WebSocket handshake. A page therefore
either relies on its session cookie, accepted on a WebSocket only with an allowed `Origin`
(a foreign page could otherwise open the socket with the user's cookie: cross-site WebSocket
hijacking), or asks `POST /api/ws-ticket` for a ticket and connects to `/ws?ticket=...`.
A ticket is single-use, valid 60 s and bound to the caller; it would be readable in URLs,
so it is consumed on use and never logged (the access log writes paths without queries).
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from urllib.parse import parse_qsl, urlencode

import structlog
from starlette.datastructures import Headers
from starlette.types import Scope

from salesauto.security.authenticate import Resolver
from salesauto.security.csrf import Origins
from salesauto.security.principal import Principal
from salesauto.security.sessions import (
    SESSION_COOKIE,
    DashboardSessions,
    KeyActivity,
    TokenStore,
    TokenStoreUnavailable,
    digest,
    read_cookie,
)

log = structlog.get_logger(__name__)
TICKET_SECONDS = 60
TICKET_PARAMETER = "ticket"


@dataclass(frozen=True, slots=True)
class WsTickets:
    store: TokenStore
    activity: KeyActivity
    prefix: str

    def _key(self, ticket: str) -> str:
        return f"{self.prefix}:ws-ticket:{digest(ticket)}"

    async def issue(self, principal: Principal) -> str:
        ticket = secrets.token_urlsafe(32)
        value = {
            "workspace": principal.workspace,
            "keyId": principal.key_id,
            "scopes": sorted(principal.scopes),
        }
        await self.store.put(self._key(ticket), value, TICKET_SECONDS)
        return ticket

    async def redeem(self, ticket: str) -> Principal | None:
        """The ticket's principal, once; None if unknown, used, expired or its key revoked."""
        found = await self.store.take(self._key(ticket))
        if found is None or not await self.activity.is_active(found["keyId"]):
            return None
        return Principal(
            workspace=found["workspace"],
            key_id=found["keyId"],
            scopes=frozenset(found["scopes"]),
            via="ticket",
        )


def ticket_resolver(tickets: WsTickets) -> Resolver:
    """`?ticket=` on a WebSocket handshake (never on HTTP, where it could be replayed)."""

    async def resolve(scope: Scope) -> Principal | None:
        if scope["type"] != "websocket":
            return None
        query = parse_qsl(scope.get("query_string", b"").decode("latin-1"), keep_blank_values=True)
        ticket = next((value for name, value in query if name == TICKET_PARAMETER), "")
        if not ticket:
            return None
        # uvicorn logs a WebSocket's path with its query string ("WebSocket /ws?..."
        # [accepted]); dropping the ticket from the scope keeps it out of that line.
        kept = [(name, value) for name, value in query if name != TICKET_PARAMETER]
        scope["query_string"] = urlencode(kept).encode("latin-1")
        try:
            return await tickets.redeem(ticket)
        except TokenStoreUnavailable:
            return None

    return resolve


def session_resolver(sessions: DashboardSessions, origins: Origins) -> Resolver:
    """The dashboard's session cookie; on a WebSocket only from an allowed `Origin`."""

    async def resolve(scope: Scope) -> Principal | None:
        session_id = read_cookie(scope, SESSION_COOKIE)
        if session_id is None:
            return None
        if scope["type"] == "websocket":
            origin = Headers(scope=scope).get("origin")
            if origin is None or not origins.allows(scope, origin):
                log.info("sessions.websocket_origin_refused", path=scope["path"])
                return None
        try:
            return await sessions.find(session_id)
        except TokenStoreUnavailable:
            return None

    return resolve
