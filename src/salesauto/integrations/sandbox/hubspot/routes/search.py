"""`POST /crm/v3/objects/{type}/search` (API_CONTRACTS §1.5)."""

from __future__ import annotations

from fastapi import APIRouter, Request

from salesauto.integrations.sandbox.hubspot.errors import HubSpotApiError
from salesauto.integrations.sandbox.hubspot.objects import resolve_type
from salesauto.integrations.sandbox.hubspot.schemas import SearchBody
from salesauto.integrations.sandbox.hubspot.search import MAX_QUERY_CHARS, run_search
from salesauto.integrations.sandbox.hubspot.state import HubSpotState


def search_router(state: HubSpotState) -> APIRouter:
    router = APIRouter(prefix="/crm/v3/objects")

    @router.post("/{object_type}/search")
    async def search_objects(
        request: Request, object_type: str, body: SearchBody
    ) -> dict[str, object]:
        kind = resolve_type(object_type)
        raw = await request.body()
        if len(raw) > MAX_QUERY_CHARS:
            raise HubSpotApiError(
                400,
                f"The search request body is {len(raw)} characters; the maximum is "
                f"{MAX_QUERY_CHARS}.",
            )
        return run_search(state, kind, body)

    return router
