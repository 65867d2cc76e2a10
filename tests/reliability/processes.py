"""Worker subprocesses for the reliability tests: real processes, real signals."""

from __future__ import annotations

import asyncio
import os
import signal
import sqlite3
import subprocess
import sys
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncEngine

from salesauto.config import Settings
from tests.conftest import worker_env


class WorkerProcess:
    def __init__(self, settings: Settings, *, concurrency: int = 4, **env: str) -> None:
        self.log = (
            Path(os.environ.get("TMPDIR", "/tmp"))
            / f"salesauto-worker-{os.getpid()}-{id(self)}.log"
        )
        self._log_file = self.log.open("wb")
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "salesauto",
                "worker",
                "--concurrency",
                str(concurrency),
                "--no-scheduler",
            ],
            env=worker_env(settings, **env),
            stdout=self._log_file,
            stderr=subprocess.STDOUT,
        )

    @property
    def pid(self) -> int:
        return self.process.pid

    def signal(self, sig: signal.Signals) -> None:
        self.process.send_signal(sig)

    def stop(self, timeout: float = 20.0) -> int:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
        try:
            code = self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            code = self.process.wait()
        self._log_file.close()
        return code

    def output(self) -> str:
        if not self._log_file.closed:
            self._log_file.flush()
        return self.log.read_text(errors="replace")


async def pause_outside_transactions(worker: WorkerProcess, engine: AsyncEngine) -> None:
    """SIGSTOP `worker` at a moment it holds no write lock. A process frozen inside a
    transaction (a lease renewal, a claim) keeps its locks until it is resumed, and on SQLite
    that is the single write lock, so nobody could take its job over: not what fencing is
    about. Tried again, a few milliseconds later, until the database takes a write."""
    for _ in range(50):
        worker.signal(signal.SIGSTOP)
        if await _writable(engine):
            return
        worker.signal(signal.SIGCONT)
        await asyncio.sleep(0.02)
    raise AssertionError("the worker held a write lock at every try")


async def _writable(engine: AsyncEngine) -> bool:
    if engine.dialect.name == "sqlite":
        return await asyncio.to_thread(_sqlite_writable, str(engine.url.database))
    try:
        async with engine.begin() as conn:
            await conn.execute(sa.text("SET LOCAL lock_timeout = '300ms'"))
            await conn.execute(sa.text("SELECT id FROM jobs FOR UPDATE"))
    except DBAPIError:
        return False
    return True


def _sqlite_writable(path: str) -> bool:
    connection = sqlite3.connect(path, timeout=0.3, isolation_level=None)
    try:
        connection.execute("BEGIN IMMEDIATE")
        connection.execute("ROLLBACK")
    except sqlite3.OperationalError:
        return False
    finally:
        connection.close()
    return True
