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
    """A reusable sequence (steps, default variables) that instances are spawned from."""

    __tablename__ = "campaign_templates"
    __table_args__ = (sa.Index("ix_campaign_templates_owner_created", "owner_id", "created_at"),)

    id: Mapped[uuid.UUID] = mapped_column(sa.Uuid, primary_key=True, default=new_uuid)
    owner_id: Mapped[str] = mapped_column(sa.String(64), server_default="default")
    user_id: Mapped[uuid.UUID | None] = mapped_column(sa.Uuid, index=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    description: Mapped[str | None] = mapped_column(sa.Text)
    provider: Mapped[str] = mapped_column(sa.String(50))
    status: Mapped[str] = mapped_column(sa.String(20), default="draft")
    structure: Mapped[dict[str, Any]] = mapped_column(JsonDoc, default=dict)
    default_variables: Mapped[dict[str, Any]] = mapped_column(JsonDoc, default=dict)
    created_at: Mapped[datetime] = created_at_column()
    updated_at: Mapped[datetime | None] = mapped_column(UtcDateTime())


class CampaignInstance(Base):
    """A running campaign. `provider_campaign_id` ties it to the provider's own campaign
    (a lemlist `cam_…`): one instance per provider campaign and workspace."""

    __tablename__ = "campaign_instances"
    __table_args__ = (
        sa.UniqueConstraint(
            "owner_id", "provider", "provider_campaign_id", name="uq_campaign_instances_provider"
        ),
        sa.Index("ix_campaign_instances_owner_created", "owner_id", "created_at"),
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
    # The template's step structure when the instance was spawned: its sequence lives at the
    # provider from then on, so editing the template (stop on reply, say) changes no running
    # instance.
    structure: Mapped[dict[str, Any] | None] = mapped_column(JsonDoc)
    total_enrolled: Mapped[int] = mapped_column(sa.Integer, default=0)
    total_sent: Mapped[int] = mapped_column(sa.Integer, default=0)
    total_delivered: Mapped[int] = mapped_column(sa.Integer, default=0)
    total_opened: Mapped[int] = mapped_column(sa.Integer, default=0)
    total_clicked: Mapped[int] = mapped_column(sa.Integer, default=0)
    total_replied: Mapped[int] = mapped_column(sa.Integer, default=0)
    total_bounced: Mapped[int] = mapped_column(sa.Integer, default=0, server_default="0")
    total_unsubscribed: Mapped[int] = mapped_column(sa.Integer, default=0, server_default="0")
    started_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    paused_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    stopped_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    updated_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    created_at: Mapped[datetime] = created_at_column()


class CampaignEnrollment(Base):
    """A contact in an instance. The `*_at` funnel marks hold the first time the lead reached
    each stage (`delivered_at` is cleared by a bounce): the instance counters count leads."""

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
    sent_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    delivered_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    opened_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    clicked_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    replied_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    bounced_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    unsubscribed_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    # Out of office: the provider is expected to resume contacting them after this moment.
    paused_until: Mapped[datetime | None] = mapped_column(UtcDateTime())
    last_event_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    last_reply_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    reply_text: Mapped[str | None] = mapped_column(sa.Text)
    reply_class: Mapped[str | None] = mapped_column(sa.String(50))
    stop_reason: Mapped[str | None] = mapped_column(sa.String(200))

    __table_args__ = (
        sa.UniqueConstraint("instance_id", "contact_email"),
        # The daily cap counts a campaign's enrollments since midnight.
        sa.Index("ix_campaign_enrollments_instance_enrolled", "instance_id", "enrolled_at"),
        # An unsubscribe or bounce stops every enrollment of the contact in the workspace.
        sa.Index("ix_campaign_enrollments_owner_email", "owner_id", "contact_email"),
        # A provider event finds its enrollment by lead id (or email) in its instance,
        # without reading every enrollment of the campaign.
        sa.Index("ix_campaign_enrollments_instance_lead", "instance_id", "provider_lead_id"),
    )


class CampaignEvent(Base):
    """What a provider reported about an enrollment, once per (provider, provider event id);
    `timestamp` is when it happened at the provider."""

    __tablename__ = "campaign_events"
    __table_args__ = (
        sa.UniqueConstraint("provider", "provider_event_id", name="uq_campaign_events_provider"),
        sa.Index("ix_campaign_events_instance_type", "instance_id", "event_type"),
        sa.Index("ix_campaign_events_instance_timestamp", "instance_id", "timestamp"),
    )

    id: Mapped[uuid.UUID] = mapped_column(sa.Uuid, primary_key=True, default=new_uuid)
    enrollment_id: Mapped[uuid.UUID] = mapped_column(
        sa.ForeignKey("campaign_enrollments.id", ondelete="CASCADE"), index=True
    )
    instance_id: Mapped[uuid.UUID] = mapped_column(
        sa.ForeignKey("campaign_instances.id", ondelete="CASCADE")
    )
    owner_id: Mapped[str] = mapped_column(sa.String(64), server_default="default")
    provider: Mapped[str | None] = mapped_column(sa.String(50))
    event_type: Mapped[str] = mapped_column(sa.String(50))
    provider_event_id: Mapped[str | None] = mapped_column(sa.String(200))
    event_data: Mapped[dict[str, Any]] = mapped_column(JsonDoc, default=dict)
    timestamp: Mapped[datetime] = created_at_column()


class DeadLetterEvent(Base):
    """A provider event that matched no enrollment after every retry (or kept failing); kept
    for replay, never dropped. `status`: pending → replayed | discarded."""

    __tablename__ = "dead_letter_events"
    __table_args__ = (
        sa.UniqueConstraint(
            "provider", "provider_event_id", name="uq_dead_letter_events_provider_event"
        ),
        sa.Index("ix_dead_letter_events_owner_status", "owner_id", "status", "created_at"),
    )

    id: Mapped[uuid.UUID] = mapped_column(sa.Uuid, primary_key=True, default=new_uuid)
    owner_id: Mapped[str] = mapped_column(sa.String(64), server_default="default")
    provider: Mapped[str | None] = mapped_column(sa.String(50))
    provider_event_id: Mapped[str | None] = mapped_column(sa.String(200))
    # The delivery it came from (its raw body is replayed); typed by the referenced column.
    receipt_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("webhook_receipts.id", ondelete="SET NULL")
    )
    last_error: Mapped[str | None] = mapped_column(sa.Text)
    discarded_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    email: Mapped[str | None] = mapped_column(sa.String(320), index=True)
    event_type: Mapped[str] = mapped_column(sa.String(50))
    enrollment_id: Mapped[uuid.UUID | None] = mapped_column(sa.Uuid)
    status: Mapped[str] = mapped_column(sa.String(20), default="pending", index=True)
    retry_count: Mapped[int] = mapped_column(sa.Integer, default=0)
    created_at: Mapped[datetime] = created_at_column()
    replayed_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    event_data: Mapped[dict[str, Any]] = mapped_column(JsonDoc, default=dict)
