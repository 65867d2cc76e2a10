"""API keys (seed §5 and §6): only an Argon2id hash and a lookup prefix are stored."""

from __future__ import annotations

import uuid
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from salesauto.kit.types import JsonDoc, UtcDateTime
from salesauto.models.base import Base, new_uuid


class ApiKey(Base):
    __tablename__ = "api_keys"

    id: Mapped[uuid.UUID] = mapped_column(sa.Uuid, primary_key=True, default=new_uuid)
    user_id: Mapped[uuid.UUID | None] = mapped_column(sa.Uuid, index=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    key_hash: Mapped[str] = mapped_column(sa.String(255))
    key_prefix: Mapped[str] = mapped_column(sa.String(32), unique=True)
    scopes: Mapped[list[str]] = mapped_column(JsonDoc, default=list)
    expires_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    last_used_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    revoked: Mapped[bool] = mapped_column(sa.Boolean, default=False)
