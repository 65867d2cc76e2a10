"""CRM v3 lists: create, fetch by id, add members, page through members by record id."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Body
from pydantic import BaseModel, ConfigDict

from salesauto.integrations.sandbox.hubspot.errors import HubSpotApiError
from salesauto.integrations.sandbox.hubspot.lists import (
    ListStore,
    MembershipRead,
    decode_after,
    encode_after,
)
from salesauto.integrations.sandbox.hubspot.objects import resolve_type
from salesauto.integrations.sandbox.hubspot.properties import iso_ms

MEMBERSHIP_LIMIT_MAX = 250
MEMBERSHIP_LIMIT_DEFAULT = 100


class ListCreateBody(BaseModel):
    model_config = ConfigDict(extra="ignore")

    name: str
    objectTypeId: str
    processingType: str
    filterBranch: dict[str, Any] | None = None
    listFolderId: int | None = None


def lists_router(store: ListStore) -> APIRouter:
    router = APIRouter(prefix="/crm/v3/lists")

    @router.post("")
    @router.post("/")
    async def create_list(body: ListCreateBody) -> dict[str, object]:
        kind = resolve_type(body.objectTypeId)
        created = store.create(body.name, kind, body.processingType)
        return {"list": store.serialize(created)}

    @router.get("/{list_id}")
    async def get_list(list_id: str) -> dict[str, object]:
        return {"list": store.serialize(store.get(list_id))}

    @router.put("/{list_id}/memberships/add")
    async def add_members(
        list_id: str, record_ids: list[str | int] = Body(...)
    ) -> dict[str, object]:
        stored = store.get(list_id)
        added, missing = store.add(stored, [str(record_id) for record_id in record_ids])
        # `recordsIdsAdded` is HubSpot's own spelling in the v3 API.
        return {"recordIdsMissing": missing, "recordIdsRemoved": [], "recordsIdsAdded": added}

    @router.get("/{list_id}/memberships")
    async def list_members(
        list_id: str,
        after: str | None = None,
        limit: int = MEMBERSHIP_LIMIT_DEFAULT,
    ) -> dict[str, object]:
        if not 1 <= limit <= MEMBERSHIP_LIMIT_MAX:
            raise HubSpotApiError(
                400,
                f"limit must be between 1 and {MEMBERSHIP_LIMIT_MAX}; got {limit}",
                "VALIDATION_ERROR",
            )
        stored = store.get(list_id)
        start = decode_after(after) if after else -1
        remaining = [member for member in store.live_members(stored) if int(member[0]) > start]
        page = remaining[:limit]
        store.reads.append(MembershipRead(list_id, len(page), after))
        body: dict[str, object] = {
            "results": [
                {"recordId": record_id, "membershipTimestamp": iso_ms(added_at)}
                for record_id, added_at in page
            ]
        }
        if len(remaining) > limit:
            body["paging"] = {"next": {"after": encode_after(page[-1][0])}}
        return body

    return router
