"""`salesauto demo`: the whole pipeline on the embedded database against the sandbox.

Discovers leads for a sample ideal customer profile, enriches them, writes them to the
HubSpot emulator and enrolls them in a lemlist emulator campaign, with a progress bar per
step, then prints the funnel. The first thing a new user runs: no key, no server needed.
"""

from __future__ import annotations

import asyncio
import time
from typing import Annotated, Any

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn
from rich.table import Table

from salesauto.cli.common import console, fail, load_settings, migrate_embedded, print_json
from salesauto.config import Settings
from salesauto.integrations.providers import PROVIDERS
from salesauto.integrations.sandbox.server import build_sandbox_app, sandbox_config
from salesauto.kit.errors import SalesautoError
from salesauto.kit.serving import serve_in_background
from salesauto.observability.logging import configure_logging
from salesauto.pipeline.schemas import PipelineRequest
from salesauto.pipeline.service import run_report, start_run
from salesauto.platform import Platform

# Mid-sized software companies in the US and UK, and the people who buy sales tools there.
SAMPLE_PROFILE: dict[str, Any] = {
    "industries": ["software development", "it services and it consulting"],
    "employeeRanges": ["51-200", "201-500", "501-1000"],
    "countries": ["us", "gb"],
    "seniorities": ["vp", "director", "head"],
    "departments": ["sales"],
}
FUNNEL = (
    ("discovered", "discover"),
    ("enriched", "enrich"),
    ("synced", "sync"),
    ("enrolled", "outreach"),
)


def demo(
    count: Annotated[int, typer.Option(min=1, max=500, help="Leads to discover.")] = 25,
    timeout: Annotated[float, typer.Option(help="Give up after this many seconds.")] = 600.0,
    as_json: Annotated[bool, typer.Option("--json", help="Print the run report as JSON.")] = False,
) -> None:
    """Discover, enrich, sync and enroll sample leads against the sandbox; print the funnel."""
    settings = load_settings()
    if "log_level" not in settings.model_fields_set:
        # The worker's info lines would tear through the progress bars.
        configure_logging("WARNING", json=settings.log_json)
    live = [name for name in PROVIDERS if _has_key(settings, name)]
    if live:
        raise fail(
            f"the demo runs only against the sandbox, but keys are set for {', '.join(live)}",
            "unset them for the demo (it must not spend real credits or send real email)",
        )
    migrate_embedded(settings)
    try:
        report = asyncio.run(_run_demo(settings, count, timeout, quiet=as_json))
    except SalesautoError as error:
        raise fail(error.message) from None
    if as_json:
        print_json(report)
        return
    _print_funnel(report)


def _has_key(settings: Settings, name: str) -> bool:
    key = getattr(settings, f"{name}_access_token" if name == "hubspot" else f"{name}_api_key")
    return key is not None and bool(key.get_secret_value())


async def _run_demo(
    settings: Settings, count: int, timeout: float, *, quiet: bool
) -> dict[str, Any]:
    vendors = list(PROVIDERS)
    async with serve_in_background(build_sandbox_app(sandbox_config(settings), vendors)) as url:
        # The sample leads all go out today: a daily cap under --count would leave the
        # rest queued for tomorrow.
        daily_cap = max(settings.outreach_daily_cap, count)
        demo_settings = settings.model_copy(
            update={"sandbox_url": url, "outreach_daily_cap": daily_cap}
        )
        platform = Platform.build(demo_settings)
        await platform.start(events=False)
        platform.start_worker()
        try:
            campaigns = await platform.integrations.lemlist.list_campaigns(status="running")
            if not campaigns:
                raise SalesautoError("the lemlist sandbox has no running campaign to enroll in")
            request = PipelineRequest.model_validate(
                {
                    "discover": {
                        "query": "sales tooling buyers",
                        "icpProfile": SAMPLE_PROFILE,
                        "count": count,
                    },
                    "campaignId": campaigns[0].id,
                }
            )
            started = await start_run(platform.queue, "default", request)
            report = await _follow(platform, started["runId"], count, timeout, quiet=quiet)
            report["campaign"] = {"id": campaigns[0].id, "name": campaigns[0].name}
            return report
        finally:
            await platform.stop()


async def _follow(
    platform: Platform, run_id: str, count: int, timeout: float, *, quiet: bool
) -> dict[str, Any]:
    """Poll the run's report, drawing one bar per step, until no job of it is unfinished."""
    deadline = time.monotonic() + timeout
    with Progress(
        TextColumn("{task.description:>11}"),
        BarColumn(),
        MofNCompleteColumn(),
        console=console,
        disable=quiet,
    ) as bars:
        tasks = {name: bars.add_task(name, total=count) for name, _ in FUNNEL}
        while True:
            report = await run_report(platform.queue, "default", run_id)
            found = report["funnel"]["discovered"] or count
            for name, _step in FUNNEL:
                bars.update(tasks[name], completed=report["funnel"][name], total=found)
            if report["status"] != "running":
                return report
            if time.monotonic() > deadline:
                report["status"] = "timed_out"
                return report
            await asyncio.sleep(0.5)


def _print_funnel(report: dict[str, Any]) -> None:
    table = Table("step", "contacts", "skipped", "failed", title="pipeline funnel")
    steps = {entry["step"]: entry for entry in report["steps"]}
    for name, step in FUNNEL:
        entry = steps.get(step, {})
        table.add_row(
            name,
            f"{report['funnel'][name]:,}",
            f"{entry.get('skipped', 0):,}",
            f"{entry.get('failed', 0) + entry.get('retrying', 0):,}",
        )
    console.print(table)
    console.print(
        f"run {report['runId']} {report['status']}; enrolled in lemlist campaign "
        f"{report['campaign']['name']!r}."
    )
    existing = steps.get("discover", {}).get("skipped", 0)
    if existing:
        console.print(
            f"{existing:,} of the best leads were found by an earlier demo and are stored "
            "already, so they were not processed again; run `salesauto demo --count "
            f"{existing + 25}` to discover new ones."
        )
    console.print(
        "[dim]next: `make run`, then open http://127.0.0.1:3000/docs — "
        "GET /api/contacts?source=discovery lists the leads with their scores and reasons, "
        "GET /api/companies their companies. The demo's sandbox (HubSpot and lemlist "
        "records) lived in this process; the API mounts its own at /sandbox.[/dim]"
    )
