"""The agent's transcript: one row per model turn and per tool call of an agent job."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from salesauto.kit.types import BigId, JsonDoc
from salesauto.models.base import Base, created_at_column


class AgentTurn(Base):
    __tablename__ = "agent_turns"
    __table_args__ = (sa.UniqueConstraint("job_id", "seq", name="uq_agent_turns_job_id_seq"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    owner_id: Mapped[str] = mapped_column(sa.String(64))
    job_id: Mapped[int] = mapped_column(sa.BigInteger)
    # Order within the job; a retried attempt continues the numbering.
    seq: Mapped[int] = mapped_column(sa.Integer)
    role: Mapped[str] = mapped_column(sa.String(20))  # assistant | tool
    provider: Mapped[str] = mapped_column(sa.String(30))
    model: Mapped[str] = mapped_column(sa.String(100))
    content: Mapped[dict[str, Any]] = mapped_column(JsonDoc, default=dict)
    tool_name: Mapped[str | None] = mapped_column(sa.String(100))
    tool_call_id: Mapped[str | None] = mapped_column(sa.String(100))
    is_error: Mapped[bool | None] = mapped_column(sa.Boolean)
    duration_ms: Mapped[int | None] = mapped_column(sa.Integer)
    input_tokens: Mapped[int] = mapped_column(sa.Integer, default=0)
    output_tokens: Mapped[int] = mapped_column(sa.Integer, default=0)
    cache_creation_tokens: Mapped[int] = mapped_column(sa.Integer, default=0)
    cache_read_tokens: Mapped[int] = mapped_column(sa.Integer, default=0)
    cost_usd: Mapped[float] = mapped_column(sa.Float, default=0.0)
    created_at: Mapped[datetime] = created_at_column()
