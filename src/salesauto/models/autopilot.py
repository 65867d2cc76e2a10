"""Autopilot ("YOLO mode") activity, one row per phase of a cycle (seed §4, §5)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from salesauto.kit.types import BigId, JsonDoc, UtcDateTime
from salesauto.models.base import Base, created_at_column


class YoloActivity(Base):
    __tablename__ = "yolo_activity"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    cycle_id: Mapped[str] = mapped_column(sa.String(64), index=True)
    phase: Mapped[str] = mapped_column(sa.String(30))
    status: Mapped[str] = mapped_column(sa.String(20))
    metrics: Mapped[dict[str, Any]] = mapped_column(JsonDoc, default=dict)
    started_at: Mapped[datetime] = created_at_column()
    completed_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
