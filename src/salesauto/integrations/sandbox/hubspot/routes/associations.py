"""Associations v4 (API_CONTRACTS §1.6): single PUT/GET/DELETE and batch endpoints.

Associations are stored in both directions: contact→company 279 is also company→contact 280.
Object types may be given as plural, singular or `0-x` id.
"""

from __future__ import annotations

from datetime import UTC, datetime

from fastapi import APIRouter
from starlette.responses import JSONResponse, Response

from salesauto.integrations.sandbox.hubspot.errors import HubSpotApiError
from salesauto.integrations.sandbox.hubspot.objects import (
    DEFINED_BY_ID,
    HUBSPOT_DEFINED,
    ObjectType,
    default_association,
    resolve_type,
)
from salesauto.integrations.sandbox.hubspot.routes.common import (
    batch_envelope,
    batch_error,
    check_batch_size,
)
from salesauto.integrations.sandbox.hubspot.schemas import (
    AssociationTypeSpec,
    BatchAssociateDefault,
    BatchAssociationArchive,
    BatchAssociationCreate,
    BatchAssociationRead,
)
from salesauto.integrations.sandbox.hubspot.state import AssociationKey, HubSpotState

CREATE_LIMIT = 2000  # batch/create (documented); batch/associate/default uses the same bound
READ_LIMIT = 1000
LIST_MAX = 500


def associations_router(state: HubSpotState) -> APIRouter:
    router = APIRouter()

    def require(kind: ObjectType, object_id: str) -> None:
        record = state.find(kind, object_id)
        if record is None or record.archived:
            raise HubSpotApiError(
                404, f"No {kind.singular} with id {object_id} exists", "OBJECT_NOT_FOUND"
            )

    def keys_for(
        from_kind: ObjectType, to_kind: ObjectType, specs: list[AssociationTypeSpec]
    ) -> list[AssociationKey]:
        keys: list[AssociationKey] = []
        for spec in specs:
            if spec.associationCategory == "HUBSPOT_DEFINED":
                definition = DEFINED_BY_ID.get((from_kind.type_id, spec.associationTypeId))
                if definition is None or definition.to_type != to_kind.type_id:
                    raise HubSpotApiError(
                        400,
                        f"associationTypeId {spec.associationTypeId} is not a HUBSPOT_DEFINED "
                        f"type from {from_kind.singular} to {to_kind.singular}",
                    )
            keys.append((spec.associationCategory, spec.associationTypeId))
        if not keys:
            raise HubSpotApiError(400, "At least one association type is required")
        return keys

    def labels_payload(
        from_kind: ObjectType, from_id: str, to_kind: ObjectType, to_id: str
    ) -> dict[str, object]:
        keys = state.linked(from_kind, from_id, to_kind).get(to_id, set())
        labels = [
            str(item["label"])
            for item in state.association_type_payload(from_kind, keys)
            if item["label"] is not None
        ]
        return {
            "fromObjectTypeId": from_kind.type_id,
            "fromObjectId": int(from_id),
            "toObjectTypeId": to_kind.type_id,
            "toObjectId": int(to_id),
            "labels": labels,
        }

    base = "/crm/v4/objects/{from_type}/{from_id}/associations"

    @router.put(base + "/default/{to_type}/{to_id}")
    async def associate_default(
        from_type: str, from_id: str, to_type: str, to_id: str
    ) -> dict[str, object]:
        from_kind, to_kind = resolve_type(from_type), resolve_type(to_type)
        require(from_kind, from_id)
        require(to_kind, to_id)
        started = datetime.now(UTC)
        definition = default_association(from_kind, to_kind)
        state.associate(
            from_kind, from_id, to_kind, to_id, [("HUBSPOT_DEFINED", definition.type_id)]
        )
        result = {
            "from": {"id": from_id},
            "to": {"id": to_id},
            "associationSpec": {
                "associationCategory": "HUBSPOT_DEFINED",
                "associationTypeId": definition.type_id,
            },
        }
        return batch_envelope([result], [], started)

    @router.put(base + "/{to_type}/{to_id}", status_code=201)
    async def associate_labelled(
        from_type: str, from_id: str, to_type: str, to_id: str, body: list[AssociationTypeSpec]
    ) -> JSONResponse:
        from_kind, to_kind = resolve_type(from_type), resolve_type(to_type)
        require(from_kind, from_id)
        require(to_kind, to_id)
        keys = keys_for(from_kind, to_kind, body)
        # The given list replaces the labels already between the pair.
        state.associate(from_kind, from_id, to_kind, to_id, keys, replace=True)
        return JSONResponse(labels_payload(from_kind, from_id, to_kind, to_id), status_code=201)

    @router.get(base + "/{to_type}")
    async def list_associations(
        from_type: str, from_id: str, to_type: str, limit: int = LIST_MAX, after: str | None = None
    ) -> dict[str, object]:
        from_kind, to_kind = resolve_type(from_type), resolve_type(to_type)
        if not 1 <= limit <= LIST_MAX:
            raise HubSpotApiError(400, f"limit must be between 1 and {LIST_MAX}")
        linked = list(state.linked(from_kind, from_id, to_kind).items())
        start = int(after) if after and after.isdigit() else 0
        page = linked[start : start + limit]
        body: dict[str, object] = {
            "results": [
                {
                    "toObjectId": int(to_id),
                    "associationTypes": state.association_type_payload(from_kind, keys),
                }
                for to_id, keys in page
            ]
        }
        if start + limit < len(linked):
            body["paging"] = {"next": {"after": str(start + limit)}}
        return body

    @router.delete(base + "/{to_type}/{to_id}", status_code=204)
    async def remove_associations(
        from_type: str, from_id: str, to_type: str, to_id: str
    ) -> Response:
        state.dissociate(resolve_type(from_type), from_id, resolve_type(to_type), to_id)
        return Response(status_code=204)

    batch = "/crm/v4/associations/{from_type}/{to_type}/batch"

    @router.post(batch + "/associate/default")
    async def batch_associate_default(
        from_type: str, to_type: str, body: BatchAssociateDefault
    ) -> JSONResponse:
        from_kind, to_kind = resolve_type(from_type), resolve_type(to_type)
        check_batch_size(len(body.inputs), CREATE_LIMIT)
        definition = default_association(from_kind, to_kind)
        started = datetime.now(UTC)
        results: list[dict[str, object]] = []
        errors: list[dict[str, object]] = []
        for item in body.inputs:
            try:
                require(from_kind, item.from_.id)
                require(to_kind, item.to.id)
            except HubSpotApiError as error:
                errors.append(
                    batch_error(
                        error, {"fromObjectId": [item.from_.id], "toObjectId": [item.to.id]}
                    )
                )
                continue
            state.associate(
                from_kind,
                item.from_.id,
                to_kind,
                item.to.id,
                [("HUBSPOT_DEFINED", definition.type_id)],
            )
            results.append(
                {
                    "from": {"id": item.from_.id},
                    "to": {"id": item.to.id},
                    "associationSpec": {
                        "associationCategory": "HUBSPOT_DEFINED",
                        "associationTypeId": definition.type_id,
                    },
                }
            )
        return JSONResponse(
            batch_envelope(results, errors, started), status_code=207 if errors else 200
        )

    @router.post(batch + "/create", status_code=201)
    async def batch_create(
        from_type: str, to_type: str, body: BatchAssociationCreate
    ) -> JSONResponse:
        from_kind, to_kind = resolve_type(from_type), resolve_type(to_type)
        check_batch_size(len(body.inputs), CREATE_LIMIT)
        started = datetime.now(UTC)
        results: list[dict[str, object]] = []
        errors: list[dict[str, object]] = []
        for item in body.inputs:
            try:
                require(from_kind, item.from_.id)
                require(to_kind, item.to.id)
                keys = keys_for(from_kind, to_kind, item.types)
            except HubSpotApiError as error:
                errors.append(
                    batch_error(
                        error, {"fromObjectId": [item.from_.id], "toObjectId": [item.to.id]}
                    )
                )
                continue
            state.associate(from_kind, item.from_.id, to_kind, item.to.id, keys)
            results.append(labels_payload(from_kind, item.from_.id, to_kind, item.to.id))
        return JSONResponse(
            batch_envelope(results, errors, started), status_code=207 if errors else 201
        )

    @router.post(batch + "/read")
    async def batch_read(from_type: str, to_type: str, body: BatchAssociationRead) -> JSONResponse:
        from_kind, to_kind = resolve_type(from_type), resolve_type(to_type)
        check_batch_size(len(body.inputs), READ_LIMIT)
        started = datetime.now(UTC)
        results: list[dict[str, object]] = []
        errors: list[dict[str, object]] = []
        for item in body.inputs:
            linked = state.linked(from_kind, item.id, to_kind)
            if not linked:
                errors.append(
                    batch_error(
                        HubSpotApiError(
                            404,
                            f"No {to_kind.singular} is associated with {from_kind.singular} "
                            f"{item.id}.",
                            "OBJECT_NOT_FOUND",
                        ),
                        {"fromObjectId": [item.id]},
                    )
                )
                continue
            results.append(
                {
                    "from": {"id": item.id},
                    "to": [
                        {
                            "toObjectId": int(to_id),
                            "associationTypes": state.association_type_payload(from_kind, keys),
                        }
                        for to_id, keys in linked.items()
                    ],
                }
            )
        return JSONResponse(
            batch_envelope(results, errors, started), status_code=207 if errors else 200
        )

    @router.post(batch + "/archive", status_code=204)
    async def batch_archive(
        from_type: str, to_type: str, body: BatchAssociationArchive
    ) -> Response:
        from_kind, to_kind = resolve_type(from_type), resolve_type(to_type)
        check_batch_size(len(body.inputs), CREATE_LIMIT)
        for item in body.inputs:
            for target in item.to:
                state.dissociate(from_kind, item.from_.id, to_kind, target.id)
        return Response(status_code=204)

    @router.post(batch + "/labels/archive", status_code=204)
    async def batch_archive_labels(
        from_type: str, to_type: str, body: BatchAssociationCreate
    ) -> Response:
        from_kind, to_kind = resolve_type(from_type), resolve_type(to_type)
        check_batch_size(len(body.inputs), CREATE_LIMIT)
        for item in body.inputs:
            keys = [(s.associationCategory, s.associationTypeId) for s in item.types]
            state.dissociate(from_kind, item.from_.id, to_kind, item.to.id, keys)
        return Response(status_code=204)

    def labels(from_type: str, to_type: str) -> dict[str, object]:
        from_kind, to_kind = resolve_type(from_type), resolve_type(to_type)
        return {
            "results": [
                {"category": "HUBSPOT_DEFINED", "typeId": d.type_id, "label": d.label}
                for d in HUBSPOT_DEFINED
                if d.from_type == from_kind.type_id and d.to_type == to_kind.type_id
            ]
        }

    router.add_api_route("/crm/v4/associations/{from_type}/{to_type}/labels", labels)
    router.add_api_route("/crm/associations/v4/{from_type}/{to_type}/labels", labels)
    return router
