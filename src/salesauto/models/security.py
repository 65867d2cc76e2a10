"""API keys (seed §5 and §6) and the audit log.

A key row keeps only an Argon2id hash of the secret and its lookup prefix (`sap_<key id>`);
the plain key is shown once, when it is created.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from salesauto.kit.types import BigId, JsonDoc, UtcDateTime
from salesauto.models.base import Base, new_uuid


class ApiKey(Base):
    __tablename__ = "api_keys"
    __table_args__ = (sa.Index("ix_api_keys_owner_created", "owner_id", "created_at"),)

    id: Mapped[uuid.UUID] = mapped_column(sa.Uuid, primary_key=True, default=new_uuid)
    user_id: Mapped[uuid.UUID | None] = mapped_column(sa.Uuid, index=True)
    # The workspace whose data the key reaches; every other workspace's object is a 404.
    owner_id: Mapped[str] = mapped_column(sa.String(64), server_default="default")
    name: Mapped[str] = mapped_column(sa.String(200))
    key_hash: Mapped[str] = mapped_column(sa.String(255))
    key_prefix: Mapped[str] = mapped_column(sa.String(32), unique=True)
    scopes: Mapped[list[str]] = mapped_column(JsonDoc, default=list)
    expires_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    last_used_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    revoked: Mapped[bool] = mapped_column(sa.Boolean, default=False)
    revoked_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    created_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), server_default=sa.func.now())


class AuditEvent(Base):
    """A security-relevant or destructive action: who (key id, never the key), what, on what."""

    __tablename__ = "audit_events"
    __table_args__ = (sa.Index("ix_audit_events_owner_id", "owner_id", sa.desc("id")),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    owner_id: Mapped[str] = mapped_column(sa.String(64))
    at: Mapped[datetime] = mapped_column(UtcDateTime(), server_default=sa.func.now())
    actor: Mapped[str] = mapped_column(sa.String(64))
    action: Mapped[str] = mapped_column(sa.String(64))
    target: Mapped[str | None] = mapped_column(sa.String(255))
    details: Mapped[dict[str, Any]] = mapped_column(JsonDoc, default=dict)
    request_id: Mapped[str | None] = mapped_column(sa.String(64))


class ProviderCredential(Base):
    """A provider key entered through the API: only ciphertext and the last four characters."""

    __tablename__ = "provider_credentials"
    __table_args__ = (
        sa.UniqueConstraint("owner_id", "provider", name="uq_provider_credentials_owner"),
    )

    id: Mapped[uuid.UUID] = mapped_column(sa.Uuid, primary_key=True, default=new_uuid)
    owner_id: Mapped[str] = mapped_column(sa.String(64))
    provider: Mapped[str] = mapped_column(sa.String(20))
    ciphertext: Mapped[str] = mapped_column(sa.Text)
    last4: Mapped[str] = mapped_column(sa.String(4))
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime(), server_default=sa.func.now())


class User(Base):
    """A person in a workspace. Their API keys stop working while they are disabled; a
    `member` cannot hold a key with the `admin` scope."""

    __tablename__ = "users"
    __table_args__ = (sa.UniqueConstraint("owner_id", "email", name="uq_users_owner_email"),)

    id: Mapped[uuid.UUID] = mapped_column(sa.Uuid, primary_key=True, default=new_uuid)
    owner_id: Mapped[str] = mapped_column(sa.String(64))
    email: Mapped[str] = mapped_column(sa.String(320))
    name: Mapped[str] = mapped_column(sa.String(200))
    role: Mapped[str] = mapped_column(sa.String(20))
    disabled: Mapped[bool] = mapped_column(sa.Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), server_default=sa.func.now())
