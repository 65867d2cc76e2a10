"""Reading what an emulator saw, through its `/_sandbox` control routes."""

from __future__ import annotations

from typing import Any

import httpx


async def calls(url: str, path: str) -> list[int]:
    """Items per call the emulator received on `path` (its call log)."""
    async with httpx.AsyncClient() as http:
        log = (await http.get(f"{url}/_sandbox/calls")).json()["calls"]
    return [call["items"] for call in log if call["path"] == path]


async def stats(url: str) -> dict[str, Any]:
    async with httpx.AsyncClient() as http:
        body: dict[str, Any] = (await http.get(f"{url}/_sandbox/stats")).json()
    return body
