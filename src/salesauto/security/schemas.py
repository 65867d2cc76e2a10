"""API bodies of `/api/keys` and `/api/audit`. No input model carries an owner or a hash."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any, Literal

from pydantic import ConfigDict, Field
from pydantic.alias_generators import to_camel

from salesauto.kit.schemas import ApiModel
from salesauto.security.principal import SCOPES


class KeyCreate(ApiModel):
    name: str = Field(..., min_length=1, max_length=200, description="What the key is for.")
    scopes: list[str] = Field(
        ..., min_length=1, max_length=len(SCOPES), description=f"Any of {list(SCOPES)}."
    )
    expires_at: datetime | None = Field(
        None, description="When the key stops working (ISO 8601 with a zone); none = never."
    )
    user_id: uuid.UUID | None = Field(
        None, description="The user the key is issued to (GET /api/users); none = the workspace."
    )


class KeyView(ApiModel):
    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True, extra="ignore")

    id: uuid.UUID
    name: str
    user_id: uuid.UUID | None = None
    prefix: str = Field(..., description="The key's public start (`sap_<id>`), to recognise it.")
    scopes: list[str]
    expires_at: datetime | None
    last_used_at: datetime | None
    revoked: bool
    revoked_at: datetime | None
    created_at: datetime | None


class IssuedKeyView(KeyView):
    key: str = Field(..., description="The key itself. Shown this once: store it now.")


class KeyPage(ApiModel):
    keys: list[KeyView]


class AuditView(ApiModel):
    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True, extra="ignore")

    id: int
    at: datetime
    actor: str = Field(..., description="Key id of the caller (`fallback`, `system`).")
    action: str
    target: str | None
    details: dict[str, Any]
    request_id: str | None


class AuditPage(ApiModel):
    events: list[AuditView]
    next_before: int | None = Field(None, description="Pass as `before` for older events.")


class UserCreate(ApiModel):
    email: str = Field(..., min_length=3, max_length=320)
    name: str = Field("", max_length=200)
    role: Literal["admin", "member"] = Field(
        "member", description="A member's keys cannot carry the admin scope."
    )


class UserView(ApiModel):
    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True, extra="ignore")

    id: uuid.UUID
    email: str
    name: str
    role: str
    disabled: bool
    created_at: datetime


class UserPage(ApiModel):
    users: list[UserView]
