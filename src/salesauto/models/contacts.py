"""Contacts (the seed's `imported_contacts`), companies, suppressions and the enrichment cache.

A contact's identity is its normalised email, a company's its normalised domain, both within a
workspace (`owner_id`): every source merges into the same row, never a second one.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from salesauto.kit.types import BigId, JsonDoc, UtcDateTime
from salesauto.models.base import Base, created_at_column

# Pipeline stages, in order; `status` only moves forward (a re-import never demotes).
CONTACT_STAGES = ("imported", "enriched", "synced", "enrolled", "replied")


class ImportedContact(Base):
    """A contact, keyed by workspace and normalised email; `status` is its pipeline stage.

    `data` holds everything else we know (unknown CSV columns, provider fields) and
    `provenance` says where each field came from: `{field: {"source", "at"}}`.
    """

    __tablename__ = "imported_contacts"
    __table_args__ = (
        sa.Index("ix_imported_contacts_owner_stage", "owner_id", "status"),
        sa.Index("ix_imported_contacts_owner_domain", "owner_id", "company_domain"),
    )

    owner_id: Mapped[str] = mapped_column(sa.String(64), primary_key=True, server_default="default")
    email: Mapped[str] = mapped_column(sa.String(320), primary_key=True)
    source: Mapped[str] = mapped_column(sa.String(50))
    status: Mapped[str] = mapped_column(sa.String(20), default="imported")
    first_name: Mapped[str | None] = mapped_column(sa.String(200))
    last_name: Mapped[str | None] = mapped_column(sa.String(200))
    title: Mapped[str | None] = mapped_column(sa.String(300))
    phone: Mapped[str | None] = mapped_column(sa.String(100))
    linkedin_url: Mapped[str | None] = mapped_column(sa.String(500))
    company_name: Mapped[str | None] = mapped_column(sa.String(300))
    company_domain: Mapped[str | None] = mapped_column(sa.String(253))
    company_id: Mapped[int | None] = mapped_column(
        BigId, sa.ForeignKey("companies.id", ondelete="SET NULL")
    )
    data: Mapped[dict[str, Any]] = mapped_column(JsonDoc, default=dict)
    provenance: Mapped[dict[str, Any]] = mapped_column(JsonDoc, default=dict, server_default="{}")
    score: Mapped[int | None] = mapped_column(sa.SmallInteger)
    score_reasons: Mapped[list[dict[str, Any]] | None] = mapped_column(JsonDoc)
    hubspot_id: Mapped[str | None] = mapped_column(sa.String(32))
    lemlist_lead_id: Mapped[str | None] = mapped_column(sa.String(64))
    imported_at: Mapped[datetime] = created_at_column()
    updated_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    enriched_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    synced_at: Mapped[datetime | None] = mapped_column(UtcDateTime())


class Company(Base):
    """A company, keyed by workspace and normalised domain."""

    __tablename__ = "companies"
    __table_args__ = (sa.UniqueConstraint("owner_id", "domain", name="uq_companies_owner_domain"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    owner_id: Mapped[str] = mapped_column(sa.String(64), server_default="default")
    domain: Mapped[str] = mapped_column(sa.String(253))
    name: Mapped[str | None] = mapped_column(sa.String(300))
    data: Mapped[dict[str, Any]] = mapped_column(JsonDoc, default=dict)
    provenance: Mapped[dict[str, Any]] = mapped_column(JsonDoc, default=dict)
    hubspot_id: Mapped[str | None] = mapped_column(sa.String(32))
    created_at: Mapped[datetime] = created_at_column()
    updated_at: Mapped[datetime | None] = mapped_column(UtcDateTime())


class Suppression(Base):
    """Never enrich, sync or contact this email, or anyone at this domain."""

    __tablename__ = "suppressions"
    __table_args__ = (
        sa.UniqueConstraint("owner_id", "kind", "value", name="uq_suppressions_owner_kind_value"),
        sa.CheckConstraint("kind IN ('email', 'domain')", name="kind"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    owner_id: Mapped[str] = mapped_column(sa.String(64), server_default="default")
    kind: Mapped[str] = mapped_column(sa.String(10))
    value: Mapped[str] = mapped_column(sa.String(320))
    reason: Mapped[str] = mapped_column(sa.String(200))
    source: Mapped[str] = mapped_column(sa.String(50))
    created_at: Mapped[datetime] = created_at_column()


class EnrichmentCacheEntry(Base):
    __tablename__ = "enrichment_cache"

    key: Mapped[str] = mapped_column(sa.String(300), primary_key=True)
    source: Mapped[str] = mapped_column(sa.String(50))
    data: Mapped[dict[str, Any]] = mapped_column(JsonDoc, default=dict)
    cached_at: Mapped[datetime] = created_at_column()
    expires_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), index=True)
