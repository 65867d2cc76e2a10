"""CRM v3 lists: search by name and remove members (the rest of the list routes are in
`lists.py`)."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, Body
from pydantic import BaseModel, ConfigDict, Field

from salesauto.integrations.sandbox.hubspot.lists import ListStore, StoredList
from salesauto.integrations.sandbox.hubspot.properties import iso_ms

SEARCH_COUNT_MAX = 500


class ListSearchBody(BaseModel):
    model_config = ConfigDict(extra="ignore")

    query: str = ""
    count: int = Field(20, ge=1, le=SEARCH_COUNT_MAX)
    offset: int = Field(0, ge=0)
    listIds: list[str] | None = None
    processingTypes: list[Literal["MANUAL", "SNAPSHOT", "DYNAMIC"]] | None = None
    additionalProperties: list[str] | None = None


def search_result(store: ListStore, stored: StoredList) -> dict[str, object]:
    """One list as search answers it: no `size`, but `additionalProperties.hs_list_size`."""
    body = store.serialize(stored)
    size = body.pop("size")
    members = store.live_members(stored)
    extra = {"hs_list_size": str(size)}
    if members:
        extra["hs_last_record_added_at"] = iso_ms(max(added for _, added in members))
    return {**body, "additionalProperties": extra}


def list_search_router(store: ListStore) -> APIRouter:
    router = APIRouter(prefix="/crm/v3/lists")

    @router.post("/search")
    async def search_lists(body: ListSearchBody) -> dict[str, object]:
        needle = body.query.strip().lower()
        found = [
            stored
            for stored in sorted(store.lists.values(), key=lambda s: int(s.id))
            if needle in stored.name.lower()
            and (body.listIds is None or stored.id in body.listIds)
            and (body.processingTypes is None or stored.processing_type in body.processingTypes)
        ]
        page = found[body.offset : body.offset + body.count]
        end = body.offset + len(page)
        return {
            "lists": [search_result(store, stored) for stored in page],
            "hasMore": end < len(found),
            "offset": end,
            "total": len(found),
        }

    @router.put("/{list_id}/memberships/remove")
    async def remove_members(
        list_id: str, record_ids: list[str | int] = Body(...)
    ) -> dict[str, object]:
        stored = store.get(list_id)
        removed, missing = store.remove(stored, [str(record_id) for record_id in record_ids])
        return {"recordIdsMissing": missing, "recordIdsRemoved": removed, "recordsIdsAdded": []}

    return router
