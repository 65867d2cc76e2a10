"""`GET /team`: the one team the emulator's API keys belong to."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from salesauto.integrations.sandbox.lemlist.runtime import LemlistRuntime
from salesauto.integrations.sandbox.lemlist.state import DAY, iso

TEAM_NAME = "Northwind Demo"


def team_router(runtime: LemlistRuntime) -> APIRouter:
    router = APIRouter(tags=["team"])
    state = runtime.state

    @router.get("/team")
    async def get_team() -> dict[str, Any]:
        """The team: id, name, its users and its webhooks (lemlist's `GET /team` shape)."""
        # The team predates its oldest campaign; derived so the answer is stable per seed.
        oldest = min((c.created_at for c in state.campaigns.values()), default=runtime.now)
        return {
            "_id": state.team_id,
            "name": TEAM_NAME,
            "userIds": [state.owner.id],
            "createdBy": state.owner.id,
            "createdAt": iso(oldest - DAY),
            "beta": [],
            "hooks": [hook.id for hook in state.hooks.values()],
        }

    return router
