"""`salesauto import csv FILE`: import in the foreground with a progress bar (no worker needed)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape
from rich.progress import BarColumn, DownloadColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Table

from salesauto.cli.common import console, fail, print_json, with_platform
from salesauto.imports.schemas import ImportSummary
from salesauto.imports.service import import_csv
from salesauto.platform import Platform

app = typer.Typer(help="Import contacts (CSV files).")


def _mapping(pairs: list[str]) -> dict[str, str | None] | None:
    if not pairs:
        return None
    mapping: dict[str, str | None] = {}
    for pair in pairs:
        column, sep, field = pair.partition("=")
        if not sep or not column:
            raise fail(
                f"--map {pair!r}: use COLUMN=FIELD, e.g. --map 'E-mail=email' (FIELD empty "
                "keeps the column as extra data)"
            )
        mapping[column] = field or None
    return mapping


@app.command("csv")
def import_csv_file(
    file: Annotated[Path, typer.Argument(exists=True, dir_okay=False, readable=True)],
    mapping: Annotated[
        list[str] | None,
        typer.Option("--map", help="Column override COLUMN=FIELD (repeatable)."),
    ] = None,
    source: Annotated[str, typer.Option(help="Source recorded on each field.")] = "csv",
    as_json: Annotated[bool, typer.Option("--json", help="Print the summary as JSON.")] = False,
) -> None:
    """Import FILE into contacts and companies and print the summary."""
    overrides = _mapping(mapping or [])
    total = file.stat().st_size

    async def run(platform: Platform) -> ImportSummary:
        with Progress(
            TextColumn("[bold]importing[/bold] {task.description}"),
            BarColumn(),
            DownloadColumn(),
            TimeRemainingColumn(),
            console=console,
            disable=as_json,
            transient=True,
        ) as bar:
            task = bar.add_task(file.name, total=total)

            async def report(rows: int, done: int, _total: int) -> None:
                bar.update(task, completed=done, description=f"{file.name} ({rows:,} rows)")

            return await import_csv(
                platform.engine,
                "default",
                file,
                source=source,
                mapping=overrides,
                batch_rows=platform.settings.import_batch_rows,
                progress=report,
            )

    summary = with_platform(run)
    if as_json:
        print_json(summary.model_dump(by_alias=True))
        return
    table = Table(
        "rows read",
        "created",
        "updated",
        "unchanged",
        "duplicates",
        "rejected",
        "blank",
        "suppressed",
    )
    table.add_row(
        *(
            f"{n:,}"
            for n in (
                summary.rows_read,
                summary.created,
                summary.updated,
                summary.unchanged,
                summary.duplicates,
                summary.rejected,
                summary.blank,
                summary.suppressed,
            )
        )
    )
    console.print(table)
    for rejected in summary.rejected_rows[:20]:
        console.print(
            f"  row {rejected.row}: {escape(rejected.reason)} "
            f"({escape(rejected.email or 'no email')})"
        )
    if summary.rejected > 20:
        console.print(f"  … {summary.rejected - 20:,} more rejected rows (use --json for all)")
    console.print(
        "[dim]next: `salesauto` API GET /api/contacts, or export with "
        "GET /api/contacts/export.csv[/dim]"
    )
