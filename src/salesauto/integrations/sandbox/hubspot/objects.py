"""HubSpot's object types as the emulator knows them: names, ids, properties, association types.

Object types are addressed by plural name, singular name or `0-x` id (API_CONTRACTS §1.6).
Properties carry a kind so search compares them like HubSpot does: numbers as numbers, dates
as instants, enumerations case-sensitively and everything else as case-insensitive text.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from salesauto.integrations.sandbox.hubspot.errors import HubSpotApiError

PropertyKind = Literal["string", "number", "datetime", "enumeration"]


@dataclass(frozen=True)
class ObjectType:
    type_id: str
    plural: str
    singular: str
    # Writable properties and their kinds; anything else in a request body is rejected.
    writable: dict[str, PropertyKind]
    # Maintained by the emulator; sending them is a READ_ONLY_VALUE error.
    read_only: dict[str, PropertyKind]
    default_properties: tuple[str, ...]
    search_default_properties: tuple[str, ...]
    created_property: str
    modified_property: str
    # Properties the free-text `query` of a search looks at.
    query_properties: tuple[str, ...] = ()
    required_one_of: tuple[str, ...] = ()
    unique: tuple[str, ...] = field(default=("hs_object_id",))

    def kind(self, name: str) -> PropertyKind | None:
        return self.writable.get(name) or self.read_only.get(name)


_COMMON_READ_ONLY: dict[str, PropertyKind] = {"hs_object_id": "number"}

CONTACTS = ObjectType(
    type_id="0-1",
    plural="contacts",
    singular="contact",
    writable={
        "email": "string",
        "firstname": "string",
        "lastname": "string",
        "jobtitle": "string",
        "company": "string",
        "website": "string",
        "phone": "string",
        "mobilephone": "string",
        "address": "string",
        "city": "string",
        "state": "string",
        "zip": "string",
        "country": "string",
        "industry": "string",
        "annualrevenue": "number",
        "numemployees": "enumeration",
        "seniority": "string",
        "hs_linkedin_url": "string",
        "lifecyclestage": "enumeration",
        "hs_lead_status": "enumeration",
        "hubspot_owner_id": "enumeration",
        "hs_language": "enumeration",
        "message": "string",
    },
    read_only={
        **_COMMON_READ_ONLY,
        "createdate": "datetime",
        "lastmodifieddate": "datetime",
        "hs_email_domain": "string",
    },
    default_properties=("firstname", "lastname", "email"),
    search_default_properties=(
        "createdate",
        "email",
        "firstname",
        "hs_object_id",
        "lastmodifieddate",
        "lastname",
    ),
    created_property="createdate",
    modified_property="lastmodifieddate",
    query_properties=("firstname", "lastname", "email", "phone", "company", "hs_email_domain"),
    unique=("hs_object_id", "email"),
)

COMPANIES = ObjectType(
    type_id="0-2",
    plural="companies",
    singular="company",
    writable={
        "name": "string",
        "domain": "string",
        "website": "string",
        "description": "string",
        "industry": "string",
        "numberofemployees": "number",
        "annualrevenue": "number",
        "phone": "string",
        "address": "string",
        "city": "string",
        "state": "string",
        "zip": "string",
        "country": "string",
        "founded_year": "string",
        "linkedin_company_page": "string",
        "lifecyclestage": "enumeration",
        "type": "enumeration",
        "hubspot_owner_id": "enumeration",
    },
    read_only={**_COMMON_READ_ONLY, "createdate": "datetime", "hs_lastmodifieddate": "datetime"},
    default_properties=("name", "domain"),
    search_default_properties=(
        "name",
        "domain",
        "createdate",
        "hs_lastmodifieddate",
        "hs_object_id",
    ),
    created_property="createdate",
    modified_property="hs_lastmodifieddate",
    query_properties=("name", "domain", "website", "phone"),
    required_one_of=("domain", "name"),
)

_ENGAGEMENT_READ_ONLY: dict[str, PropertyKind] = {
    **_COMMON_READ_ONLY,
    "hs_createdate": "datetime",
    "hs_lastmodifieddate": "datetime",
}
_ENGAGEMENT_DEFAULTS = ("hs_createdate", "hs_lastmodifieddate", "hs_object_id")

TASKS = ObjectType(
    type_id="0-27",
    plural="tasks",
    singular="task",
    writable={
        "hs_timestamp": "datetime",
        "hs_task_subject": "string",
        "hs_task_body": "string",
        "hs_task_status": "enumeration",
        "hs_task_priority": "enumeration",
        "hs_task_type": "enumeration",
        "hubspot_owner_id": "enumeration",
    },
    read_only=_ENGAGEMENT_READ_ONLY,
    default_properties=_ENGAGEMENT_DEFAULTS,
    search_default_properties=_ENGAGEMENT_DEFAULTS,
    created_property="hs_createdate",
    modified_property="hs_lastmodifieddate",
    query_properties=("hs_task_subject", "hs_task_body"),
    required_one_of=("hs_timestamp",),
)

NOTES = ObjectType(
    type_id="0-46",
    plural="notes",
    singular="note",
    writable={
        "hs_timestamp": "datetime",
        "hs_note_body": "string",
        "hubspot_owner_id": "enumeration",
        "hs_attachment_ids": "enumeration",
    },
    read_only=_ENGAGEMENT_READ_ONLY,
    default_properties=_ENGAGEMENT_DEFAULTS,
    search_default_properties=_ENGAGEMENT_DEFAULTS,
    created_property="hs_createdate",
    modified_property="hs_lastmodifieddate",
    query_properties=("hs_note_body",),
    required_one_of=("hs_timestamp",),
)

OBJECT_TYPES = (CONTACTS, COMPANIES, TASKS, NOTES)
_BY_ALIAS = {
    alias: kind for kind in OBJECT_TYPES for alias in (kind.type_id, kind.plural, kind.singular)
}

# Allowed enumeration values where HubSpot documents them (others accept any token).
ENUM_OPTIONS: dict[str, frozenset[str]] = {
    "hs_task_status": frozenset({"NOT_STARTED", "IN_PROGRESS", "WAITING", "COMPLETED", "DEFERRED"}),
    "hs_task_priority": frozenset({"NONE", "LOW", "MEDIUM", "HIGH"}),
    "hs_task_type": frozenset({"EMAIL", "CALL", "TODO", "LINKED_IN", "LINKED_IN_MESSAGE"}),
}


def resolve_type(alias: str) -> ObjectType:
    """`contacts`, `contact` or `0-1` → the contacts type; HubSpot's 400 for anything else."""
    found = _BY_ALIAS.get(alias.lower())
    if found is None:
        raise HubSpotApiError(400, f"Unable to infer object type from: {alias}", "VALIDATION_ERROR")
    return found


@dataclass(frozen=True)
class AssociationTypeDef:
    type_id: int
    from_type: str
    to_type: str
    inverse: int
    label: str | None
    name: str
    default: bool


AssociationEnd = tuple[int, str, str | None, bool]  # (type id, v3 name, label, is default)


def _pair(
    from_type: ObjectType, to_type: ObjectType, forward: AssociationEnd, backward: AssociationEnd
) -> list[AssociationTypeDef]:
    """Both directions of one association: each side's type id names the other as inverse."""
    return [
        AssociationTypeDef(
            type_id=forward[0],
            from_type=from_type.type_id,
            to_type=to_type.type_id,
            inverse=backward[0],
            label=forward[2],
            name=forward[1],
            default=forward[3],
        ),
        AssociationTypeDef(
            type_id=backward[0],
            from_type=to_type.type_id,
            to_type=from_type.type_id,
            inverse=forward[0],
            label=backward[2],
            name=backward[1],
            default=backward[3],
        ),
    ]


# HUBSPOT_DEFINED type ids (API_CONTRACTS §1.6): (id, v3 name, label, is the pair's default).
HUBSPOT_DEFINED: list[AssociationTypeDef] = [
    *_pair(
        CONTACTS,
        COMPANIES,
        (279, "contact_to_company_unlabeled", None, True),
        (280, "company_to_contact_unlabeled", None, True),
    ),
    *_pair(
        CONTACTS,
        COMPANIES,
        (1, "contact_to_company", "Primary", False),
        (2, "company_to_contact", "Primary", False),
    ),
    *_pair(
        CONTACTS, NOTES, (201, "contact_to_note", None, True), (202, "note_to_contact", None, True)
    ),
    *_pair(
        CONTACTS, TASKS, (203, "contact_to_task", None, True), (204, "task_to_contact", None, True)
    ),
    *_pair(
        COMPANIES, NOTES, (189, "company_to_note", None, True), (190, "note_to_company", None, True)
    ),
    *_pair(
        COMPANIES, TASKS, (191, "company_to_task", None, True), (192, "task_to_company", None, True)
    ),
]
DEFINED_BY_ID = {(d.from_type, d.type_id): d for d in HUBSPOT_DEFINED}


def default_association(from_type: ObjectType, to_type: ObjectType) -> AssociationTypeDef:
    for definition in HUBSPOT_DEFINED:
        if (
            definition.default
            and definition.from_type == from_type.type_id
            and definition.to_type == to_type.type_id
        ):
            return definition
    raise HubSpotApiError(
        400,
        f"No default association type exists from {from_type.singular} to {to_type.singular}",
        "VALIDATION_ERROR",
    )
