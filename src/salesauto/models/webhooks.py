"""Webhook endpoints we registered at providers, and every delivery they made to us.

A receipt is stored before anything is done with it and is unique per (provider, event id),
so a provider's retry or a replayed request is processed once.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from salesauto.kit.types import BigId, JsonDoc, UtcDateTime
from salesauto.models.base import Base, created_at_column

# received → processed, or → orphaned (its enrollment is not known yet; retried with backoff)
# → processed | dead (moved to dead_letter_events); failed: processing kept raising.
RECEIPT_STATUSES = ("received", "processed", "orphaned", "dead", "failed")


class WebhookEndpoint(Base):
    """A hook registered at a provider. lemlist does not sign its webhooks, so each hook's URL
    carries a random token; only its SHA-256 and a short prefix (for display) are kept, and
    `target_url` is stored with the token masked."""

    __tablename__ = "webhook_endpoints"
    __table_args__ = (
        # One live endpoint per provider and workspace: a concurrent second registration
        # loses the insert and removes the hook it created.
        sa.Index(
            "uq_webhook_endpoints_live",
            "provider",
            "owner_id",
            unique=True,
            postgresql_where=sa.text("revoked_at IS NULL"),
            sqlite_where=sa.text("revoked_at IS NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    provider: Mapped[str] = mapped_column(sa.String(20))
    owner_id: Mapped[str] = mapped_column(sa.String(64), server_default="default")
    token_hash: Mapped[str] = mapped_column(sa.String(64))
    token_prefix: Mapped[str] = mapped_column(sa.String(16), index=True)
    provider_hook_id: Mapped[str | None] = mapped_column(sa.String(100))
    target_url: Mapped[str] = mapped_column(sa.String(1000))
    created_at: Mapped[datetime] = created_at_column()
    revoked_at: Mapped[datetime | None] = mapped_column(UtcDateTime())


class WebhookReceipt(Base):
    """One provider event as it arrived (a HubSpot batch is split into one row per event)."""

    __tablename__ = "webhook_receipts"
    __table_args__ = (
        sa.UniqueConstraint("provider", "event_id", name="uq_webhook_receipts_provider_event"),
        sa.CheckConstraint(
            "status IN ('received', 'processed', 'orphaned', 'dead', 'failed')", name="status"
        ),
        # The orphan sweep: due orphans first; the oldest-orphan gauge.
        sa.Index("ix_webhook_receipts_status_next", "status", "next_attempt_at"),
        sa.Index("ix_webhook_receipts_status_received", "status", "received_at"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    provider: Mapped[str] = mapped_column(sa.String(20))
    event_id: Mapped[str] = mapped_column(sa.String(200))
    owner_id: Mapped[str] = mapped_column(sa.String(64), server_default="default")
    endpoint_id: Mapped[int | None] = mapped_column(
        BigId, sa.ForeignKey("webhook_endpoints.id", ondelete="SET NULL")
    )
    body: Mapped[str] = mapped_column(sa.Text)
    headers: Mapped[dict[str, Any]] = mapped_column(JsonDoc, default=dict)
    received_at: Mapped[datetime] = created_at_column()
    status: Mapped[str] = mapped_column(sa.String(20), default="received")
    attempts: Mapped[int] = mapped_column(sa.Integer, default=0)
    next_attempt_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    processed_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    error: Mapped[str | None] = mapped_column(sa.Text)


class ProviderPollCursor(Base):
    """Where polling a provider's activities stands for a workspace (lemlist `/activities`,
    the fallback when its webhooks cannot reach us): `cursor_at` is the `createdAt` of the
    newest activity a complete poll read; the next poll reads from shortly before it."""

    __tablename__ = "provider_poll_cursors"

    provider: Mapped[str] = mapped_column(sa.String(20), primary_key=True)
    owner_id: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    cursor_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    polled_at: Mapped[datetime] = mapped_column(UtcDateTime())
