"""The portal's own description: account details, property definitions, pipelines, schemas.

Property definitions are derived from the emulator's object types, so what
`GET /crm/v3/properties/{type}` lists is exactly what a write accepts. Pipelines are HubSpot's
defaults for deals and tickets; the sandbox has no custom objects, so `/crm/v3/schemas` is empty.
"""

from __future__ import annotations

from datetime import UTC, datetime

from fastapi import APIRouter

from salesauto.integrations.sandbox.hubspot.errors import HubSpotApiError
from salesauto.integrations.sandbox.hubspot.objects import (
    ENUM_OPTIONS,
    ObjectType,
    PropertyKind,
    resolve_type,
)
from salesauto.integrations.sandbox.hubspot.properties import iso_ms
from salesauto.integrations.sandbox.hubspot.state import HubSpotState

# HubSpot's default stamp on its own definitions; fixed so responses are reproducible.
DEFINED_AT = iso_ms(datetime(2019, 8, 6, 2, 41, 52, tzinfo=UTC))
FIELD_TYPES: dict[PropertyKind, tuple[str, str]] = {  # kind → (type, fieldType)
    "string": ("string", "text"),
    "number": ("number", "number"),
    "datetime": ("datetime", "date"),
    "enumeration": ("enumeration", "select"),
}
# (id, label, probability, closed) of the default "Sales Pipeline".
DEAL_STAGES = (
    ("appointmentscheduled", "Appointment Scheduled", "0.2", False),
    ("qualifiedtobuy", "Qualified To Buy", "0.4", False),
    ("presentationscheduled", "Presentation Scheduled", "0.6", False),
    ("decisionmakerboughtin", "Decision Maker Bought-In", "0.8", False),
    ("contractsent", "Contract Sent", "0.9", False),
    ("closedwon", "Closed Won", "1.0", True),
    ("closedlost", "Closed Lost", "0.0", True),
)
# (id, label, ticketState) of the default "Support Pipeline".
TICKET_STAGES = (
    ("1", "New", "OPEN"),
    ("2", "Waiting on contact", "OPEN"),
    ("3", "Waiting on us", "OPEN"),
    ("4", "Closed", "CLOSED"),
)


def account_details(state: HubSpotState) -> dict[str, object]:
    """`GET /account-info/v3/details`: the portal id follows the sandbox seed."""
    return {
        "portalId": 10_000_000 + state.seed % 90_000_000,
        "accountType": "STANDARD",
        "timeZone": "US/Eastern",
        "companyCurrency": "USD",
        "additionalCurrencies": [],
        "utcOffset": "-05:00",
        "utcOffsetMilliseconds": -18_000_000,
        "uiDomain": "app.hubspot.com",
        "dataHostingLocation": "na1",
    }


def property_definition(kind: ObjectType, name: str, order: int) -> dict[str, object]:
    property_kind = kind.kind(name) or "string"
    value_type, field_type = FIELD_TYPES[property_kind]
    read_only = name in kind.read_only
    options = sorted(ENUM_OPTIONS.get(name, ()))
    return {
        "name": name,
        "label": name.removeprefix("hs_").replace("_", " ").capitalize(),
        "type": value_type,
        "fieldType": field_type,
        "description": "",
        "groupName": f"{kind.singular}information",
        "options": [
            {
                "label": value.replace("_", " ").capitalize(),
                "value": value,
                "displayOrder": i,
                "hidden": False,
            }
            for i, value in enumerate(options)
        ],
        "displayOrder": order,
        "calculated": False,
        "externalOptions": False,
        "hasUniqueValue": name in kind.unique or name == "email",
        "hidden": False,
        "hubspotDefined": True,
        "modificationMetadata": {
            "archivable": not read_only,
            "readOnlyDefinition": True,
            "readOnlyValue": read_only,
        },
        "formField": not read_only,
        "createdAt": DEFINED_AT,
        "updatedAt": DEFINED_AT,
        "archived": False,
    }


def _stage(stage_id: str, label: str, order: int, metadata: dict[str, str]) -> dict[str, object]:
    return {
        "id": stage_id,
        "label": label,
        "displayOrder": order,
        "metadata": metadata,
        "createdAt": DEFINED_AT,
        "updatedAt": DEFINED_AT,
        "archived": False,
        "writePermissions": "CRM_PERMISSIONS_ENFORCEMENT",
    }


def _pipeline(pipeline_id: str, label: str, stages: list[dict[str, object]]) -> dict[str, object]:
    return {
        "id": pipeline_id,
        "label": label,
        "displayOrder": 0,
        "stages": stages,
        "createdAt": DEFINED_AT,
        "updatedAt": DEFINED_AT,
        "archived": False,
    }


def default_pipelines(object_type: str) -> list[dict[str, object]]:
    if object_type.lower() in ("deals", "deal", "0-3"):
        deal_stages = [
            _stage(stage_id, label, i, {"isClosed": str(closed).lower(), "probability": chance})
            for i, (stage_id, label, chance, closed) in enumerate(DEAL_STAGES)
        ]
        return [_pipeline("default", "Sales Pipeline", deal_stages)]
    if object_type.lower() in ("tickets", "ticket", "0-5"):
        ticket_stages = [
            _stage(stage_id, label, i, {"ticketState": ticket_state})
            for i, (stage_id, label, ticket_state) in enumerate(TICKET_STAGES)
        ]
        return [_pipeline("0", "Support Pipeline", ticket_stages)]
    raise HubSpotApiError(
        400,
        f"Pipelines are not supported for object type {object_type}: use deals or tickets.",
        "VALIDATION_ERROR",
    )


def portal_router(state: HubSpotState) -> APIRouter:
    router = APIRouter()

    @router.get("/account-info/v3/details")
    async def get_account_details() -> dict[str, object]:
        return account_details(state)

    @router.get("/crm/v3/properties/{object_type}")
    async def list_properties(object_type: str, archived: bool = False) -> dict[str, object]:
        kind = resolve_type(object_type)
        if archived:  # the sandbox never archives a property definition
            return {"results": []}
        names = [*kind.writable, *kind.read_only]
        return {"results": [property_definition(kind, n, i) for i, n in enumerate(names)]}

    @router.get("/crm/v3/pipelines/{object_type}")
    async def list_pipelines(object_type: str) -> dict[str, object]:
        return {"results": default_pipelines(object_type)}

    @router.get("/crm/v3/schemas")
    async def list_schemas(archived: bool = False) -> dict[str, object]:
        return {"results": []}

    return router
