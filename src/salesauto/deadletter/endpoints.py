"""`/api/dead-letter`: provider events that never found their enrollment (or kept failing),
kept for inspection, replay and discard."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Query, Request

from salesauto.deadletter.repository import DeadLetterFilter
from salesauto.deadletter.schemas import (
    DeadLetterDetail,
    DeadLetterPage,
    DeadLetterSelection,
    DeadLetterView,
    DiscardSummary,
    ReplayResult,
    ReplaySummary,
)
from salesauto.deadletter.service import DeadLetterService
from salesauto.jobs.endpoints import Owner
from salesauto.security.scopes import scoped

router = APIRouter(
    prefix="/api/dead-letter", tags=["dead letters"], dependencies=[scoped("webhooks")]
)


def _service(request: Request) -> DeadLetterService:
    platform = request.app.state.platform
    return DeadLetterService(platform.engine, platform.integrations)


Service = Annotated[DeadLetterService, Depends(_service)]


@router.get("", response_model=DeadLetterPage, response_model_by_alias=True)
async def list_dead_letters(
    service: Service,
    owner: Owner,
    status: Literal["pending", "replayed", "discarded"] | None = "pending",
    provider: Literal["lemlist", "hubspot"] | None = None,
    event_type: Annotated[str | None, Query(alias="eventType", max_length=50)] = None,
    email: Annotated[str | None, Query(max_length=320)] = None,
    cursor: str | None = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> DeadLetterPage:
    """Newest first; pending ones by default. Pass `nextCursor` back as `cursor` for more."""
    selection = DeadLetterFilter(
        status=status, provider=provider, event_type=event_type, email=email
    )
    items, next_cursor = await service.page(owner, selection, cursor=cursor, limit=limit)
    return DeadLetterPage(dead_letters=items, next_cursor=next_cursor)


@router.get("/{letter_id}", response_model=DeadLetterDetail, response_model_by_alias=True)
async def get_dead_letter(letter_id: str, service: Service, owner: Owner) -> DeadLetterDetail:
    """One dead letter with the provider's event as received."""
    return await service.get(owner, letter_id)


@router.post("/replay", response_model=ReplaySummary, response_model_by_alias=True)
async def replay_dead_letters(
    body: DeadLetterSelection, service: Service, owner: Owner
) -> ReplaySummary:
    """Replay the pending dead letters matching a filter, or `{"all": true}`, up to `limit`."""
    return await service.replay_many(owner, body.filter(), body.limit)


@router.post("/discard", response_model=DiscardSummary, response_model_by_alias=True)
async def discard_dead_letters(
    body: DeadLetterSelection, service: Service, owner: Owner
) -> DiscardSummary:
    """Discard the pending dead letters matching a filter, or `{"all": true}`, up to `limit`."""
    return DiscardSummary(discarded=await service.discard_many(owner, body.filter(), body.limit))


@router.post("/{letter_id}/replay", response_model=ReplayResult, response_model_by_alias=True)
async def replay_dead_letter(letter_id: str, service: Service, owner: Owner) -> ReplayResult:
    """Apply the event again: `replayed` when its enrollment exists now, else
    `still_orphaned` (it stays pending). 409 when it is not pending."""
    return await service.replay(owner, letter_id)


@router.post("/{letter_id}/discard", response_model=DeadLetterView, response_model_by_alias=True)
async def discard_dead_letter(letter_id: str, service: Service, owner: Owner) -> DeadLetterView:
    """Give up on one pending dead letter (kept, marked discarded)."""
    return await service.discard(owner, letter_id)
