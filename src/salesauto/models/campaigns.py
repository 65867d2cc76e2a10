"""Campaign templates, their instances, enrollments, provider events and dead letters (seed §5)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from salesauto.kit.types import JsonDoc, UtcDateTime
from salesauto.models.base import Base, created_at_column, new_uuid


class CampaignTemplate(Base):
    __tablename__ = "campaign_templates"

    id: Mapped[uuid.UUID] = mapped_column(sa.Uuid, primary_key=True, default=new_uuid)
    user_id: Mapped[uuid.UUID | None] = mapped_column(sa.Uuid, index=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    description: Mapped[str | None] = mapped_column(sa.Text)
    provider: Mapped[str] = mapped_column(sa.String(50))
    status: Mapped[str] = mapped_column(sa.String(20), default="draft")
    structure: Mapped[dict[str, Any]] = mapped_column(JsonDoc, default=dict)
    default_variables: Mapped[dict[str, Any]] = mapped_column(JsonDoc, default=dict)
    created_at: Mapped[datetime] = created_at_column()


class CampaignInstance(Base):
    """A running campaign. `provider_campaign_id` ties it to the provider's own campaign
    (a lemlist `cam_…`): one instance per provider campaign and workspace."""

    __tablename__ = "campaign_instances"
    __table_args__ = (
        sa.UniqueConstraint(
            "owner_id", "provider", "provider_campaign_id", name="uq_campaign_instances_provider"
        ),
    )

    id: Mapped[uuid.UUID] = mapped_column(sa.Uuid, primary_key=True, default=new_uuid)
    owner_id: Mapped[str] = mapped_column(sa.String(64), server_default="default")
    provider: Mapped[str | None] = mapped_column(sa.String(50))
    provider_campaign_id: Mapped[str | None] = mapped_column(sa.String(100))
    # New enrollments per UTC day; None = the setting `outreach_daily_cap`.
    daily_cap: Mapped[int | None] = mapped_column(sa.Integer)
    template_id: Mapped[uuid.UUID] = mapped_column(
        sa.ForeignKey("campaign_templates.id", ondelete="RESTRICT"), index=True
    )
    user_id: Mapped[uuid.UUID | None] = mapped_column(sa.Uuid, index=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    status: Mapped[str] = mapped_column(sa.String(20), default="draft")
    total_enrolled: Mapped[int] = mapped_column(sa.Integer, default=0)
    total_sent: Mapped[int] = mapped_column(sa.Integer, default=0)
    total_delivered: Mapped[int] = mapped_column(sa.Integer, default=0)
    total_opened: Mapped[int] = mapped_column(sa.Integer, default=0)
    total_clicked: Mapped[int] = mapped_column(sa.Integer, default=0)
    total_replied: Mapped[int] = mapped_column(sa.Integer, default=0)
    started_at: Mapped[datetime | None] = mapped_column(UtcDateTime())


class CampaignEnrollment(Base):
    __tablename__ = "campaign_enrollments"

    id: Mapped[uuid.UUID] = mapped_column(sa.Uuid, primary_key=True, default=new_uuid)
    instance_id: Mapped[uuid.UUID] = mapped_column(
        sa.ForeignKey("campaign_instances.id", ondelete="CASCADE"), index=True
    )
    owner_id: Mapped[str] = mapped_column(sa.String(64), server_default="default")
    contact_email: Mapped[str] = mapped_column(sa.String(320), index=True)
    provider_lead_id: Mapped[str | None] = mapped_column(sa.String(100))
    status: Mapped[str] = mapped_column(sa.String(20), default="enrolled")
    current_step: Mapped[int] = mapped_column(sa.Integer, default=0)
    variables: Mapped[dict[str, Any]] = mapped_column(JsonDoc, default=dict)
    enrolled_at: Mapped[datetime] = created_at_column()
    completed_at: Mapped[datetime | None] = mapped_column(UtcDateTime())

    __table_args__ = (
        sa.UniqueConstraint("instance_id", "contact_email"),
        # The daily cap counts a campaign's enrollments since midnight.
        sa.Index("ix_campaign_enrollments_instance_enrolled", "instance_id", "enrolled_at"),
    )


class CampaignEvent(Base):
    __tablename__ = "campaign_events"

    id: Mapped[uuid.UUID] = mapped_column(sa.Uuid, primary_key=True, default=new_uuid)
    enrollment_id: Mapped[uuid.UUID] = mapped_column(
        sa.ForeignKey("campaign_enrollments.id", ondelete="CASCADE"), index=True
    )
    event_type: Mapped[str] = mapped_column(sa.String(50))
    provider_event_id: Mapped[str | None] = mapped_column(sa.String(200), unique=True)
    event_data: Mapped[dict[str, Any]] = mapped_column(JsonDoc, default=dict)
    timestamp: Mapped[datetime] = created_at_column()


class DeadLetterEvent(Base):
    """A provider event that matched no enrollment; kept for retry and replay, never dropped."""

    __tablename__ = "dead_letter_events"

    id: Mapped[uuid.UUID] = mapped_column(sa.Uuid, primary_key=True, default=new_uuid)
    email: Mapped[str | None] = mapped_column(sa.String(320), index=True)
    event_type: Mapped[str] = mapped_column(sa.String(50))
    enrollment_id: Mapped[uuid.UUID | None] = mapped_column(sa.Uuid)
    status: Mapped[str] = mapped_column(sa.String(20), default="pending", index=True)
    retry_count: Mapped[int] = mapped_column(sa.Integer, default=0)
    created_at: Mapped[datetime] = created_at_column()
    replayed_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    event_data: Mapped[dict[str, Any]] = mapped_column(JsonDoc, default=dict)
