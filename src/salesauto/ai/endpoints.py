"""`GET /api/jobs/{id}/transcript`: what an agent job's model said and which tools it ran."""

from __future__ import annotations

from fastapi import APIRouter, Request

from salesauto.ai.schemas import Transcript, TranscriptEntry, TranscriptTotals
from salesauto.ai.transcript import turns_of
from salesauto.jobs.service import JobService, parse_job_id
from salesauto.security.principal import current_principal
from salesauto.security.scopes import scoped

router = APIRouter(prefix="/api/jobs", tags=["agent"], dependencies=[scoped("jobs")])


@router.get("/{job_id}/transcript", response_model=Transcript, response_model_by_alias=True)
async def get_transcript(job_id: str, request: Request) -> Transcript:
    """Every model turn (text, tool calls, stop reason, tokens, cost) and tool call
    (arguments, result, error, duration) of an agent job, in order, with totals. A job
    that ran no agent has an empty transcript; another workspace's job is a 404."""
    owner = current_principal(request).workspace
    service: JobService = request.app.state.platform.jobs
    await service.get(job_id, owner)  # 404 unless the job is the caller's
    async with service.queue.engine.connect() as conn:
        rows = await turns_of(conn, owner, parse_job_id(job_id))
    fields = TranscriptEntry.model_fields
    entries = [
        TranscriptEntry.model_validate({k: v for k, v in row._mapping.items() if k in fields})
        for row in rows
    ]
    models = [e for e in entries if e.role == "assistant"]
    tools = [e for e in entries if e.role == "tool"]
    totals = TranscriptTotals(
        model_turns=len(models),
        tool_calls=len(tools),
        tool_errors=sum(1 for e in tools if e.is_error),
        input_tokens=sum(e.input_tokens for e in models),
        output_tokens=sum(e.output_tokens for e in models),
        cache_creation_tokens=sum(e.cache_creation_tokens for e in models),
        cache_read_tokens=sum(e.cache_read_tokens for e in models),
        cost_usd=round(sum(e.cost_usd for e in models), 8),
    )
    return Transcript(job_id=str(parse_job_id(job_id)), entries=entries, totals=totals)
