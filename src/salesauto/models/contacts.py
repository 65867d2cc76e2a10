"""Imported contacts and the enrichment cache (seed §5)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from salesauto.kit.types import JsonDoc, UtcDateTime
from salesauto.models.base import Base, created_at_column


class ImportedContact(Base):
    """A contact as imported, keyed by its normalised email."""

    __tablename__ = "imported_contacts"

    email: Mapped[str] = mapped_column(sa.String(320), primary_key=True)
    source: Mapped[str] = mapped_column(sa.String(50))
    status: Mapped[str] = mapped_column(sa.String(20), default="imported", index=True)
    data: Mapped[dict[str, Any]] = mapped_column(JsonDoc, default=dict)
    imported_at: Mapped[datetime] = created_at_column()
    enriched_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    synced_at: Mapped[datetime | None] = mapped_column(UtcDateTime())


class EnrichmentCacheEntry(Base):
    __tablename__ = "enrichment_cache"

    key: Mapped[str] = mapped_column(sa.String(300), primary_key=True)
    source: Mapped[str] = mapped_column(sa.String(50))
    data: Mapped[dict[str, Any]] = mapped_column(JsonDoc, default=dict)
    cached_at: Mapped[datetime] = created_at_column()
    expires_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), index=True)
