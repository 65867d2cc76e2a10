"""Single-record CRUD and list for contacts, companies, tasks and notes (API_CONTRACTS §1.3)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from starlette.responses import JSONResponse, Response

from salesauto.integrations.sandbox.hubspot.errors import HubSpotApiError
from salesauto.integrations.sandbox.hubspot.objects import resolve_type
from salesauto.integrations.sandbox.hubspot.routes.common import (
    prepare_create,
    prepare_update,
    split_csv,
)
from salesauto.integrations.sandbox.hubspot.schemas import ObjectCreate, ObjectPatch
from salesauto.integrations.sandbox.hubspot.state import HubSpotState

LIST_MAX = 100
LIST_DEFAULT = 10


def objects_router(state: HubSpotState) -> APIRouter:
    router = APIRouter(prefix="/crm/v3/objects")

    @router.post("/{object_type}", status_code=201)
    async def create_object(object_type: str, body: ObjectCreate) -> JSONResponse:
        kind = resolve_type(object_type)
        record = prepare_create(state, kind, body)()
        return JSONResponse(state.serialize(record), status_code=201)

    @router.get("/{object_type}")
    async def list_objects(
        request: Request,
        object_type: str,
        limit: int = LIST_DEFAULT,
        after: str | None = None,
        properties: str | None = None,
        associations: str | None = None,
        archived: bool = False,
    ) -> dict[str, object]:
        kind = resolve_type(object_type)
        if not 1 <= limit <= LIST_MAX:
            raise HubSpotApiError(400, f"limit must be between 1 and {LIST_MAX}")
        if after is not None and not after.isdigit():
            raise HubSpotApiError(400, f"after must be a record id cursor, got {after!r}")
        cursor = int(after) if after else 0
        linked = [resolve_type(name) for name in split_csv(associations) or []]
        eligible = [
            r for r in state.records(kind) if r.archived == archived and int(r.id) >= cursor
        ]
        page = eligible[:limit]
        body: dict[str, object] = {
            "results": [
                state.serialize(r, split_csv(properties), associations=linked) for r in page
            ]
        }
        if len(eligible) > limit:
            next_after = eligible[limit].id
            link = request.url.include_query_params(after=next_after)
            body["paging"] = {"next": {"after": next_after, "link": str(link)}}
        return body

    @router.get("/{object_type}/{object_id}")
    async def get_object(
        object_type: str,
        object_id: str,
        properties: str | None = None,
        associations: str | None = None,
        archived: bool = False,
        idProperty: str | None = None,
    ) -> dict[str, object]:
        kind = resolve_type(object_type)
        record = state.get(kind, object_id, idProperty, archived=archived)
        linked = [resolve_type(name) for name in split_csv(associations) or []]
        return state.serialize(record, split_csv(properties), associations=linked)

    @router.patch("/{object_type}/{object_id}")
    async def update_object(
        object_type: str,
        object_id: str,
        body: ObjectPatch,
        idProperty: str | None = None,
    ) -> dict[str, object]:
        kind = resolve_type(object_type)
        record = prepare_update(state, kind, object_id, idProperty, body.properties)()
        return state.serialize(record)

    @router.delete("/{object_type}/{object_id}", status_code=204)
    async def archive_object(object_type: str, object_id: str) -> Response:
        kind = resolve_type(object_type)
        state.archive(state.get(kind, object_id))
        return Response(status_code=204)

    return router
