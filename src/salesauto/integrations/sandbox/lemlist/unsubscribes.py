"""Unsubscribe routes: list, get, add (an address or an `@domain`), delete."""

from __future__ import annotations

import re
from typing import Any

from fastapi import APIRouter

from salesauto.integrations.sandbox.lemlist.common import page
from salesauto.integrations.sandbox.lemlist.gate import LemlistError
from salesauto.integrations.sandbox.lemlist.runtime import LemlistRuntime

EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
DOMAIN = re.compile(r"^@[^@\s]+\.[^@\s]+$")


def unsubscribes_router(runtime: LemlistRuntime) -> APIRouter:
    router = APIRouter(tags=["unsubscribes"])
    state = runtime.state

    @router.get("/unsubscribes")
    async def list_unsubscribes(
        offset: int | None = None, limit: int | None = None
    ) -> list[dict[str, Any]]:
        entries = sorted(state.unsubscribes.values(), key=lambda entry: entry.created_at)
        return [entry.public() for entry in page(entries, offset, limit, cap=100)]

    @router.get("/unsubscribes/{value}")
    async def get_unsubscribe(value: str) -> dict[str, Any]:
        entry = state.unsubscribes.get(value.strip().lower())
        if entry is None:
            raise LemlistError(404, "Unsubscriber not found")
        return entry.public()

    @router.post("/unsubscribes/{value}")
    async def add_unsubscribe(value: str) -> dict[str, Any]:
        """Never email this address (or every address of `@domain`) again."""
        value = value.strip().lower()
        if not EMAIL.match(value) and not DOMAIN.match(value):
            raise LemlistError(500, "Invalid email address or domain. Domains must start with @")
        entry = state.add_unsubscribe(value, "api", runtime.now)
        answer: dict[str, Any] = {"_id": entry.id, "value": entry.value}
        if not entry.value.startswith("@"):
            answer["email"] = entry.value
        return answer

    @router.delete("/unsubscribes/{value}")
    async def delete_unsubscribe(value: str) -> dict[str, Any]:
        entry = state.unsubscribes.pop(value.strip().lower(), None)
        if entry is None:
            raise LemlistError(404, "Unsubscribe not found")
        return {"_id": entry.id, "value": entry.value}

    return router
