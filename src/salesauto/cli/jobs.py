"""`salesauto jobs …`: submit, list, show, cancel and watch jobs."""

from __future__ import annotations

import contextlib
import json
from typing import Annotated, Any

import typer
from pydantic import ValidationError
from rich.live import Live
from rich.table import Table

from salesauto.cli.common import console, fail, print_json, with_platform
from salesauto.jobs.schemas import JobSubmit, JobView
from salesauto.platform import Platform

app = typer.Typer(help="Submit, inspect, cancel and watch jobs.", no_args_is_help=True)

STATUS_STYLE = {
    "queued": "cyan",
    "processing": "yellow",
    "completed": "green",
    "failed": "red",
    "cancelled": "magenta",
}


def _job_table(items: list[JobView]) -> Table:
    table = Table("id", "type", "status", "progress", "attempts", "created", "error")
    for job in items:
        style = STATUS_STYLE.get(job.status, "")
        table.add_row(
            job.id,
            job.type,
            f"[{style}]{job.status}[/{style}]",
            f"{job.progress:.0%}",
            f"{job.attempts}/{job.max_attempts}",
            job.created_at.strftime("%Y-%m-%d %H:%M:%S"),
            (job.error or "")[:60],
        )
    return table


@app.command("submit")
def submit(
    job_type: Annotated[str, typer.Argument(metavar="TYPE", help="Job type, e.g. noop or sleep.")],
    params: Annotated[str, typer.Option("--params", help="Parameters as a JSON object.")] = "{}",
    count: Annotated[int, typer.Option("--count", min=1, help="Enqueue this many in bulk.")] = 1,
    priority: Annotated[
        str, typer.Option("--priority", help="-100…100 or low/normal/high/critical.")
    ] = "0",
    idempotency_key: Annotated[str | None, typer.Option("--idempotency-key")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON for scripts.")] = False,
) -> None:
    """Queue TYPE jobs; a running worker (`salesauto worker` or `serve`) will run them."""
    try:
        parameters = json.loads(params)
    except json.JSONDecodeError as error:
        raise fail(
            f"--params is not valid JSON: {error}", "example: --params '{\"seconds\": 2}'"
        ) from None
    if not isinstance(parameters, dict):
        raise fail("--params must be a JSON object, e.g. '{\"seconds\": 2}'")
    try:
        body = JobSubmit(
            type=job_type,
            parameters=parameters,
            priority=int(priority) if priority.lstrip("-").isdigit() else priority,
            idempotency_key=idempotency_key,
        )
    except ValidationError as error:
        raise fail(f"invalid job: {error.errors()[0]['msg']}") from None

    async def run(platform: Platform) -> list[int]:
        if count == 1:
            enqueued = await platform.jobs.submit(body, "default")
            return [enqueued.job_id]
        return await platform.jobs.submit_many(body, count, "default")

    ids = with_platform(run)
    if as_json:
        print_json({"success": True, "jobIds": [str(i) for i in ids]})
    elif len(ids) == 1:
        console.print(
            f"queued job [bold]{ids[0]}[/bold] — follow it with `salesauto jobs show {ids[0]}`"
        )
    else:
        console.print(f"queued [bold]{len(ids)}[/bold] {job_type} jobs ({ids[0]}…{ids[-1]})")


@app.command("list")
def list_jobs(
    status: Annotated[str | None, typer.Option("--status")] = None,
    job_type: Annotated[str | None, typer.Option("--type")] = None,
    limit: Annotated[int, typer.Option("--limit", min=1, max=200)] = 20,
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """The newest jobs, optionally filtered by status and type."""

    async def run(platform: Platform) -> tuple[list[JobView], str | None]:
        return await platform.jobs.list_jobs("default", status=status, type=job_type, limit=limit)

    items, _ = with_platform(run)
    if as_json:
        print_json([item.model_dump(by_alias=True, mode="json") for item in items])
    elif not items:
        console.print("no jobs yet — try `salesauto jobs submit noop`")
    else:
        console.print(_job_table(items))


@app.command("show")
def show(
    job_id: Annotated[str, typer.Argument(metavar="ID")],
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """One job: state, progress, result, error history."""
    job = with_platform(lambda platform: platform.jobs.get(job_id, "default"))
    if as_json:
        print_json(job.model_dump(by_alias=True, mode="json"))
        return
    console.print(_job_table([job]))
    if job.result is not None:
        console.print_json(data=job.result)
    for entry in job.errors:
        console.print(f"[red]attempt {entry.get('attempt')}:[/red] {entry.get('error')}")


@app.command("cancel")
def cancel(
    job_id: Annotated[str, typer.Argument(metavar="ID")],
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Cancel a queued job, or ask its worker to stop a running one."""
    job = with_platform(lambda platform: platform.jobs.cancel(job_id, "default"))
    if as_json:
        print_json(job.model_dump(by_alias=True, mode="json"))
    elif job.status == "cancelled":
        console.print(f"job {job.id} cancelled")
    else:
        console.print(f"job {job.id} is {job.status}; its worker will stop it within seconds")


@app.command("watch")
def watch(
    job_id: Annotated[str | None, typer.Argument(metavar="[ID]", help="Only this job.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="One JSON event per line.")] = False,
) -> None:
    """Follow job events live (Ctrl-C to stop); with ID, stop when that job finishes."""
    selected = int(job_id) if job_id and job_id.isdigit() else None
    if job_id and selected is None:
        raise fail(f"job id must be a number, got {job_id!r}")

    async def run(platform: Platform) -> None:
        after = None
        if selected is not None:
            await platform.jobs.get(selected, "default")
            after = 0
        states: dict[str, dict[str, Any]] = {}
        with Live(Table(), console=console, refresh_per_second=8, transient=as_json) as live:
            async for message in platform.tail.stream(after, "default", selected):
                wire = message.to_wire(platform.tail.resolved_upto)
                if as_json:
                    print_json(wire)
                else:
                    states[wire["jobId"]] = wire
                    live.update(_event_table(list(states.values())[-20:]))
                if selected is not None and wire["status"] in ("completed", "failed", "cancelled"):
                    return

    with contextlib.suppress(KeyboardInterrupt):
        with_platform(run, events=True)


def _event_table(rows: list[dict[str, Any]]) -> Table:
    table = Table("job", "type", "event", "progress", "message")
    for row in rows:
        style = STATUS_STYLE.get(row["status"], "")
        table.add_row(
            row["jobId"],
            row["jobType"],
            f"[{style}]{row['event']}[/{style}]",
            f"{row['progress']:.0%}",
            (row["progressMessage"] or row["error"] or "")[:60],
        )
    return table
