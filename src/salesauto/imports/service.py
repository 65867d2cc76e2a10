"""`import_csv`: stream a CSV file into contacts and companies, batch by batch.

Each batch of rows merges in its own transaction, so memory stays bounded whatever the file
size and a crash loses at most the batch in flight. Given a journal (the `import.csv` job), each
batch also saves the import's checkpoint, and a retried job resumes after the last committed
batch with its counts (see `imports.checkpoint`).
"""

from __future__ import annotations

import asyncio
import hashlib
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import BinaryIO

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

from salesauto.contacts.bulk_insert import insert_new_contacts
from salesauto.contacts.merge import ContactFacts
from salesauto.contacts.repository import merge_contacts
from salesauto.imports.checkpoint import ImportJournal
from salesauto.imports.csv_format import detect_format
from salesauto.imports.csv_reader import InvalidCsv, read_header, read_rows
from salesauto.imports.mapping import ColumnMapping, apply_overrides, propose_mapping
from salesauto.imports.rows import contact_facts
from salesauto.imports.schemas import ImportSummary
from salesauto.kit.errors import InvalidInput
from salesauto.kit.time import utcnow
from salesauto.suppressions.repository import suppressed

SAMPLE_BYTES = 64 * 1024
# Fresh statistics once a workspace's contacts have grown by this many rows (and then each time
# they double again while the import runs): see `StatisticsRefresher`.
ANALYZE_AFTER_ROWS = 5_000
# (rows read, bytes read, total bytes) after each batch.
Progress = Callable[[int, int, int], Awaitable[None]]


def resolve_mapping(
    stream: BinaryIO, overrides: dict[str, str | None] | None
) -> tuple[ColumnMapping, object]:
    """The column mapping (proposed, then the caller's overrides) and the file's format."""
    fmt = detect_format(stream.read(SAMPLE_BYTES))
    stream.seek(0)
    try:
        headers = read_header(stream, fmt)
    except InvalidCsv as error:
        raise InvalidInput(str(error)) from None
    stream.seek(0)
    mapping = propose_mapping(headers)
    if overrides:
        try:
            mapping = apply_overrides(mapping, overrides)
        except ValueError as error:
            raise InvalidInput(str(error), field="mapping") from None
    if mapping.header_for("email") is None:
        raise InvalidInput(
            "no column looks like an email address; name it with a mapping such as "
            '{"<column>": "email"} (columns: ' + ", ".join(headers) + ")",
            field="mapping",
        )
    return mapping, fmt


def check_columns(path: Path, overrides: dict[str, str | None] | None) -> None:
    """Raise InvalidInput when the file's header cannot import (no email column, bad mapping)."""
    with path.open("rb") as stream:
        resolve_mapping(stream, overrides)


def _fingerprint(email: str) -> int:
    # 8 bytes per email seen, not the string: a million-row file stays well under 300 MB.
    return int.from_bytes(hashlib.blake2b(email.encode(), digest_size=8).digest(), "big")


async def import_csv(
    engine: AsyncEngine,
    owner_id: str,
    path: Path,
    *,
    source: str = "csv",
    file_name: str | None = None,
    mapping: dict[str, str | None] | None = None,
    batch_rows: int = 5000,
    progress: Progress | None = None,
    journal: ImportJournal | None = None,
) -> ImportSummary:
    """Import `path` into the workspace's contacts; returns the summary (never raises for
    bad rows: they are counted and listed with their row number and reason).

    With a `journal`, rows up to its checkpoint were committed by an earlier attempt: they are
    read again only to count what the file decides, and the database's counts carry over.
    """
    total = (await asyncio.to_thread(path.stat)).st_size
    resume_after = journal.point.rows if journal else 0
    with path.open("rb") as stream:
        column_mapping, fmt = resolve_mapping(stream, mapping)
        summary = ImportSummary(
            source=source, file_name=file_name or path.name, mapping=column_mapping.as_dict()
        )
        if journal is not None:
            carried = journal.point
            summary.created, summary.updated = carried.created, carried.updated
            summary.unchanged, summary.erased = carried.unchanged, carried.erased
            summary.suppressed = carried.suppressed
        flushed = resume_after  # the last row of the last batch handed to `merge`
        statistics = StatisticsRefresher(engine)
        seen: set[int] = set()
        batch: dict[str, ContactFacts] = {}
        repeats: set[str] = set()  # in this batch, but first seen in an earlier batch
        in_flight: asyncio.Task[None] | None = None

        # PostgreSQL inserts new contacts first while the last batch was mostly new.
        mostly_new = engine.dialect.name == "postgresql"

        async def merge(facts: list[ContactFacts], quiet: set[str], first: int, rows: int) -> None:
            nonlocal mostly_new
            at = utcnow()
            created: set[str] = set()
            answered: set[str] = set()
            # New contacts the fast path inserted come back with their suppression status.
            known_blocked: set[str] = set()
            if journal is not None and (redo := journal.redo_at(first)) is not None:
                # A dead attempt may have written part of this batch with this timestamp.
                at = redo
                earlier = await journal.written_before(engine, owner_id, source, at)
                created = {f.email for f in facts if f.email in earlier}
            if mostly_new:
                new = [f for f in facts if f.email not in quiet and f.email not in created]
                if journal is not None and new:
                    await journal.intend(at, rows)
                inserted = await insert_new_contacts(engine, owner_id, new, source=source, at=at)
                created |= inserted.created
                known_blocked = inserted.suppressed
                answered = inserted.created
                mostly_new = len(created) * 2 >= len(facts)
            rest = [f for f in facts if f.email not in created]
            async with engine.begin() as conn:
                counts = await merge_contacts(
                    conn, owner_id, rest, source=source, at=at, quiet=quiet
                )
                asked = {f.email for f in facts} - quiet - answered
                blocked = known_blocked | set(await suppressed(conn, owner_id, asked))
                counts.created += len(created)
                if journal is not None:
                    after = await journal.commit(conn, rows, counts, len(blocked))
            if journal is not None:
                journal.point = after
            if engine.dialect.name == "postgresql" and not mostly_new:
                mostly_new = counts.created * 2 >= len(facts)
            summary.created += counts.created
            summary.erased += counts.erased
            summary.updated += counts.updated
            summary.unchanged += counts.unchanged
            summary.suppressed += len(blocked)
            await statistics.grew(counts.created)
            if progress is not None:
                await progress(rows, stream.tell(), total)

        async def flush() -> None:
            # The database merges one batch while the next one is parsed; batches still
            # commit in file order, so a later batch sees the rows of every earlier one.
            nonlocal in_flight, flushed
            if in_flight is not None:
                await in_flight
                in_flight = None
            if batch:
                in_flight = asyncio.create_task(
                    merge(list(batch.values()), set(repeats), flushed + 1, summary.rows_read)
                )
                flushed = summary.rows_read
                batch.clear()
                repeats.clear()

        async def drain() -> None:
            await flush()
            await flush()

        try:
            for row in read_rows(stream, fmt, column_mapping):  # type: ignore[arg-type]
                summary.rows_read += 1
                if row.blank:
                    summary.blank += 1
                    continue
                facts = contact_facts(row)
                if isinstance(facts, str):
                    # Echo at most an email's worth of the cell: it may be a megabyte of junk.
                    echoed = (row.values.get("email") or "")[:320] or None
                    summary.reject(row.number, echoed, facts)
                    continue
                fingerprint = _fingerprint(facts.email)
                # Rows an earlier attempt committed: only counted, as they were then.
                committed = summary.rows_read <= resume_after
                if fingerprint in seen:
                    summary.duplicates += 1
                    if committed:
                        continue
                    if facts.email in batch:
                        batch[facts.email].absorb(facts)
                    else:
                        batch[facts.email] = facts
                        repeats.add(facts.email)
                else:
                    seen.add(fingerprint)
                    if committed:
                        continue
                    batch[facts.email] = facts
                if len(batch) >= batch_rows:
                    await flush()
                elif summary.rows_read % 64 == 0:
                    await asyncio.sleep(0)  # let the in-flight merge talk to the database
        except InvalidCsv as error:
            await drain()
            summary.rows_read += 1
            summary.reject(
                error.row or summary.rows_read,
                None,
                f"unreadable CSV, the rest of the file was not imported: {error}",
            )
            return summary
        except BaseException:
            if in_flight is not None:
                in_flight.cancel()
            raise
        await drain()
    await statistics.finish()
    return summary


class StatisticsRefresher:
    """Keeps PostgreSQL's planner statistics in step with a big import.

    With statistics taken when the workspace was small, the planner keeps choosing a scan of
    every contact for each batch's lookups, and a batch's lookup time grows with the table
    (7 ms at the start of a 100,000-row import, 26 ms at its end). Only the lookup columns are
    analysed (a few ms, where the whole table with its JSON columns takes most of a second),
    each time the import has doubled what it created, and once more at the end so the next
    import starts with a good plan.
    """

    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine
        self._created = 0
        self._next = ANALYZE_AFTER_ROWS

    async def grew(self, created: int) -> None:
        self._created += created
        if self._created >= self._next:
            self._next = self._created * 2
            await self._analyze()

    async def finish(self) -> None:
        if self._created >= ANALYZE_AFTER_ROWS:
            await self._analyze()

    async def _analyze(self) -> None:
        if self._engine.dialect.name != "postgresql":
            return
        async with self._engine.connect() as conn:
            await conn.execute(
                sa.text(
                    "ANALYZE imported_contacts (owner_id, email, company_domain),"
                    " companies (owner_id, domain)"
                )
            )
            await conn.commit()
