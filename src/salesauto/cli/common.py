"""Helpers shared by CLI commands: settings, migrations, the platform, error output."""

from __future__ import annotations

import asyncio
import json
import sys
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import typer
from rich.console import Console

from salesauto.config import Settings, get_settings
from salesauto.kit.errors import SalesautoError
from salesauto.kit.migrate import upgrade_to_head
from salesauto.observability.logging import configure_logging, redact_text
from salesauto.platform import Platform

T = TypeVar("T")
console = Console()
errors = Console(stderr=True)


def load_settings() -> Settings:
    settings = get_settings()
    configure_logging(settings.log_level, json=settings.log_json)
    return settings


def migrate_embedded(settings: Settings) -> None:
    """The embedded SQLite database is migrated on start; PostgreSQL with `salesauto migrate`."""
    if settings.is_sqlite:
        upgrade_to_head(settings.resolved_database_url)


def fail(message: str, hint: str | None = None) -> typer.Exit:
    errors.print(f"[red]error:[/red] {message}")
    if hint:
        errors.print(f"[dim]{hint}[/dim]")
    return typer.Exit(code=1)


def with_platform(operation: Callable[[Platform], Awaitable[T]], *, events: bool = False) -> T:
    """Run `operation` against a started platform and close it; domain errors exit 1."""
    settings = load_settings()
    migrate_embedded(settings)

    async def run() -> T:
        platform = Platform.build(settings)
        await platform.start(events=events)
        try:
            return await operation(platform)
        finally:
            await platform.stop()

    try:
        return asyncio.run(run())
    except SalesautoError as error:
        raise fail(error.message) from None
    except OSError as error:
        raise fail(
            f"cannot reach the database: {redact_text(str(error))}",
            "check SALESAUTO_DATABASE_URL, or unset it to use the embedded SQLite database",
        ) from None


def print_json(data: Any) -> None:
    sys.stdout.write(json.dumps(data, default=str, indent=2) + "\n")
