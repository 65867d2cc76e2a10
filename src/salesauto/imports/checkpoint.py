"""Where a CSV import job stands, saved with each batch, so a retried attempt resumes.

An attempt that dies (worker killed, lease lost, database gone) leaves every batch it
committed in the database. Re-reading the file from its start would count those rows again,
as updated or unchanged. Instead each batch's transaction also saves the checkpoint: the rows
read through that batch and the counts only the database decides (created, updated,
unchanged, erased, suppressed). A retry re-reads the rows up to the checkpoint without
writing them (rebuilding what the file alone decides: duplicates, rejected and blank rows) and
carries on after them with the counts carried over, so its summary is the one an
uninterrupted import would have given.

PostgreSQL's fast path for new contacts (`insert_new_contacts`) commits in transactions of its
own before the batch's merge, so one batch can be half-written. Its timestamp is saved first
as `pending`; a retry redoes that batch with the same timestamp and counts the contacts
stamped with it, which the dead attempt created, as created.
"""

from __future__ import annotations

import asyncio
from dataclasses import asdict, dataclass, replace
from datetime import datetime
from pathlib import Path
from typing import Any, Protocol

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from salesauto.contacts.repository import CONTACTS, MergeCounts

_COUNTS = ("created", "updated", "unchanged", "erased", "suppressed")


class CheckpointStore(Protocol):
    """Where checkpoints live: a running job (`JobContext`)."""

    async def load_checkpoint(self) -> Any: ...

    async def save_checkpoint(self, state: Any, conn: AsyncConnection | None = None) -> None: ...


@dataclass(frozen=True)
class ImportCheckpoint:
    size: int  # the file's size: a checkpoint of another file is never resumed
    started: datetime  # the first attempt's start: the chain covers the whole import
    rows: int = 0  # rows read through the last committed batch
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    erased: int = 0
    suppressed: int = 0
    pending_at: datetime | None = None  # the timestamp of a batch possibly half-written
    pending_through: int = 0  # the last row of that batch

    def as_json(self) -> dict[str, Any]:
        state = asdict(self)
        state["started"] = self.started.isoformat()
        state["pending_at"] = self.pending_at.isoformat() if self.pending_at else None
        return state

    @classmethod
    def from_json(cls, state: Any) -> ImportCheckpoint | None:
        """The checkpoint, or None when there is none (or it is not one of ours)."""
        if not isinstance(state, dict):
            return None
        try:
            pending = state.get("pending_at")
            return cls(
                size=int(state["size"]),
                started=datetime.fromisoformat(state["started"]),
                rows=int(state["rows"]),
                pending_at=datetime.fromisoformat(pending) if pending else None,
                pending_through=int(state.get("pending_through", 0)),
                **{name: int(state[name]) for name in _COUNTS},
            )
        except (KeyError, TypeError, ValueError):
            return None


class ImportJournal:
    """The checkpoint of one import, moved forward by each batch the import commits."""

    def __init__(self, store: CheckpointStore, point: ImportCheckpoint) -> None:
        self._store = store
        self.point = point
        self._stamped: dict[datetime, set[str]] = {}

    @classmethod
    async def open(cls, store: CheckpointStore, path: Path, started: datetime) -> ImportJournal:
        """Resume from the saved checkpoint of this file, or start one at `started`."""
        size = (await asyncio.to_thread(path.stat)).st_size
        saved = ImportCheckpoint.from_json(await store.load_checkpoint())
        if saved is None or saved.size != size:
            saved = ImportCheckpoint(size=size, started=started)
        return cls(store, saved)

    def redo_at(self, first_row: int) -> datetime | None:
        """The timestamp to reuse for the batch starting at `first_row` when a dead attempt
        may have half-written it (None for any other batch)."""
        point = self.point
        if point.pending_at is not None and first_row <= point.pending_through:
            return point.pending_at
        return None

    async def written_before(
        self, engine: AsyncEngine, owner_id: str, source: str, at: datetime
    ) -> set[str]:
        """Emails of the contacts created with timestamp `at`: the ones a dead attempt's fast
        path committed. Read once per resume, before this attempt writes with `at` too."""
        if at not in self._stamped:
            async with engine.connect() as conn:
                rows = await conn.execute(
                    sa.select(CONTACTS.c.email).where(
                        CONTACTS.c.owner_id == owner_id,
                        CONTACTS.c.source == source,
                        CONTACTS.c.imported_at == at,
                    )
                )
                self._stamped[at] = set(rows.scalars())
        return self._stamped[at]

    async def intend(self, at: datetime, through: int) -> None:
        """Before the rows up to `through` are written outside the batch's transaction."""
        point = self.point
        if at == point.pending_at:  # redoing it: keep the whole of the dead attempt's batch
            through = max(through, point.pending_through)
        pending = replace(point, pending_at=at, pending_through=through)
        await self._store.save_checkpoint(pending.as_json())

    async def commit(
        self, conn: AsyncConnection, rows: int, counts: MergeCounts, suppressed: int
    ) -> ImportCheckpoint:
        """In the batch's transaction: the checkpoint once the batch ending at `rows` is in.
        The caller makes it `point` after the transaction commits."""
        point = self.point
        done = point.pending_at is not None and rows >= point.pending_through
        after = replace(
            point,
            rows=rows,
            created=point.created + counts.created,
            updated=point.updated + counts.updated,
            unchanged=point.unchanged + counts.unchanged,
            erased=point.erased + counts.erased,
            suppressed=point.suppressed + suppressed,
            pending_at=None if done else point.pending_at,
            pending_through=0 if done else point.pending_through,
        )
        await self._store.save_checkpoint(after.as_json(), conn)
        return after
