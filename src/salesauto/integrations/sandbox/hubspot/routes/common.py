"""What the route modules share: batch envelopes, all-or-nothing vs multi-status batches,
and the create/update steps that single and batch endpoints both run."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, datetime

from starlette.responses import JSONResponse, Response

from salesauto.integrations.sandbox.hubspot.errors import HubSpotApiError
from salesauto.integrations.sandbox.hubspot.objects import (
    DEFINED_BY_ID,
    ObjectType,
    resolve_type,
)
from salesauto.integrations.sandbox.hubspot.properties import iso_ms, validate_properties
from salesauto.integrations.sandbox.hubspot.schemas import CreateAssociation, ObjectCreate
from salesauto.integrations.sandbox.hubspot.state import (
    AssociationKey,
    HubSpotState,
    StoredObject,
    require_properties,
)

OBJECT_BATCH_LIMIT = 100

Commit = Callable[[], dict[str, object]]


def split_csv(value: str | None) -> list[str] | None:
    if not value:
        return None
    return [part.strip() for part in value.split(",") if part.strip()]


def check_batch_size(count: int, limit: int = OBJECT_BATCH_LIMIT) -> None:
    if count > limit:
        raise HubSpotApiError(
            400,
            f"Batch input is too large: {count} inputs were provided, while the maximum number "
            f"of inputs allowed per request is {limit}.",
            "VALIDATION_ERROR",
            context={"inputs": [str(count)], "maximum": [str(limit)]},
        )


def batch_error(error: HubSpotApiError, context: dict[str, list[str]]) -> dict[str, object]:
    return {
        "status": "error",
        "category": error.category,
        "message": error.message,
        "context": context,
        "errors": error.errors or [],
        "links": {},
    }


def batch_envelope(
    results: list[dict[str, object]], errors: list[dict[str, object]], started: datetime
) -> dict[str, object]:
    body: dict[str, object] = {
        "status": "COMPLETE",
        "results": results,
        "requestedAt": iso_ms(started),
        "startedAt": iso_ms(started),
        "completedAt": iso_ms(datetime.now(UTC)),
        "links": {},
    }
    if errors:
        body["numErrors"] = len(errors)
        body["errors"] = errors
    return body


def run_batch(
    prepared: Sequence[Callable[[], Commit]],
    trace_ids: Sequence[str | None],
    success_status: int,
) -> Response:
    """Validate every input, then write. HubSpot answers 207 with per-input errors only when
    each input carries its own `objectWriteTraceId`; otherwise one bad input fails the whole
    request and nothing is written."""
    started = datetime.now(UTC)
    multi_status = bool(trace_ids) and all(trace_ids) and len(set(trace_ids)) == len(trace_ids)
    commits: list[Commit] = []
    errors: list[dict[str, object]] = []
    for prepare, trace_id in zip(prepared, trace_ids, strict=True):
        try:
            commits.append(prepare())
        except HubSpotApiError as error:
            if not multi_status:
                return error.response()
            errors.append(batch_error(error, {"objectWriteTraceId": [str(trace_id)]}))
    results = [commit() for commit in commits]
    return JSONResponse(
        batch_envelope(results, errors, started), status_code=207 if errors else success_status
    )


def resolve_create_associations(
    state: HubSpotState, kind: ObjectType, associations: list[CreateAssociation]
) -> list[tuple[ObjectType, str, list[AssociationKey]]]:
    """v3 `associations` of a create body: HUBSPOT_DEFINED type ids name the target type."""
    resolved: list[tuple[ObjectType, str, list[AssociationKey]]] = []
    for association in associations:
        targets: set[str] = set()
        keys: list[AssociationKey] = []
        for spec in association.types:
            definition = DEFINED_BY_ID.get((kind.type_id, spec.associationTypeId))
            if spec.associationCategory != "HUBSPOT_DEFINED" or definition is None:
                raise HubSpotApiError(
                    400,
                    f"{spec.associationCategory} association type {spec.associationTypeId} is "
                    f"not defined for {kind.plural}",
                    "VALIDATION_ERROR",
                )
            targets.add(definition.to_type)
            keys.append((spec.associationCategory, spec.associationTypeId))
        if len(targets) != 1:
            raise HubSpotApiError(
                400,
                "Each association needs types that point at one object type",
                "VALIDATION_ERROR",
            )
        to_kind = resolve_type(targets.pop())
        target = state.find(to_kind, association.to.id)
        if target is None or target.archived:
            raise HubSpotApiError(
                400,
                f"One or more associations are invalid: {to_kind.singular} "
                f"{association.to.id} does not exist",
                "VALIDATION_ERROR",
            )
        resolved.append((to_kind, association.to.id, keys))
    return resolved


def prepare_create(
    state: HubSpotState,
    kind: ObjectType,
    body: ObjectCreate,
    pending_emails: set[str] | None = None,
) -> Callable[[], StoredObject]:
    """Check a create fully (properties, required ones, duplicate email, associations) and
    return the step that writes it; a batch runs every check before any write."""
    properties = validate_properties(kind, body.properties)
    email = properties.get("email")
    if email and pending_emails is not None:
        if email in pending_emails:
            raise HubSpotApiError(
                400, f"Duplicate email {email} in batch input", "VALIDATION_ERROR"
            )
        pending_emails.add(email)
    if email and kind.plural == "contacts" and email in state.email_index:
        existing = state.email_index[email]
        raise HubSpotApiError(409, f"Contact already exists. Existing ID: {existing}", "CONFLICT")
    require_properties(kind, properties)
    links = resolve_create_associations(state, kind, body.associations)

    def commit() -> StoredObject:
        record = state.create(kind, properties)
        for to_kind, to_id, keys in links:
            state.associate(kind, record.id, to_kind, to_id, keys)
        return record

    return commit


def prepare_update(
    state: HubSpotState,
    kind: ObjectType,
    object_id: str,
    id_property: str | None,
    raw_properties: dict[str, object],
) -> Callable[[], StoredObject]:
    record = state.get(kind, object_id, id_property)
    properties = validate_properties(kind, raw_properties)
    email = properties.get("email")
    holder = state.email_index.get(email) if email else None
    if holder is not None and holder != record.id:
        raise HubSpotApiError(409, f"Contact already exists. Existing ID: {holder}", "CONFLICT")
    return lambda: state.update(record, properties)
