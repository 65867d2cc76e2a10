"""deadletter: provider events that never found their enrollment or kept failing."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, ValidationError, model_validator

from salesauto.deadletter.repository import DeadLetterFilter
from salesauto.deadletter.schemas import (
    DeadLetterDetail,
    DeadLetterSelection,
    DeadLetterView,
    ReplayResult,
)
from salesauto.deadletter.service import DeadLetterService
from salesauto.kit.errors import InvalidInput
from salesauto.tools.policies import validation_message
from salesauto.tools.registry import tool
from salesauto.tools.spec import (
    DELETE,
    READ,
    WRITE,
    PageInput,
    Preview,
    ToolContext,
    ToolInput,
    ToolOutput,
)


def _service(ctx: ToolContext) -> DeadLetterService:
    return DeadLetterService(ctx.platform.engine, ctx.platform.integrations)


class DeadLetterFilterInput(PageInput):
    status: Literal["pending", "replayed", "discarded"] | None = "pending"
    provider: Literal["lemlist", "hubspot"] | None = None
    event_type: str | None = Field(None, max_length=50, description="e.g. emailsReplied")
    email: str | None = Field(None, max_length=320)


class DeadLetterPage(ToolOutput):
    dead_letters: list[DeadLetterView]
    next_cursor: str | None = None


@tool(toolset="deadletter", scope="webhooks:read", flags=READ)
async def deadletter_list(ctx: ToolContext, args: DeadLetterFilterInput) -> DeadLetterPage:
    """Provider events we could not apply (no matching enrollment, or failing), newest
    first; pending ones by default. Each has its error; deadletter_get shows the payload.
    Free."""
    selection = DeadLetterFilter(
        status=args.status, provider=args.provider, event_type=args.event_type, email=args.email
    )
    items, next_cursor = await _service(ctx).page(
        ctx.workspace, selection, cursor=args.cursor, limit=args.limit
    )
    return DeadLetterPage(dead_letters=items, next_cursor=next_cursor)


class LetterRef(ToolInput):
    letter_id: str = Field(..., min_length=1, max_length=64)


class DeadLetterRecord(ToolOutput):
    dead_letter: DeadLetterDetail


@tool(toolset="deadletter", scope="webhooks:read", flags=READ)
async def deadletter_get(ctx: ToolContext, args: LetterRef) -> DeadLetterRecord:
    """One dead letter with the provider's event as received, its error and attempts. Free."""
    return DeadLetterRecord(dead_letter=await _service(ctx).get(ctx.workspace, args.letter_id))


class LetterTarget(ToolInput):
    """One dead letter by id, or the pending ones matching a filter (or `all`)."""

    letter_id: str | None = Field(None, min_length=1, max_length=64)
    all: bool = Field(False, description="Every pending dead letter of the workspace.")
    provider: Literal["lemlist", "hubspot"] | None = None
    event_type: str | None = Field(None, max_length=50)
    email: str | None = Field(None, max_length=320)
    limit: int = Field(500, ge=1, le=5000, description="At most this many per call.")

    @model_validator(mode="after")
    def _one_target(self) -> LetterTarget:
        if self.letter_id is not None and (
            self.all or self.provider or self.event_type or self.email
        ):
            raise ValueError("give either letter_id or a filter, not both")
        return self

    def selection(self, tool: str) -> DeadLetterSelection:
        try:
            return DeadLetterSelection(
                all=self.all,
                provider=self.provider,
                event_type=self.event_type,
                email=self.email,
                limit=self.limit,
            )
        except ValidationError as error:
            raise InvalidInput(validation_message(tool, error)) from None


class RetryOutcome(ToolOutput):
    replayed: int
    still_orphaned: int
    failed: int
    results: list[ReplayResult]


@tool(toolset="deadletter", scope="webhooks:write", flags=WRITE)
async def deadletter_retry(ctx: ToolContext, args: LetterTarget) -> RetryOutcome:
    """Apply pending dead letters again — one by letter_id, or those matching a filter.
    `replayed` when their enrollment exists now; `still_orphaned` ones stay pending. Free."""
    service = _service(ctx)
    if args.letter_id is not None:
        results = [await service.replay(ctx.workspace, args.letter_id)]
    else:
        selection = args.selection("deadletter_retry")
        results = (
            await service.replay_many(ctx.workspace, selection.filter(), selection.limit)
        ).results
    counts = {
        outcome: sum(r.outcome == outcome for r in results)
        for outcome in ("replayed", "still_orphaned", "failed")
    }
    return RetryOutcome(**counts, results=results)


class DiscardOutcome(ToolOutput):
    discarded: int


async def _discard_preview(ctx: ToolContext, args: LetterTarget) -> Preview:
    service = _service(ctx)
    if args.letter_id is not None:
        letter = await service.get(ctx.workspace, args.letter_id)
        return Preview(
            summary=f"discard dead letter {letter.id} ({letter.provider} {letter.event_type} "
            f"for {letter.email or 'no email'}, {letter.status})",
            details={"dead_letter": letter.model_dump(mode="json", by_alias=False)},
        )
    selection = args.selection("deadletter_discard")
    count = await service.count(ctx.workspace, selection.filter())
    return Preview(
        summary=f"discard {min(count, selection.limit)} of the {count} pending dead letter(s) "
        "matching the filter (kept, marked discarded, never applied)",
        details={"matching": count},
    )


@tool(toolset="deadletter", scope="webhooks:write", flags=DELETE, preview=_discard_preview)
async def deadletter_discard(ctx: ToolContext, args: LetterTarget) -> DiscardOutcome:
    """Give up on pending dead letters — one by letter_id, or those matching a filter: kept
    for the record, marked discarded, never applied. The first call is a dry run returning
    a confirm_token."""
    service = _service(ctx)
    if args.letter_id is not None:
        await service.discard(ctx.workspace, args.letter_id)
        return DiscardOutcome(discarded=1)
    selection = args.selection("deadletter_discard")
    return DiscardOutcome(
        discarded=await service.discard_many(ctx.workspace, selection.filter(), selection.limit)
    )
