"""Batch create/read/update/upsert/archive, ≤ 100 inputs per request (API_CONTRACTS §1.4)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

from fastapi import APIRouter
from starlette.responses import JSONResponse, Response

from salesauto.integrations.sandbox.hubspot.errors import HubSpotApiError
from salesauto.integrations.sandbox.hubspot.objects import CONTACTS, ObjectType, resolve_type
from salesauto.integrations.sandbox.hubspot.properties import validate_properties
from salesauto.integrations.sandbox.hubspot.routes.common import (
    Commit,
    batch_envelope,
    check_batch_size,
    prepare_create,
    prepare_update,
    run_batch,
)
from salesauto.integrations.sandbox.hubspot.schemas import (
    BatchArchive,
    BatchCreate,
    BatchRead,
    BatchUpdate,
    BatchUpdateInput,
    ObjectCreate,
)
from salesauto.integrations.sandbox.hubspot.state import HubSpotState, StoredObject


def batch_router(state: HubSpotState) -> APIRouter:
    router = APIRouter(prefix="/crm/v3/objects/{object_type}/batch")

    def written(step: Callable[[], StoredObject]) -> Commit:
        return lambda: state.serialize(step())

    @router.post("/create", status_code=201)
    async def batch_create(object_type: str, body: BatchCreate) -> Response:
        kind = resolve_type(object_type)
        check_batch_size(len(body.inputs))
        pending: set[str] = set()

        def prepare(item: ObjectCreate) -> Callable[[], Commit]:
            return lambda: written(prepare_create(state, kind, item, pending))

        return run_batch(
            [prepare(item) for item in body.inputs],
            [item.objectWriteTraceId for item in body.inputs],
            201,
        )

    @router.post("/update")
    async def batch_update(object_type: str, body: BatchUpdate) -> Response:
        kind = resolve_type(object_type)
        check_batch_size(len(body.inputs))
        _reject_duplicate_ids(body.inputs)

        def prepare(item: BatchUpdateInput) -> Callable[[], Commit]:
            return lambda: written(
                prepare_update(state, kind, item.id, item.idProperty, item.properties)
            )

        return run_batch(
            [prepare(item) for item in body.inputs],
            [item.objectWriteTraceId for item in body.inputs],
            200,
        )

    @router.post("/upsert")
    async def batch_upsert(object_type: str, body: BatchUpdate) -> Response:
        kind = resolve_type(object_type)
        check_batch_size(len(body.inputs))
        _reject_duplicate_ids(body.inputs)
        pending: set[str] = set()

        def prepare(item: BatchUpdateInput) -> Callable[[], Commit]:
            return lambda: _prepare_upsert(state, kind, item, pending)

        return run_batch(
            [prepare(item) for item in body.inputs],
            [item.objectWriteTraceId for item in body.inputs],
            200,
        )

    @router.post("/read")
    async def batch_read(object_type: str, body: BatchRead, archived: bool = False) -> Response:
        kind = resolve_type(object_type)
        check_batch_size(len(body.inputs))
        started = datetime.now(UTC)
        results: list[dict[str, object]] = []
        missing: list[str] = []
        for item in body.inputs:
            record = state.find(kind, item.id, body.idProperty)
            if record is None or record.archived != archived:
                missing.append(item.id)
            else:
                results.append(state.serialize(record, body.properties or None))
        errors: list[dict[str, object]] = []
        if missing:
            errors.append(
                {
                    "status": "error",
                    "category": "OBJECT_NOT_FOUND",
                    "message": f"Could not get some {kind.singular.upper()} objects, they may be "
                    "deleted or not exist. Check that ids are valid.",
                    "context": {"ids": missing},
                    "errors": [],
                    "links": {},
                }
            )
        return JSONResponse(
            batch_envelope(results, errors, started), status_code=207 if errors else 200
        )

    @router.post("/archive", status_code=204)
    async def batch_archive(object_type: str, body: BatchArchive) -> Response:
        kind = resolve_type(object_type)
        check_batch_size(len(body.inputs))
        for item in body.inputs:
            record = state.find(kind, item.id)
            if record is not None:
                state.archive(record)
        return Response(status_code=204)

    return router


def _reject_duplicate_ids(inputs: list[BatchUpdateInput]) -> None:
    seen: set[str] = set()
    for item in inputs:
        key = item.id.strip().lower()
        if key in seen:
            raise HubSpotApiError(400, f"Duplicate IDs found in batch input: [{item.id}]")
        seen.add(key)


def _prepare_upsert(
    state: HubSpotState, kind: ObjectType, item: BatchUpdateInput, pending: set[str]
) -> Commit:
    """Update the record the id names, or create it (only `email` upserts can create)."""
    id_property = item.idProperty or "hs_object_id"
    record = state.find(kind, item.id, id_property)
    if record is not None and not record.archived:
        step = prepare_update(state, kind, record.id, None, item.properties)
        return lambda: {**state.serialize(step()), "new": False}
    if kind is not CONTACTS or id_property != "email":
        raise HubSpotApiError(
            404 if id_property == "hs_object_id" else 400,
            f"Cannot upsert {kind.singular} {item.id} by {id_property}: no record matches and "
            "only a unique identifier property can create one",
        )
    properties = {**validate_properties(kind, item.properties), "email": item.id}
    create = prepare_create(state, kind, ObjectCreate(properties=properties), pending)
    return lambda: {**state.serialize(create()), "new": True}
