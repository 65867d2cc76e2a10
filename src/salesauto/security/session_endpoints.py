"""Dashboard sign-in and browser tokens: `/api/session`, `/api/csrf-token`, `/api/ws-ticket`."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from fastapi import APIRouter, Request, Response
from pydantic import Field
from sqlalchemy.ext.asyncio import AsyncEngine
from starlette.types import Scope

from salesauto.config import Settings
from salesauto.kit.errors import SalesautoError
from salesauto.kit.schemas import ApiModel
from salesauto.platform import Platform
from salesauto.security import audit
from salesauto.security.authenticate import Resolver
from salesauto.security.csrf import CSRF_COOKIE, CSRF_TTL_SECONDS, CsrfTokens, Origins
from salesauto.security.principal import current_principal
from salesauto.security.secrets import derived_key
from salesauto.security.sessions import (
    SESSION_COOKIE,
    DashboardSessions,
    KeyActivity,
    TokenStore,
    read_cookie,
    set_cookie,
    token_store,
)
from salesauto.security.tickets import TICKET_SECONDS, WsTickets, session_resolver, ticket_resolver

router = APIRouter(prefix="/api", tags=["dashboard sessions"])


@dataclass(frozen=True, slots=True)
class BrowserAuth:
    """Sessions, CSRF tokens and WebSocket tickets of one app, sharing one store."""

    store: TokenStore
    activity: KeyActivity
    sessions: DashboardSessions
    csrf: CsrfTokens
    tickets: WsTickets
    origins: Origins

    @classmethod
    def build(
        cls, settings: Settings, engine: Callable[[], AsyncEngine], *, fallback_enabled: bool
    ) -> BrowserAuth:
        redis_url = settings.redis_url.get_secret_value() if settings.redis_url else None
        store = token_store(redis_url)
        prefix = settings.redis_key_prefix
        activity = KeyActivity(
            engine, cache_seconds=settings.key_cache_seconds, fallback_enabled=fallback_enabled
        )
        allowed = [*settings.cors_origins]
        if settings.public_base_url:
            allowed.append(settings.public_base_url)
        return cls(
            store=store,
            activity=activity,
            sessions=DashboardSessions(store, activity, prefix, settings.session_hours * 3600),
            csrf=CsrfTokens(derived_key(settings, "csrf"), store, prefix),
            tickets=WsTickets(store, activity, prefix),
            origins=Origins(allowed),
        )

    def resolvers(self) -> list[Resolver]:
        """For the `Authenticator`, after the API-key headers: a ticket, then the cookie."""
        return [ticket_resolver(self.tickets), session_resolver(self.sessions, self.origins)]

    async def aclose(self) -> None:
        await self.store.aclose()


def browser_auth(scope: Scope) -> BrowserAuth:
    found: BrowserAuth = scope["app"].state.browser_auth
    return found


class SignInRefused(SalesautoError):
    status_code = 403


class SessionView(ApiModel):
    workspace: str
    key_id: str = Field(..., description="The API key the session acts as.")
    scopes: list[str]
    expires_in: int = Field(..., description="Seconds until the session ends by itself.")


class CsrfTokenView(ApiModel):
    csrf_token: str = Field(..., description="Send it back in `X-CSRF-Token` on every change.")


class TicketView(ApiModel):
    ticket: str = Field(..., description="Connect to `/ws?ticket=<ticket>`; works once.")
    expires_in: int = Field(..., description="Seconds the ticket stays valid.")


@router.post("/session", status_code=201, response_model=SessionView)
async def sign_in(request: Request, response: Response) -> SessionView:
    """Start a dashboard session with the API key sent in `Authorization`.

    The answer sets an HttpOnly, SameSite=Strict session cookie (`__Host-session`, Secure,
    outside localhost). Changes made with the cookie need a token from `GET /api/csrf-token`.
    """
    principal = current_principal(request)
    if principal.via not in ("key", "fallback"):
        raise SignInRefused(
            "sign in with an API key in the Authorization header, not with a session or ticket"
        )
    auth = browser_auth(request.scope)
    session_id = await auth.sessions.start(principal)
    lifetime = round(auth.sessions.lifetime_seconds)
    set_cookie(
        response, request.scope, SESSION_COOKIE, session_id, max_age=lifetime, http_only=True
    )
    await audit.record_request(_platform(request).engine, request.scope, "session.started")
    return SessionView(
        workspace=principal.workspace,
        key_id=principal.key_id,
        scopes=sorted(principal.scopes),
        expires_in=lifetime,
    )


@router.delete("/session", status_code=204)
async def sign_out(request: Request) -> Response:
    """End the dashboard session of the cookie sent and expire its cookies."""
    auth = browser_auth(request.scope)
    session_id = read_cookie(request.scope, SESSION_COOKIE)
    if session_id is not None:
        await auth.sessions.end(session_id)
        await audit.record_request(_platform(request).engine, request.scope, "session.ended")
    response = Response(status_code=204)
    for name, http_only in ((SESSION_COOKIE, True), (CSRF_COOKIE, False)):
        set_cookie(response, request.scope, name, "", max_age=0, http_only=http_only)
    return response


@router.get("/csrf-token", response_model=CsrfTokenView)
async def csrf_token(request: Request, response: Response) -> CsrfTokenView:
    """A CSRF token for this dashboard session, valid one hour (fetch a new one after that)."""
    principal = current_principal(request)
    if principal.via != "session" or principal.session_id is None:
        raise SignInRefused(
            "CSRF tokens belong to dashboard sessions (POST /api/session); "
            "requests with an API key need none"
        )
    token = await browser_auth(request.scope).csrf.issue(principal.session_id)
    set_cookie(
        response, request.scope, CSRF_COOKIE, token, max_age=CSRF_TTL_SECONDS, http_only=False
    )
    return CsrfTokenView(csrf_token=token)


@router.post("/ws-ticket", status_code=201, response_model=TicketView)
async def websocket_ticket(request: Request) -> TicketView:
    """A single-use ticket for `/ws?ticket=...`, valid 60 s, for browsers (which cannot send
    `Authorization` on a WebSocket handshake)."""
    ticket = await browser_auth(request.scope).tickets.issue(current_principal(request))
    return TicketView(ticket=ticket, expires_in=TICKET_SECONDS)


def _platform(request: Request) -> Platform:
    platform: Platform = request.app.state.platform
    return platform
