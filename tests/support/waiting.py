"""Polling helpers: wait for what a user would see, with a deadline instead of a sleep."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from typing import TypeVar

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

from salesauto.jobs.schemas import JobView
from salesauto.platform import Platform

T = TypeVar("T")


async def eventually(
    probe: Callable[[], Awaitable[T]], accept: Callable[[T], bool], timeout: float = 20.0
) -> T:
    deadline = time.monotonic() + timeout
    while True:
        value = await probe()
        if accept(value):
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"condition not met within {timeout}s; last value: {value!r}")
        await asyncio.sleep(0.05)


async def wait_for_job(
    platform: Platform, job_id: int | str, statuses: tuple[str, ...], timeout: float = 20.0
) -> JobView:
    return await eventually(
        lambda: platform.jobs.get(job_id, "default"), lambda job: job.status in statuses, timeout
    )


async def scalar(engine: AsyncEngine, statement: str, **params: object) -> object:
    async with engine.connect() as conn:
        return (await conn.execute(sa.text(statement), params)).scalar()
