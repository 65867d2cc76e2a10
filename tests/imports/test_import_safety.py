"""What must hold however imports are run: concurrent overlapping files, erased contacts,
NUL bytes, guessed domains, unclosed quotes, and the API's guard rails."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

from salesauto.contacts.repository import COMPANIES, CONTACTS
from salesauto.contacts.service import ContactService
from salesauto.imports.service import import_csv
from salesauto.kit.db import create_engine
from salesauto.platform import Platform
from tests.api.conftest import client_for
from tests.conftest import make_settings

OWNER = "default"


@pytest.fixture
async def engine(database_url: str) -> AsyncIterator[AsyncEngine]:
    built = create_engine(database_url)
    yield built
    await built.dispose()


async def stored(engine: AsyncEngine) -> dict[str, sa.Row]:  # type: ignore[type-arg]
    async with engine.connect() as conn:
        rows = await conn.execute(sa.select(CONTACTS).where(CONTACTS.c.owner_id == OWNER))
    return {row.email: row for row in rows}


async def test_overlapping_imports_at_once_keep_both_files_data(
    engine: AsyncEngine, tmp_path: Path
) -> None:
    emails = [f"lead{i}@acme.com" for i in range(1500)]
    first = tmp_path / "first.csv"
    second = tmp_path / "second.csv"
    first.write_text("Email,Team\n" + "".join(f"{e},red\n" for e in emails))
    # The same people in reverse order, with another column: both files' values must survive.
    second.write_text("Email,Region\n" + "".join(f"{e},emea\n" for e in reversed(emails)))

    summaries = await asyncio.gather(
        import_csv(engine, OWNER, first, batch_rows=200),
        import_csv(engine, OWNER, second, batch_rows=200),
    )

    rows = await stored(engine)
    assert len(rows) == 1500
    assert all(row.data == {"Team": "red", "Region": "emea"} for row in rows.values())
    assert sum(s.created for s in summaries) == 1500
    assert sum(s.created + s.updated for s in summaries) == 3000


async def test_an_erased_contact_is_never_imported_again(
    database_url: str, engine: AsyncEngine, tmp_path: Path
) -> None:
    path = tmp_path / "leads.csv"
    path.write_text("Email,First Name\ngone@acme.com,Gone\nkept@acme.com,Kept\n")
    await import_csv(engine, OWNER, path)
    platform = Platform.build(make_settings(database_url))
    try:
        await ContactService(engine).erase(OWNER, "gone@acme.com", queue=platform.queue)
    finally:
        await platform.stop()

    again = await import_csv(engine, OWNER, path)

    assert (again.rows_read, again.erased, again.unchanged, again.created) == (2, 1, 1, 0)
    assert sorted(await stored(engine)) == ["kept@acme.com"]


async def test_nul_bytes_are_dropped_on_both_databases(engine: AsyncEngine, tmp_path: Path) -> None:
    path = tmp_path / "nul.csv"
    path.write_bytes(b"Email,First Name,Notes\nnul@acme.com,Ann\x00a,x\x00y\n")

    summary = await import_csv(engine, OWNER, path)

    assert (summary.created, summary.rejected) == (1, 0)
    row = (await stored(engine))["nul@acme.com"]
    assert (row.first_name, row.data) == ("Anna", {"Notes": "xy"})


async def test_a_domain_guessed_from_the_email_never_replaces_a_stated_website(
    engine: AsyncEngine, tmp_path: Path
) -> None:
    stated = tmp_path / "stated.csv"
    stated.write_text("Email,Website\nann@acmecorp.io,https://www.acme.com\n")
    guessed = tmp_path / "guessed.csv"
    guessed.write_text("Email,First Name\nann@acmecorp.io,Ann\n")

    await import_csv(engine, OWNER, stated)
    second = await import_csv(engine, OWNER, guessed)
    third = await import_csv(engine, OWNER, guessed)

    assert (await stored(engine))["ann@acmecorp.io"].company_domain == "acme.com"
    assert (second.updated, third.unchanged) == (1, 1)  # the name is new; then nothing is


async def test_a_company_another_writer_is_creating_meanwhile_is_linked(
    engine: AsyncEngine, tmp_path: Path
) -> None:
    # Discovery creates acme.com in a transaction that is still open when the import runs:
    # the import's insert waits for it, then links its contacts to that same company.
    leads = tmp_path / "leads.csv"
    leads.write_text("Email,Website\nbob@acme.com,acme.com\nann@acme.com,https://acme.com\n")
    async with engine.connect() as other:
        await other.begin()
        company_id = (
            await other.execute(
                sa.insert(COMPANIES)
                .values(owner_id=OWNER, domain="acme.com", name="Acme", data={}, provenance={})
                .returning(COMPANIES.c.id)
            )
        ).scalar_one()
        running = asyncio.create_task(import_csv(engine, OWNER, leads))
        await asyncio.sleep(0.5)
        assert not running.done()  # waiting for the other transaction
        await other.commit()
    summary = await running

    rows = await stored(engine)
    assert summary.created == 2
    assert {rows[e].company_id for e in ("bob@acme.com", "ann@acme.com")} == {company_id}
    async with engine.connect() as conn:
        count = await conn.scalar(sa.select(sa.func.count()).select_from(COMPANIES))
    assert count == 1


async def test_an_unclosed_quote_stops_the_import_with_its_row_number(
    engine: AsyncEngine, tmp_path: Path
) -> None:
    path = tmp_path / "broken.csv"
    tail = "".join(f"row{i}@acme.com,Row\n" for i in range(1200))
    path.write_text('Email,First Name\nok@acme.com,Ok\nbad@acme.com,"Bad\n' + tail)

    summary = await import_csv(engine, OWNER, path)

    assert (summary.created, summary.rejected, summary.rows_read) == (1, 1, 2)
    rejected = summary.rejected_rows[0]
    assert rejected.row == 3
    assert "quote is probably never closed" in rejected.reason
    assert "rest of the file was not imported" in rejected.reason


async def test_api_guard_rails(database_url: str, tmp_path: Path) -> None:
    settings = make_settings(database_url, import_max_upload_mb=1, data_dir=tmp_path)
    async with client_for(settings, run_worker=False) as client:
        internal = await client.post(
            "/api/jobs",
            json={"type": "contacts.erase_at_providers", "parameters": {"email": "x@y.com"}},
        )
        single_invalid = await client.post("/api/suppressions", json={"value": "not valid"})

        async def chunks() -> AsyncIterator[bytes]:
            # No Content-Length: the bytes are counted as they arrive.
            boundary_start = (
                b'--b\r\nContent-Disposition: form-data; name="file"; filename="big.csv"\r\n'
                b"Content-Type: text/csv\r\n\r\nEmail\n"
            )
            yield boundary_start
            for _ in range(40):
                yield b"someone@acme.com\n" * 4096
            yield b"\r\n--b--\r\n"

        streamed = await client.post(
            "/api/import/csv",
            content=chunks(),
            headers={"Content-Type": "multipart/form-data; boundary=b"},
        )

        await client.post("/api/suppressions", json={"value": "gone@acme.com"})
        listing = (await client.get("/api/suppressions")).json()["suppressions"]
    assert internal.status_code == 422 and "queued by the platform" in internal.json()["error"]
    assert single_invalid.status_code == 422
    assert streamed.status_code == 413 and streamed.json()["limitBytes"] == 1024 * 1024
    assert [s["value"] for s in listing] == ["gone@acme.com"]
    uploads = tmp_path / "uploads"
    assert not uploads.exists() or not list(uploads.glob("*"))


async def test_an_erasure_entry_cannot_be_taken_off_the_list(
    database_url: str, tmp_path: Path
) -> None:
    settings = make_settings(database_url, data_dir=tmp_path)
    async with client_for(settings, run_worker=False) as client:
        csv_bytes = b"Email\ngone@acme.com\n"
        platform_engine = create_engine(database_url)
        try:
            path = tmp_path / "one.csv"
            path.write_bytes(csv_bytes)
            await import_csv(platform_engine, OWNER, path)
        finally:
            await platform_engine.dispose()
        assert (await client.delete("/api/contacts/gone@acme.com")).status_code == 202
        entry = (await client.get("/api/suppressions")).json()["suppressions"][0]
        refused = await client.delete(f"/api/suppressions/{entry['id']}")
    assert refused.status_code == 409
    assert "erased on request" in refused.json()["error"]
