"""`salesauto integrations check` and `salesauto sandbox`."""

from __future__ import annotations

import asyncio
import contextlib
import socket
from collections.abc import AsyncIterator
from typing import Annotated

import typer
from rich.table import Table

from salesauto.cli.common import console, load_settings, print_json
from salesauto.config import Settings
from salesauto.integrations.checks import ProviderCheck, check_providers
from salesauto.integrations.providers import PROVIDERS, resolve_target
from salesauto.integrations.registry import Integrations

app = typer.Typer(help="Provider integrations: HubSpot, lemlist, Explorium, Apollo.")


@contextlib.asynccontextmanager
async def _local_sandbox(settings: Settings) -> AsyncIterator[str | None]:
    """Start the emulators on a free port when a provider needs them and none is configured."""
    needs = [
        name
        for name in PROVIDERS
        if resolve_target(settings, name, sandbox_base="http://sandbox").mode == "sandbox"
        and not settings.sandbox_url
        and getattr(settings, f"{name}_base_url") is None
    ]
    if not needs:
        yield None
        return
    import uvicorn

    from salesauto.integrations.sandbox.server import build_sandbox_app, sandbox_config

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    server = uvicorn.Server(
        uvicorn.Config(
            build_sandbox_app(sandbox_config(settings), needs),
            host="127.0.0.1",
            port=port,
            log_level="warning",
        )
    )
    task = asyncio.create_task(server.serve())
    while not server.started:
        if task.done():
            task.result()
        await asyncio.sleep(0.01)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        await task


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

    from salesauto.integrations.sandbox.server import build_sandbox_app, sandbox_config

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
