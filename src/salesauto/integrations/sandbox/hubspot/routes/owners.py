"""`GET /crm/v3/owners`: the users records can be assigned to (a few seeded owners)."""

from __future__ import annotations

from fastapi import APIRouter

from salesauto.integrations.sandbox.hubspot.errors import HubSpotApiError
from salesauto.integrations.sandbox.hubspot.state import HubSpotState

OWNERS_MAX = 500


def owners_router(state: HubSpotState) -> APIRouter:
    router = APIRouter(prefix="/crm/v3/owners")

    @router.get("")
    @router.get("/")
    async def list_owners(
        email: str | None = None, after: str | None = None, limit: int = 100, archived: bool = False
    ) -> dict[str, object]:
        if not 1 <= limit <= OWNERS_MAX:
            raise HubSpotApiError(400, f"limit must be between 1 and {OWNERS_MAX}")
        owners = [
            o
            for o in state.owners
            if o["archived"] == archived
            and (email is None or str(o["email"]).lower() == email.lower())
        ]
        start = int(after) if after and after.isdigit() else 0
        page = owners[start : start + limit]
        body: dict[str, object] = {"results": page}
        if start + limit < len(owners):
            body["paging"] = {"next": {"after": str(start + limit)}}
        return body

    @router.get("/{owner_id}")
    async def get_owner(owner_id: str) -> dict[str, object]:
        for owner in state.owners:
            if owner["id"] == owner_id:
                return owner
        raise HubSpotApiError(404, f"Owner {owner_id} not found", "OBJECT_NOT_FOUND")

    return router
