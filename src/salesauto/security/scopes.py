"""Scope checks for routers: reads need `<area>:read`, anything else `<area>:write`."""

from __future__ import annotations

from typing import Any

from fastapi import Depends, Request

from salesauto.kit.errors import SalesautoError
from salesauto.security.principal import ADMIN, READ_METHODS, current_principal


class MissingScope(SalesautoError):
    status_code = 403


def required_scope(area: str, method: str) -> str:
    if area == ADMIN:
        return ADMIN
    return f"{area}:{'read' if method in READ_METHODS else 'write'}"


def scoped(area: str) -> Any:
    """Router dependency: the caller's key must carry the area's read or write scope."""

    async def check(request: Request) -> None:
        needed = required_scope(area, request.method)
        if not current_principal(request).allows(needed):
            raise MissingScope(
                f"this key lacks the {needed!r} scope; create a key with it "
                f"(salesauto keys create --scopes {needed})",
                scope=needed,
            )

    return Depends(check)
