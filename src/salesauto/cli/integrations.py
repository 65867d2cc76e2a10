"""`salesauto integrations check` and `salesauto sandbox`."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from typing import Annotated

import typer
from rich.table import Table

from salesauto.cli.common import console, load_settings, print_json
from salesauto.config import Settings
from salesauto.integrations.checks import ProviderCheck, check_providers
from salesauto.integrations.registry import Integrations
from salesauto.integrations.sandbox.server import (
    build_sandbox_app,
    sandbox_config,
    vendors_needing_sandbox,
)
from salesauto.kit.serving import serve_in_background

app = typer.Typer(help="Provider integrations: HubSpot, lemlist, Explorium, Apollo.")


@contextlib.asynccontextmanager
async def _local_sandbox(settings: Settings) -> AsyncIterator[str | None]:
    """Start the emulators on a free port when a provider needs them and none is configured."""
    needs = vendors_needing_sandbox(settings)
    if not needs:
        yield None
        return
    async with serve_in_background(build_sandbox_app(sandbox_config(settings), needs)) as url:
        yield url


async def _run_checks(settings: Settings) -> list[ProviderCheck]:
    async with _local_sandbox(settings) as sandbox_base:
        integrations = Integrations.build(settings, sandbox_base=sandbox_base)
        try:
            return await check_providers(integrations)
        finally:
            await integrations.aclose()


@app.command()
def check(
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON for scripts.")] = False,
) -> None:
    """Call every provider once and print whether it is live or sandbox and what it answered."""
    settings = load_settings()
    with (
        console.status("calling providers…", spinner="dots")
        if not as_json
        else (contextlib.nullcontext())
    ):
        results = asyncio.run(_run_checks(settings))
    if as_json:
        print_json([result.model_dump(by_alias=True) for result in results])
    else:
        table = Table("provider", "mode", "result", "ms", "base URL")
        for result in results:
            outcome = (
                f"[green]ok[/green] {result.detail}"
                if result.ok
                else (f"[red]failed[/red] {result.detail}")
            )
            latency = f"{result.latency_ms:.0f}" if result.latency_ms is not None else "-"
            table.add_row(result.provider, result.mode, outcome, latency, result.base_url)
        console.print(table)
        if any(r.mode == "sandbox" for r in results):
            console.print(
                "[dim]sandbox providers answer from the built-in emulators; set their keys "
                "(e.g. HUBSPOT_ACCESS_TOKEN) to go live[/dim]"
            )
    if not all(result.ok for result in results):
        raise typer.Exit(code=1)


def sandbox(
    host: Annotated[str, typer.Option(help="Listen address.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port.")] = 3100,
) -> None:
    """Run the provider emulators on their own port (point *_BASE_URL or SALESAUTO_SANDBOX_URL
    at them)."""
    import uvicorn

    settings = load_settings()
    console.print(
        f"sandbox on http://{host}:{port}: /hubspot /lemlist /explorium /apollo "
        f"(seed {settings.sandbox_seed}); use SALESAUTO_SANDBOX_URL=http://{host}:{port}"
    )
    uvicorn.run(
        build_sandbox_app(sandbox_config(settings)),
        host=host,
        port=port,
        log_level=settings.log_level.lower(),
        access_log=False,
    )
