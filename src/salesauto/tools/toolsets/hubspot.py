"""hubspot: the connected HubSpot portal itself — account, schema, properties and records —
through `HubSpotClient` (limits, retries and breaker included); associations, engagements,
owners and lists are in `hubspot_links.py`.

Pushing our own contacts to HubSpot is `crm_sync_contacts` (a job); these tools read and write
HubSpot records directly. There is no delete tool on purpose (research/mcp-ai.md §4).
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import Field

from salesauto.integrations.hubspot import HubSpotClient, HubSpotObjects
from salesauto.integrations.hubspot.mapping import normalise_domain
from salesauto.integrations.hubspot.schemas import (
    FilterGroup,
    HubSpotObject,
    ObjectInput,
    ObjectUpdate,
    SearchRequest,
    Sort,
)
from salesauto.kit.errors import InvalidInput
from salesauto.tools.registry import tool
from salesauto.tools.spec import (
    PageInput,
    ToolContext,
    ToolFlags,
    ToolInput,
    ToolOutput,
)
from salesauto.tools.toolsets.provider_calls import call_provider

HUBSPOT_READ = ToolFlags(read_only=True, idempotent=True, open_world=True)
HUBSPOT_WRITE = ToolFlags(open_world=True)
HUBSPOT_OVERWRITE = ToolFlags(destructive=True, idempotent=True, open_world=True)
ObjectType = Annotated[
    str,
    Field(
        pattern=r"^[A-Za-z0-9_-]{1,64}$",
        description="contacts, companies, deals, tickets, tasks, notes, or a custom object's "
        "id (2-…) from hubspot_describe_schema.",
    ),
]


def hubspot_client(ctx: ToolContext) -> HubSpotClient:
    return ctx.platform.integrations.hubspot


def hubspot_objects(ctx: ToolContext, object_type: str) -> HubSpotObjects:
    return HubSpotObjects(hubspot_client(ctx).http, object_type)


async def _get_json(ctx: ToolContext, path: str) -> Any:
    return await call_provider(ctx, "hubspot", "GET", path)


class NoArguments(ToolInput):
    pass


class Record(ToolOutput):
    id: str
    properties: dict[str, str | None]
    created_at: datetime
    updated_at: datetime
    archived: bool = False

    @classmethod
    def of(cls, record: HubSpotObject) -> Record:
        return cls(
            id=record.id,
            properties=record.properties,
            created_at=record.created_at,
            updated_at=record.updated_at,
            archived=record.archived,
        )


# Portal and schema ----------------------------------------------------------------------------


class Account(ToolOutput):
    details: dict[str, Any] = Field(
        description="portalId, uiDomain, timeZone, companyCurrency, dataHostingLocation."
    )


@tool(toolset="hubspot", scope="integrations:read", flags=HUBSPOT_READ)
async def hubspot_get_account(ctx: ToolContext, args: NoArguments) -> Account:
    """The connected HubSpot portal: its id, UI domain (for record links), time zone and
    currency. Call it first to check which portal the tools write to. Free."""
    return Account(details=await _get_json(ctx, "/account-info/v3/details"))


class SchemaRequest(ToolInput):
    object_types: list[str] = Field(
        default_factory=lambda: ["contacts", "companies"],
        min_length=1,
        max_length=6,
        description="Standard types to describe (their association labels; pipelines for "
        "deals and tickets).",
    )
    include_custom_objects: bool = Field(False, description="Also list custom object types.")


class SchemaView(ToolOutput):
    association_labels: dict[str, list[dict[str, Any]]] = Field(
        description="Per `from->to` pair: category, type_id and label of each association type."
    )
    pipelines: dict[str, list[dict[str, Any]]] = Field(default_factory=dict)
    custom_objects: list[dict[str, Any]] = Field(default_factory=list)


@tool(toolset="hubspot", scope="integrations:read", flags=HUBSPOT_READ)
async def hubspot_describe_schema(ctx: ToolContext, args: SchemaRequest) -> SchemaView:
    """How the portal's CRM is shaped: the association types (with labels and type ids)
    between the given object types, the pipelines and stages of deals and tickets, and
    optionally the custom object types. Call it before hubspot_associate with a label or
    before writing a deal stage. Free."""
    labels: dict[str, list[dict[str, Any]]] = {}
    for source in args.object_types:
        for target in args.object_types:
            body = await _get_json(ctx, f"/crm/v4/associations/{source}/{target}/labels")
            labels[f"{source}->{target}"] = list(body.get("results", []))
    pipelines: dict[str, list[dict[str, Any]]] = {}
    for object_type in ("deals", "tickets"):
        if object_type in args.object_types:
            body = await _get_json(ctx, f"/crm/v3/pipelines/{object_type}")
            pipelines[object_type] = list(body.get("results", []))
    custom: list[dict[str, Any]] = []
    if args.include_custom_objects:
        body = await _get_json(ctx, "/crm/v3/schemas")
        custom = [
            {key: item.get(key) for key in ("objectTypeId", "name", "labels", "properties")}
            for item in body.get("results", [])
        ]
    return SchemaView(association_labels=labels, pipelines=pipelines, custom_objects=custom)


class PropertySearch(ToolInput):
    object_type: ObjectType
    keyword: str | None = Field(
        None, max_length=100, description="Part of a property's name, label or description."
    )
    limit: int = Field(25, ge=1, le=100)


class PropertyView(ToolOutput):
    name: str
    label: str | None = None
    type: str | None = None
    field_type: str | None = None
    description: str | None = None
    options: list[str] = Field(default_factory=list, description="Allowed values (enums).")


class PropertyList(ToolOutput):
    properties: list[PropertyView]
    total_matching: int


@tool(toolset="hubspot", scope="integrations:read", flags=HUBSPOT_READ)
async def hubspot_search_properties(ctx: ToolContext, args: PropertySearch) -> PropertyList:
    """Find an object type's properties by keyword: internal name, label, type and the
    allowed values of enumerations. Use it before filtering, sorting or writing a property
    you are not sure of (HubSpot rejects unknown names and enum values). Free."""
    body = await _get_json(ctx, f"/crm/v3/properties/{args.object_type}")
    needle = (args.keyword or "").lower()
    found = [
        item
        for item in body.get("results", [])
        if not needle
        or any(needle in str(item.get(key) or "").lower() for key in ("name", "label"))
        or needle in str(item.get("description") or "").lower()
    ]
    return PropertyList(
        properties=[
            PropertyView(
                name=item["name"],
                label=item.get("label"),
                type=item.get("type"),
                field_type=item.get("fieldType"),
                description=item.get("description"),
                options=[str(o.get("value")) for o in item.get("options") or []],
            )
            for item in found[: args.limit]
        ],
        total_matching=len(found),
    )


# Records ----------------------------------------------------------------------------------------


class ObjectSearch(PageInput):
    object_type: ObjectType
    query: str | None = Field(None, max_length=200, description="Free text over default fields.")
    filter_groups: list[FilterGroup] = Field(
        default_factory=list,
        max_length=5,
        description="Groups are OR-ed, filters in a group AND-ed (≤6 per group, 18 in all). "
        'A filter: {"property_name": "email", "operator": "EQ", "value": "a@b.com"}.',
    )
    properties: list[str] = Field(default_factory=list, max_length=50)
    sort: Sort | None = None


class RecordPage(ToolOutput):
    total: int = Field(description="Matches in all (HubSpot pages through at most 10,000).")
    records: list[Record]
    next_cursor: str | None = None


@tool(toolset="hubspot", scope="integrations:read", flags=HUBSPOT_READ)
async def hubspot_search_objects(ctx: ToolContext, args: ObjectSearch) -> RecordPage:
    """Search any HubSpot object type by free text and/or property filters, with one sort,
    a page at a time; returns the total. Use hubspot_search_properties for property names.
    HubSpot allows 5 searches a second. Free."""
    request = SearchRequest(
        filter_groups=args.filter_groups,
        properties=args.properties or None,
        sorts=[args.sort] if args.sort else [],
        query=args.query,
        limit=args.limit,
        after=args.cursor,
    )
    page = await hubspot_objects(ctx, args.object_type).search(request)
    return RecordPage(
        total=page.total,
        records=[Record.of(record) for record in page.results],
        next_cursor=page.next_after,
    )


class ObjectRead(ToolInput):
    object_type: ObjectType
    ids: list[str] = Field(..., min_length=1, max_length=100)
    id_property: Literal["hs_object_id", "email", "domain"] = Field(
        "hs_object_id", description="email for contacts; domain for companies."
    )
    properties: list[str] = Field(default_factory=list, max_length=50)


class RecordBatch(ToolOutput):
    records: list[Record]
    missing: list[str] = Field(default_factory=list, description="Values HubSpot did not find.")


@tool(toolset="hubspot", scope="integrations:read", flags=HUBSPOT_READ)
async def hubspot_get_objects(ctx: ToolContext, args: ObjectRead) -> RecordBatch:
    """Read up to 100 records of one type by id, contacts by email, or companies by domain
    (the oldest company when several share a domain), with the properties asked for. Free."""
    objects = hubspot_objects(ctx, args.object_type)
    if args.id_property == "domain":
        if args.object_type != "companies":
            raise InvalidInput("id_property=domain works for companies only", field="id_property")
        by_domain = await hubspot_client(ctx).find_companies_by_domain(args.ids)
        result = await objects.batch_read(
            list(dict.fromkeys(by_domain.values())), properties=args.properties
        )
        missing = [d for d in args.ids if normalise_domain(d) not in by_domain]
        return RecordBatch(records=[Record.of(r) for r in result.results], missing=missing)
    id_property = None if args.id_property == "hs_object_id" else args.id_property
    result = await objects.batch_read(args.ids, id_property=id_property, properties=args.properties)
    records = [Record.of(record) for record in result.results]
    found = {
        (r.id if id_property is None else r.properties.get(id_property) or "").lower()
        for r in records
    }
    missing = [value for value in args.ids if value.lower() not in found]
    return RecordBatch(records=records, missing=missing)


class RecordWrite(ToolInput):
    properties: dict[str, str] = Field(..., description='"" clears a property.')
    id: str | None = Field(None, description="Record id, or the unique value of id_property.")
    id_property: str | None = Field(
        None, description="e.g. email: update the contact with this email, or create it."
    )


class ObjectUpsert(ToolInput):
    object_type: ObjectType
    records: list[RecordWrite] = Field(..., min_length=1, max_length=100)


class WriteResult(ToolOutput):
    created: list[Record]
    updated: list[Record]
    errors: list[str] = Field(default_factory=list, description="Inputs HubSpot refused, why.")


@tool(toolset="hubspot", scope="integrations:write", flags=HUBSPOT_OVERWRITE)
async def hubspot_upsert_objects(ctx: ToolContext, args: ObjectUpsert) -> WriteResult:
    """Create or update up to 100 records of one type in batch: a record with `id` updates
    that record; with `id` and `id_property` (e.g. email for contacts) it is updated or
    created by that unique value; without `id` it is created (again on every call: prefer
    an id_property). Non-empty values overwrite HubSpot's. Check property names with
    hubspot_search_properties first. Free."""
    if any(r.id_property and not r.id for r in args.records):
        raise InvalidInput("a record with id_property needs its value in `id`", field="records")
    objects = hubspot_objects(ctx, args.object_type)
    upserts = [
        ObjectUpdate(id=r.id, id_property=r.id_property, properties=r.properties)
        for r in args.records
        if r.id and r.id_property
    ]
    updates = [
        ObjectUpdate(id=r.id, properties=r.properties)
        for r in args.records
        if r.id and not r.id_property
    ]
    creates = [ObjectInput(properties=r.properties) for r in args.records if not r.id]
    result = WriteResult(created=[], updated=[])
    if upserts:
        upserted = await objects.batch_upsert(upserts)
        for record in upserted.results:
            (result.created if record.new else result.updated).append(Record.of(record))
        result.errors += [error.message for error in upserted.errors]
    if updates:
        updated = await objects.batch_update(updates)
        result.updated += [Record.of(record) for record in updated.results]
        result.errors += [error.message for error in updated.errors]
    if creates:
        created = await objects.batch_create(creates)
        result.created += [Record.of(record) for record in created.results]
        result.errors += [error.message for error in created.errors]
    return result
