"""Who is calling: the workspace, the key and the scopes of an authenticated request."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from fastapi import HTTPException, Request
from starlette.types import Scope

ADMIN = "admin"
# Areas of the API; each has a `:read` and a `:write` scope, and write includes read.
AREAS = ("jobs", "contacts", "campaigns", "integrations", "webhooks", "ai")
SCOPES = (*(f"{area}:{mode}" for area in AREAS for mode in ("read", "write")), ADMIN)
READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
FALLBACK_KEY_ID = "fallback"


@dataclass(frozen=True, slots=True)
class Principal:
    workspace: str
    key_id: str
    scopes: frozenset[str]
    via: Literal["key", "fallback", "session", "ticket"] = "key"
    session_id: str | None = field(default=None)

    def allows(self, scope: str) -> bool:
        if ADMIN in self.scopes or scope in self.scopes:
            return True
        area, _, mode = scope.partition(":")
        return mode == "read" and f"{area}:write" in self.scopes


def principal_of(scope: Scope) -> Principal | None:
    """The principal the authentication middleware attached to this request, if any."""
    found = scope.get("state", {}).get("principal")
    return found if isinstance(found, Principal) else None


def current_principal(request: Request) -> Principal:
    principal = principal_of(request.scope)
    if principal is None:
        # The middleware answers 401 before a protected route runs; reaching here is a bug.
        raise HTTPException(401, "authentication required")
    return principal
