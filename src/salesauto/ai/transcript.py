"""Where the loop records what happened: every model turn and tool call of an agent job,
in `agent_turns`, readable at `GET /api/jobs/{id}/transcript`."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, Protocol, TypeVar

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from salesauto.ai.messages import ModelTurn, ToolCall, ToolResult
from salesauto.kit.time import utcnow
from salesauto.models.agent import AgentTurn
from salesauto.models.base import table_of

TURNS = table_of(AgentTurn)
# A tool's answer is kept whole for the model but trimmed in the transcript.
MAX_STORED_RESULT = 20_000
T = TypeVar("T")
Writer = Callable[[Callable[[], Awaitable[Any]]], Awaitable[Any]]


class Transcript(Protocol):
    async def model_turn(self, turn: ModelTurn, cost_usd: float) -> None: ...

    async def tool_call(
        self, turn: ModelTurn, call: ToolCall, result: ToolResult, duration_ms: int
    ) -> None: ...


def model_row(turn: ModelTurn, cost_usd: float) -> dict[str, Any]:
    return {
        "role": "assistant",
        "provider": turn.provider,
        "model": turn.model,
        "content": {
            "text": turn.text,
            "tool_calls": [c.model_dump() for c in turn.tool_calls],
            "stop_reason": turn.stop_reason,
            "raw_stop_reason": turn.raw_stop_reason,
        },
        "input_tokens": turn.usage.input_tokens,
        "output_tokens": turn.usage.output_tokens,
        "cache_creation_tokens": turn.usage.cache_creation_tokens,
        "cache_read_tokens": turn.usage.cache_read_tokens,
        "cost_usd": cost_usd,
    }


def tool_row(
    turn: ModelTurn, call: ToolCall, result: ToolResult, duration_ms: int
) -> dict[str, Any]:
    return {
        "role": "tool",
        "provider": turn.provider,
        "model": turn.model,
        "content": {"arguments": call.arguments, "result": result.content[:MAX_STORED_RESULT]},
        "tool_name": call.name,
        "tool_call_id": call.id,
        "is_error": result.is_error,
        "duration_ms": duration_ms,
        "input_tokens": 0,
        "output_tokens": 0,
        "cache_creation_tokens": 0,
        "cache_read_tokens": 0,
        "cost_usd": 0.0,
    }


@dataclass
class MemoryTranscript:
    """Keeps the rows in a list (runs outside a job, tests)."""

    rows: list[dict[str, Any]] = field(default_factory=list)

    async def model_turn(self, turn: ModelTurn, cost_usd: float) -> None:
        self.rows.append(model_row(turn, cost_usd))

    async def tool_call(
        self, turn: ModelTurn, call: ToolCall, result: ToolResult, duration_ms: int
    ) -> None:
        self.rows.append(tool_row(turn, call, result, duration_ms))


class JobTranscript:
    """Writes the rows of one job, numbering them after any an earlier attempt wrote."""

    def __init__(self, engine: AsyncEngine, write: Writer, owner_id: str, job_id: int) -> None:
        self.engine = engine
        self.write = write
        self.owner_id = owner_id
        self.job_id = job_id
        self._seq: int | None = None

    async def model_turn(self, turn: ModelTurn, cost_usd: float) -> None:
        await self._insert(model_row(turn, cost_usd))

    async def tool_call(
        self, turn: ModelTurn, call: ToolCall, result: ToolResult, duration_ms: int
    ) -> None:
        await self._insert(tool_row(turn, call, result, duration_ms))

    async def _insert(self, row: dict[str, Any]) -> None:
        if self._seq is None:
            async with self.engine.connect() as conn:
                self._seq = await last_seq(conn, self.job_id)
        # Concurrent tool calls each take the next number before awaiting the write.
        self._seq += 1
        values = {
            **row,
            "owner_id": self.owner_id,
            "job_id": self.job_id,
            "seq": self._seq,
            "created_at": utcnow(),
        }

        async def insert() -> None:
            async with self.engine.begin() as conn:
                await conn.execute(sa.insert(TURNS).values(values))

        await self.write(insert)


async def last_seq(conn: AsyncConnection, job_id: int) -> int:
    found = await conn.scalar(sa.select(sa.func.max(TURNS.c.seq)).where(TURNS.c.job_id == job_id))
    return int(found or 0)


async def turns_of(conn: AsyncConnection, owner_id: str, job_id: int) -> list[sa.Row[Any]]:
    rows = await conn.execute(
        sa.select(TURNS)
        .where(TURNS.c.job_id == job_id, TURNS.c.owner_id == owner_id)
        .order_by(TURNS.c.seq)
    )
    return list(rows)
