"""hubspot (continued): how records relate — associations, engagements on record timelines,
owners and lists (segments). Same client and conventions as `toolsets/hubspot.py`."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import Field

from salesauto.integrations.hubspot.schemas import (
    AssociationPair,
    AssociationSpec,
    LabelledAssociation,
    ObjectInput,
)
from salesauto.kit.errors import InvalidInput
from salesauto.kit.time import utcnow
from salesauto.tools.registry import tool
from salesauto.tools.spec import PageInput, Preview, ToolContext, ToolFlags, ToolInput, ToolOutput
from salesauto.tools.toolsets.hubspot import (
    HUBSPOT_READ,
    HUBSPOT_WRITE,
    ObjectType,
    hubspot_client,
    hubspot_objects,
)
from salesauto.tools.toolsets.provider_calls import call_provider

HUBSPOT_DELETE = ToolFlags(destructive=True, open_world=True)


# Associations and engagements -------------------------------------------------------------------


class AssociationList(PageInput):
    object_type: ObjectType
    object_id: str = Field(..., min_length=1, max_length=64)
    to_object_type: ObjectType


class LinkedRecord(ToolOutput):
    id: str
    labels: list[str] = Field(description="Association labels; empty for the default link.")
    type_ids: list[int]


class LinkedPage(ToolOutput):
    linked: list[LinkedRecord]
    next_cursor: str | None = None


@tool(toolset="hubspot", scope="integrations:read", flags=HUBSPOT_READ)
async def hubspot_list_associations(ctx: ToolContext, args: AssociationList) -> LinkedPage:
    """The records of `to_object_type` linked to one record (e.g. a company's contacts),
    with their association labels; read them with hubspot_get_objects. Free."""
    page = await hubspot_client(ctx).associations.list_page(
        args.object_type,
        args.object_id,
        args.to_object_type,
        limit=min(args.limit, 500),
        after=args.cursor,
    )
    return LinkedPage(
        linked=[
            LinkedRecord(
                id=item.to_object_id,
                labels=[t.label for t in item.association_types if t.label],
                type_ids=[t.type_id for t in item.association_types],
            )
            for item in page.results
        ],
        next_cursor=page.next_after,
    )


class Link(ToolInput):
    from_id: str = Field(..., min_length=1, max_length=64)
    to_id: str = Field(..., min_length=1, max_length=64)
    type_id: int | None = Field(
        None, description="A labelled type from hubspot_describe_schema; none = default link."
    )
    category: Literal["HUBSPOT_DEFINED", "USER_DEFINED"] = "HUBSPOT_DEFINED"


class AssociateRequest(ToolInput):
    from_object_type: ObjectType
    to_object_type: ObjectType
    links: list[Link] = Field(..., min_length=1, max_length=100)


class AssociateResult(ToolOutput):
    written: int
    errors: list[str] = Field(default_factory=list)


@tool(toolset="hubspot", scope="integrations:write", flags=HUBSPOT_WRITE)
async def hubspot_associate(ctx: ToolContext, args: AssociateRequest) -> AssociateResult:
    """Link records in batch (≤100), e.g. contacts to their company, with the default
    association or a labelled type (type ids from hubspot_describe_schema). Existing links
    stay. Free."""
    associations = hubspot_client(ctx).associations
    plain = [AssociationPair(from_id=x.from_id, to_id=x.to_id) for x in args.links if not x.type_id]
    labelled = [
        LabelledAssociation(
            from_id=x.from_id,
            to_id=x.to_id,
            types=[AssociationSpec(association_category=x.category, association_type_id=x.type_id)],
        )
        for x in args.links
        if x.type_id
    ]
    outcomes = []
    if plain:
        outcomes.append(
            await associations.batch_associate_default(
                args.from_object_type, args.to_object_type, plain
            )
        )
    if labelled:
        outcomes.append(
            await associations.batch_create(args.from_object_type, args.to_object_type, labelled)
        )
    result = AssociateResult(written=0)
    for outcome in outcomes:
        result.written += outcome.written
        result.errors += [error.message for error in outcome.errors]
    return result


ENGAGEMENT_TYPES = {
    "note": "notes", "task": "tasks", "call": "calls", "email": "emails", "meeting": "meetings",
}  # fmt: skip


class RecordRef(ToolInput):
    object_type: ObjectType
    id: str = Field(..., min_length=1, max_length=64)


class EngagementLog(ToolInput):
    kind: Literal["note", "task", "call", "email", "meeting"]
    body: str = Field(..., min_length=1, max_length=65_000)
    subject: str | None = Field(None, max_length=500, description="Title (not for notes).")
    at: datetime | None = Field(None, description="When it happened or is due; default now.")
    owner_id: str | None = Field(None, description="From hubspot_list_owners.")
    on: list[RecordRef] = Field(..., min_length=1, max_length=20, description="Records it is on.")


class EngagementLogged(ToolOutput):
    id: str
    object_type: str
    associated: int


def _engagement_properties(args: EngagementLog) -> dict[str, str]:
    moment = (args.at or utcnow()).isoformat()
    subject = args.subject or ""
    by_kind = {
        "note": {"hs_note_body": args.body},
        "task": {"hs_task_subject": subject or args.body[:200], "hs_task_body": args.body},
        "call": {"hs_call_title": subject, "hs_call_body": args.body},
        "email": {"hs_email_subject": subject, "hs_email_text": args.body},
        "meeting": {"hs_meeting_title": subject, "hs_meeting_body": args.body},
    }
    properties = {"hs_timestamp": moment, **by_kind[args.kind]}
    if args.kind == "task":
        properties["hs_task_status"] = "NOT_STARTED"
    if args.kind == "meeting":
        properties["hs_meeting_start_time"] = moment
    if args.owner_id:
        properties["hubspot_owner_id"] = args.owner_id
    return {key: value for key, value in properties.items() if value}


@tool(toolset="hubspot", scope="integrations:write", flags=HUBSPOT_WRITE)
async def hubspot_log_engagement(ctx: ToolContext, args: EngagementLog) -> EngagementLogged:
    """Put a note, task, call, email or meeting on the timeline of contacts, companies or
    deals (it is created, then linked to each record with the default association). Use it
    to record what happened outside HubSpot or a follow-up to do. Free."""
    object_type = ENGAGEMENT_TYPES[args.kind]
    record = await hubspot_objects(ctx, object_type).create(
        ObjectInput(properties=_engagement_properties(args))
    )
    associations = hubspot_client(ctx).associations
    for target in args.on:
        await associations.associate_default(object_type, record.id, target.object_type, target.id)
    return EngagementLogged(id=record.id, object_type=object_type, associated=len(args.on))


# Owners and lists -------------------------------------------------------------------------------


class OwnerSearch(PageInput):
    email: str | None = Field(None, max_length=320, description="Exact email of one owner.")


class OwnerView(ToolOutput):
    id: str
    email: str | None
    name: str
    teams: list[str]


class OwnerPage(ToolOutput):
    owners: list[OwnerView]
    next_cursor: str | None = None


@tool(toolset="hubspot", scope="integrations:read", flags=HUBSPOT_READ)
async def hubspot_list_owners(ctx: ToolContext, args: OwnerSearch) -> OwnerPage:
    """HubSpot users records can be assigned to, with their owner ids (for
    `hubspot_owner_id`) and teams; filter by email to resolve one person. Free."""
    page = await hubspot_client(ctx).list_owners(
        email=args.email, limit=min(args.limit, 100), after=args.cursor
    )
    return OwnerPage(
        owners=[
            OwnerView(
                id=o.id,
                email=o.email,
                name=o.full_name,
                teams=[t.name or t.id for t in o.teams],
            )
            for o in page.results
        ],
        next_cursor=page.next_after,
    )


class SegmentSearch(PageInput):
    query: str | None = Field(None, max_length=200, description="Part of a list's name.")


class SegmentPage(ToolOutput):
    segments: list[dict[str, Any]] = Field(
        description="listId, name, processingType (MANUAL, SNAPSHOT, DYNAMIC), size."
    )
    total: int | None = None
    next_cursor: str | None = None


@tool(toolset="hubspot", scope="integrations:read", flags=HUBSPOT_READ)
async def hubspot_list_segments(ctx: ToolContext, args: SegmentSearch) -> SegmentPage:
    """HubSpot lists (segments) by name, with their type and size. Only MANUAL and SNAPSHOT
    lists can be changed with hubspot_manage_segment. Free."""
    if args.cursor is not None and not args.cursor.isdigit():
        raise InvalidInput("cursor must be the next_cursor of a previous page", field="cursor")
    offset = int(args.cursor) if args.cursor else 0
    body = {"query": args.query or "", "count": min(args.limit, 500), "offset": offset}
    found = await call_provider(
        ctx, "hubspot", "POST", "/crm/v3/lists/search", json=body, idempotent=True
    )
    keys = ("listId", "name", "processingType", "objectTypeId", "updatedAt")
    # Search results carry the size only as `additionalProperties.hs_list_size` (a string).
    lists = [
        {
            **{key: item.get(key) for key in keys},
            "size": _list_size(item.get("additionalProperties") or {}),
        }
        for item in found.get("lists", [])
    ]
    more = found.get("hasMore")
    return SegmentPage(
        segments=lists,
        total=found.get("total"),
        next_cursor=str(found.get("offset")) if more else None,
    )


def _list_size(extra: dict[str, Any]) -> int | None:
    size = extra.get("hs_list_size")
    return int(size) if size is not None and str(size).isdigit() else None


class SegmentChange(ToolInput):
    action: Literal["create", "add", "remove"]
    list_id: str | None = Field(None, max_length=64, description="For add and remove.")
    list_name: str | None = Field(None, max_length=200, description="For create: a MANUAL list.")
    record_ids: list[str] = Field(default_factory=list, max_length=1000)


class SegmentChanged(ToolOutput):
    list_id: str
    name: str | None = None
    added: list[str] = Field(default_factory=list)
    removed: list[str] = Field(default_factory=list)
    missing: list[str] = Field(default_factory=list, description="Ids HubSpot does not know.")


def _check_segment_change(args: SegmentChange) -> None:
    if args.action == "create" and not args.list_name:
        raise InvalidInput("action=create needs a list_name", field="list_name")
    if args.action != "create" and not args.list_id:
        raise InvalidInput(
            f"action={args.action} needs list_id (see hubspot_list_segments)", field="list_id"
        )
    if args.action != "create" and not args.record_ids:
        raise InvalidInput(f"action={args.action} needs record_ids", field="record_ids")


async def _segment_preview(ctx: ToolContext, args: SegmentChange) -> Preview:
    _check_segment_change(args)
    if args.action == "create":
        summary = f"create the MANUAL contact list {args.list_name!r}"
        if args.record_ids:
            summary += f" with {len(args.record_ids)} member(s)"
        return Preview(summary=summary)
    found = await hubspot_client(ctx).lists.get_list(str(args.list_id))
    verb = "add" if args.action == "add" else "remove"
    return Preview(
        summary=f"{verb} {len(args.record_ids)} record(s) {'to' if verb == 'add' else 'from'} "
        f"the HubSpot list {found.name!r} ({found.size or 0} members now)",
        details={"list_id": found.list_id, "processing_type": found.processing_type},
    )


@tool(
    toolset="hubspot",
    scope="integrations:write",
    flags=HUBSPOT_DELETE,
    preview=_segment_preview,
)
async def hubspot_manage_segment(ctx: ToolContext, args: SegmentChange) -> SegmentChanged:
    """Create a static (MANUAL) contact list, or add or remove records in a MANUAL or
    SNAPSHOT list (ids from hubspot_search_objects; lists from hubspot_list_segments).
    Removing changes what HubSpot workflows and emails reach: the first call is a dry run
    returning a confirm_token. Free."""
    _check_segment_change(args)
    lists = hubspot_client(ctx).lists
    if args.action == "create":
        created = await lists.create_list(str(args.list_name))
        result = SegmentChanged(list_id=created.list_id, name=created.name)
        if args.record_ids:
            change = await lists.add_members(created.list_id, args.record_ids)
            result.added, result.missing = change.added, change.missing
        return result
    list_id = str(args.list_id)
    if args.action == "add":
        change = await lists.add_members(list_id, args.record_ids)
        return SegmentChanged(list_id=list_id, added=change.added, missing=change.missing)
    body = await call_provider(
        ctx, "hubspot", "PUT", f"/crm/v3/lists/{list_id}/memberships/remove", json=args.record_ids
    )
    return SegmentChanged(
        list_id=list_id,
        removed=[str(i) for i in body.get("recordIdsRemoved", [])],
        missing=[str(i) for i in body.get("recordIdsMissing", [])],
    )
