"""`/api/keys` (create, list, read, revoke, rotate) and `/api/audit`, admin scope only."""

from __future__ import annotations

import uuid
from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse

from salesauto.models.security import ApiKey
from salesauto.platform import Platform
from salesauto.security import audit
from salesauto.security.principal import current_principal
from salesauto.security.schemas import (
    AuditPage,
    AuditView,
    IssuedKeyView,
    KeyCreate,
    KeyPage,
    KeyView,
    UserCreate,
    UserPage,
    UserView,
)
from salesauto.security.scopes import scoped
from salesauto.security.users import UserService

router = APIRouter(prefix="/api", tags=["keys and audit"], dependencies=[scoped("admin")])


def _platform(request: Request) -> Platform:
    platform: Platform = request.app.state.platform
    return platform


def _users(request: Request) -> UserService:
    platform = _platform(request)
    return UserService(platform.engine, platform.keys)


def _fields(row: ApiKey) -> dict[str, object]:
    # Rows built in memory (just created) lack the columns the database fills in later.
    return {
        "id": row.id,
        "name": row.name,
        "user_id": getattr(row, "user_id", None),
        "prefix": row.key_prefix,
        "scopes": row.scopes,
        "expires_at": row.expires_at,
        "last_used_at": getattr(row, "last_used_at", None),
        "revoked": row.revoked,
        "revoked_at": getattr(row, "revoked_at", None),
        "created_at": getattr(row, "created_at", None),
    }


def key_view(row: ApiKey) -> KeyView:
    return KeyView.model_validate(_fields(row))


def _issued(row: ApiKey, plain: str) -> JSONResponse:
    view = IssuedKeyView.model_validate({**_fields(row), "key": plain})
    return JSONResponse(view.model_dump(mode="json", by_alias=True), status_code=201)


@router.post("/keys", status_code=201, response_model=IssuedKeyView, response_model_by_alias=True)
async def create_key(body: KeyCreate, request: Request) -> JSONResponse:
    """A new key for the caller's workspace. The answer holds the key once; store it."""
    platform = _platform(request)
    owner = current_principal(request).workspace
    user = None if body.user_id is None else await _users(request).get(owner, body.user_id)
    issued = await platform.keys.create(owner, body.name, body.scopes, body.expires_at, user)
    await audit.record_request(
        platform.engine,
        request.scope,
        "key.created",
        str(issued.row.id),
        {"name": body.name, "scopes": issued.row.scopes},
    )
    return _issued(issued.row, issued.plain)


@router.get("/keys", response_model=KeyPage, response_model_by_alias=True)
async def list_keys(
    request: Request,
    include_revoked: Annotated[bool, Query(alias="includeRevoked")] = False,
) -> KeyPage:
    """The workspace's keys (never their secrets), newest first."""
    owner = current_principal(request).workspace
    rows = await _platform(request).keys.page(owner, include_revoked=include_revoked)
    return KeyPage(keys=[key_view(row) for row in rows])


@router.get("/keys/{key_id}", response_model=KeyView, response_model_by_alias=True)
async def get_key(key_id: uuid.UUID, request: Request) -> KeyView:
    owner = current_principal(request).workspace
    return key_view(await _platform(request).keys.get(owner, key_id))


@router.post("/keys/{key_id}/revoke", response_model=KeyView, response_model_by_alias=True)
async def revoke_key(key_id: uuid.UUID, request: Request) -> KeyView:
    """The key stops working at once here, and within the key cache time everywhere."""
    platform = _platform(request)
    row = await platform.keys.revoke(current_principal(request).workspace, key_id)
    request.app.state.browser_auth.activity.forget(str(key_id))  # its sessions end at once
    await audit.record_request(platform.engine, request.scope, "key.revoked", str(key_id))
    return key_view(row)


@router.post(
    "/keys/{key_id}/rotate",
    status_code=201,
    response_model=IssuedKeyView,
    response_model_by_alias=True,
)
async def rotate_key(key_id: uuid.UUID, request: Request) -> JSONResponse:
    """A new key with the same name, scopes and expiry; the old one is revoked."""
    platform = _platform(request)
    issued = await platform.keys.rotate(current_principal(request).workspace, key_id)
    request.app.state.browser_auth.activity.forget(str(key_id))
    await audit.record_request(
        platform.engine, request.scope, "key.rotated", str(key_id), {"new": str(issued.row.id)}
    )
    return _issued(issued.row, issued.plain)


@router.get("/audit", response_model=AuditPage, response_model_by_alias=True)
async def audit_log(
    request: Request,
    before: Annotated[int | None, Query(ge=1, description="Events older than this id.")] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
    action: Annotated[str | None, Query(max_length=64, pattern=r"^[a-z_.]+$")] = None,
) -> AuditPage:
    """Security-relevant and destructive actions of the workspace, newest first."""
    owner = current_principal(request).workspace
    rows = await audit.page(
        _platform(request).engine, owner, before=before, limit=limit, action=action
    )
    return AuditPage(
        events=[AuditView.model_validate(row.__dict__) for row in rows],
        next_before=rows[-1].id if len(rows) == limit else None,
    )


@router.post("/users", status_code=201, response_model=UserView, response_model_by_alias=True)
async def create_user(body: UserCreate, request: Request) -> UserView:
    """A person of the workspace; issue keys to them with `userId` (409 if the email exists)."""
    user = await _users(request).create(
        current_principal(request).workspace, body.email, body.name, body.role
    )
    await audit.record_request(
        _platform(request).engine, request.scope, "user.created", str(user.id), {"role": body.role}
    )
    return UserView.model_validate(user.__dict__)


@router.get("/users", response_model=UserPage, response_model_by_alias=True)
async def list_users(request: Request) -> UserPage:
    users = await _users(request).listed(current_principal(request).workspace)
    return UserPage(users=[UserView.model_validate(user.__dict__) for user in users])


@router.post("/users/{user_id}/{action}", response_model=UserView, response_model_by_alias=True)
async def disable_or_enable_user(
    user_id: uuid.UUID, action: Literal["disable", "enable"], request: Request
) -> UserView:
    """`disable` stops every key of the user at once (sessions and sockets follow); `enable`
    restores the keys not revoked meanwhile."""
    owner = current_principal(request).workspace
    user = await _users(request).set_disabled(owner, user_id, action == "disable")
    for key in await _platform(request).keys.page(owner, include_revoked=False):
        if key.user_id == user_id:
            request.app.state.browser_auth.activity.forget(str(key.id))
    await audit.record_request(
        _platform(request).engine, request.scope, f"user.{action}d", str(user_id)
    )
    return UserView.model_validate(user.__dict__)
