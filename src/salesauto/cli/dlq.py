"""`salesauto dlq list|show|replay|discard`: the dead-letter store."""

from __future__ import annotations

from typing import Annotated

import typer
from pydantic import ValidationError
from rich.table import Table

from salesauto.cli.common import console, fail, print_json, with_platform
from salesauto.deadletter.repository import DeadLetterFilter
from salesauto.deadletter.schemas import DeadLetterSelection, DeadLetterView, ReplaySummary
from salesauto.deadletter.service import DeadLetterService
from salesauto.platform import Platform

app = typer.Typer(
    help="Dead letters: events that never found their enrollment.", no_args_is_help=True
)
OWNER = "default"

Provider = Annotated[str | None, typer.Option("--provider", help="lemlist or hubspot.")]
EventType = Annotated[str | None, typer.Option("--event-type", help="e.g. opened, replied.")]
Email = Annotated[str | None, typer.Option("--email", help="The lead's email.")]
AsJson = Annotated[bool, typer.Option("--json", help="Print JSON for scripts.")]


def _service(platform: Platform) -> DeadLetterService:
    return DeadLetterService(platform.engine, platform.integrations)


def _table(items: list[DeadLetterView]) -> Table:
    table = Table("id", "provider", "event", "email", "status", "tries", "created", "last error")
    for item in items:
        table.add_row(
            item.id,
            item.provider or "",
            item.event_type,
            item.email or "",
            item.status,
            str(item.retry_count),
            item.created_at.strftime("%Y-%m-%d %H:%M:%S"),
            (item.last_error or "")[:60],
        )
    return table


def _selection(
    letter_id: str | None,
    all_: bool,
    provider: str | None,
    event_type: str | None,
    email: str | None,
) -> DeadLetterSelection | None:
    if letter_id is not None:
        if all_ or provider or event_type or email:
            raise fail("give either an ID or a filter (--all, --provider, --event-type, --email)")
        return None
    try:
        return DeadLetterSelection.model_validate(
            {"all": all_, "provider": provider, "eventType": event_type, "email": email}
        )
    except ValidationError as error:
        raise fail(
            "give an ID, a filter (--provider, --event-type, --email) or --all",
            str(error.errors()[0]["msg"]),
        ) from None


@app.command("list")
def list_dead_letters(
    status: Annotated[
        str, typer.Option("--status", help="pending, replayed or discarded.")
    ] = "pending",
    provider: Provider = None,
    event_type: EventType = None,
    email: Email = None,
    limit: Annotated[int, typer.Option("--limit", min=1, max=500)] = 50,
    as_json: AsJson = False,
) -> None:
    """Dead letters, newest first (pending ones by default)."""
    selection = DeadLetterFilter(status, provider, event_type, email)

    async def run(platform: Platform) -> list[DeadLetterView]:
        items, _ = await _service(platform).page(OWNER, selection, cursor=None, limit=limit)
        return items

    items = with_platform(run)
    if as_json:
        print_json([item.model_dump(by_alias=True, mode="json") for item in items])
    elif not items:
        console.print(f"no {status} dead letters")
    else:
        console.print(_table(items))


@app.command("show")
def show(letter_id: Annotated[str, typer.Argument(metavar="ID")], as_json: AsJson = False) -> None:
    """One dead letter with the event as the provider sent it."""
    detail = with_platform(lambda platform: _service(platform).get(OWNER, letter_id))
    if as_json:
        print_json(detail.model_dump(by_alias=True, mode="json"))
        return
    console.print(_table([detail]))
    if detail.last_error:
        console.print(f"[red]last error:[/red] {detail.last_error}", highlight=False)
    console.print_json(data=detail.payload)


@app.command("replay")
def replay(
    letter_id: Annotated[str | None, typer.Argument(metavar="[ID]")] = None,
    all_: Annotated[bool, typer.Option("--all", help="Every pending dead letter.")] = False,
    provider: Provider = None,
    event_type: EventType = None,
    email: Email = None,
    as_json: AsJson = False,
) -> None:
    """Apply dead letters again (one ID, a filter, or --all); those whose enrollment exists
    now are marked replayed."""
    selection = _selection(letter_id, all_, provider, event_type, email)

    async def run(platform: Platform) -> ReplaySummary:
        service = _service(platform)
        if selection is None:
            assert letter_id is not None
            result = await service.replay(OWNER, letter_id)
            done = int(result.outcome == "replayed")
            return ReplaySummary(
                replayed=done,
                still_orphaned=int(result.outcome == "still_orphaned"),
                failed=int(result.outcome == "failed"),
                remaining=1 - done,
                results=[result],
            )
        return await service.replay_many(OWNER, selection.filter(), selection.limit)

    summary = with_platform(run)
    if as_json:
        print_json(summary.model_dump(by_alias=True, mode="json"))
        return
    console.print(
        f"replayed {summary.replayed}, still without enrollment {summary.still_orphaned}, "
        f"failed {summary.failed}; {summary.remaining} pending match"
    )
    for result in summary.results:
        if result.error:
            console.print(f"  {result.id}: {result.error}", highlight=False)


@app.command("discard")
def discard(
    letter_id: Annotated[str | None, typer.Argument(metavar="[ID]")] = None,
    all_: Annotated[bool, typer.Option("--all", help="Every pending dead letter.")] = False,
    provider: Provider = None,
    event_type: EventType = None,
    email: Email = None,
    as_json: AsJson = False,
) -> None:
    """Give up on dead letters (one ID, a filter, or --all): kept, marked discarded."""
    selection = _selection(letter_id, all_, provider, event_type, email)

    async def run(platform: Platform) -> int:
        service = _service(platform)
        if selection is None:
            assert letter_id is not None
            await service.discard(OWNER, letter_id)
            return 1
        return await service.discard_many(OWNER, selection.filter(), selection.limit)

    count = with_platform(run)
    if as_json:
        print_json({"success": True, "discarded": count})
    else:
        console.print(f"discarded {count} dead letter(s)")
