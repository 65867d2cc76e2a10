"""Pydantic models of HubSpot's request and response bodies (CRM v3 objects, v4 associations).

Inputs forbid unknown fields and serialise with HubSpot's camelCase names; outputs ignore
fields they do not know and accept numbers where HubSpot's docs send them for string ids.
"""

from __future__ import annotations

from datetime import datetime
from typing import Generic, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field
from pydantic.alias_generators import to_camel

PropertyValues = dict[str, str]
AssociationCategory = Literal["HUBSPOT_DEFINED", "USER_DEFINED", "INTEGRATOR_DEFINED"]
Operator = Literal[
    "EQ",
    "NEQ",
    "LT",
    "LTE",
    "GT",
    "GTE",
    "BETWEEN",
    "IN",
    "NOT_IN",
    "HAS_PROPERTY",
    "NOT_HAS_PROPERTY",
    "CONTAINS_TOKEN",
    "NOT_CONTAINS_TOKEN",
]

# HUBSPOT_DEFINED association type ids this platform writes (API_CONTRACTS §1.6).
CONTACT_TO_COMPANY = 279
TASK_TO_CONTACT = 204
NOTE_TO_CONTACT = 202


class HubSpotInput(BaseModel):
    """A body we send: strict, camelCase on the wire."""

    model_config = ConfigDict(extra="forbid", alias_generator=to_camel, populate_by_name=True)

    def wire(self) -> dict[str, object]:
        return self.model_dump(by_alias=True, exclude_none=True, mode="json")


class HubSpotOutput(BaseModel):
    """A body HubSpot sends: tolerant of new fields and of numeric ids."""

    model_config = ConfigDict(
        extra="ignore", alias_generator=to_camel, populate_by_name=True, coerce_numbers_to_str=True
    )


# Objects ------------------------------------------------------------------------------------


class AssociationSpec(HubSpotInput):
    association_category: AssociationCategory = "HUBSPOT_DEFINED"
    association_type_id: int


class ObjectRef(HubSpotInput):
    id: str


class AssociationToCreate(HubSpotInput):
    """A v3 association inside a create body: the target record and the association types."""

    to: ObjectRef
    types: list[AssociationSpec]

    @classmethod
    def hubspot_defined(cls, to_id: str, type_id: int) -> AssociationToCreate:
        return cls(to=ObjectRef(id=to_id), types=[AssociationSpec(association_type_id=type_id)])


class ObjectInput(HubSpotInput):
    """A record to create. `object_write_trace_id` lets a batch report per-input errors."""

    properties: PropertyValues
    associations: list[AssociationToCreate] = Field(default_factory=list)
    object_write_trace_id: str | None = None


class ObjectUpdate(HubSpotInput):
    """A record to update (or upsert): `id` is the record id, or a unique value such as an
    email when `id_property` names that property."""

    id: str
    properties: PropertyValues
    id_property: str | None = None
    object_write_trace_id: str | None = None


class V3Association(HubSpotOutput):
    id: str
    type: str


class V3AssociationList(HubSpotOutput):
    results: list[V3Association] = Field(default_factory=list)


class HubSpotObject(HubSpotOutput):
    """A CRM record (`SimplePublicObject`); property values are strings or null."""

    id: str
    properties: dict[str, str | None]
    created_at: datetime
    updated_at: datetime
    archived: bool = False
    archived_at: datetime | None = None
    associations: dict[str, V3AssociationList] = Field(default_factory=dict)

    def prop(self, name: str) -> str | None:
        return self.properties.get(name)


class UpsertedObject(HubSpotObject):
    new: bool = Field(description="True when the upsert created the record")


class NextPage(HubSpotOutput):
    after: str
    link: str | None = None


class Paging(HubSpotOutput):
    next: NextPage | None = None


class ObjectPage(HubSpotOutput):
    results: list[HubSpotObject]
    paging: Paging | None = None

    @property
    def next_after(self) -> str | None:
        return self.paging.next.after if self.paging and self.paging.next else None


class BatchError(HubSpotOutput):
    status: str = "error"
    category: str | None = None
    message: str = ""
    context: dict[str, list[str]] = Field(default_factory=dict)


RecordT = TypeVar("RecordT", bound=HubSpotObject)


class BatchResult(HubSpotOutput, Generic[RecordT]):
    """Results of one or more batch calls, merged; `errors` are the per-input failures of
    207 multi-status answers."""

    status: str = "COMPLETE"
    results: list[RecordT] = Field(default_factory=list)
    errors: list[BatchError] = Field(default_factory=list)


# Search -------------------------------------------------------------------------------------


class Filter(HubSpotInput):
    property_name: str
    operator: Operator
    value: str | int | float | None = None
    high_value: str | int | float | None = None
    values: list[str] | None = None


class FilterGroup(HubSpotInput):
    filters: list[Filter]


class Sort(HubSpotInput):
    property_name: str
    direction: Literal["ASCENDING", "DESCENDING"] = "ASCENDING"


class SearchRequest(HubSpotInput):
    """Filter groups are OR-ed, filters inside a group AND-ed; at most 5 groups, 6 filters per
    group, 18 in all, one sort, `limit` ≤ 200."""

    filter_groups: list[FilterGroup] = Field(default_factory=list, max_length=5)
    properties: list[str] | None = None
    sorts: list[Sort] = Field(default_factory=list, max_length=1)
    query: str | None = None
    limit: int = Field(100, ge=1, le=200)
    after: str | None = None


class SearchPage(HubSpotOutput):
    total: int
    results: list[HubSpotObject]
    paging: Paging | None = None

    @property
    def next_after(self) -> str | None:
        return self.paging.next.after if self.paging and self.paging.next else None


# Associations v4 ----------------------------------------------------------------------------


class AssociationPair(HubSpotInput):
    from_id: str
    to_id: str

    def wire(self) -> dict[str, object]:
        return {"from": {"id": self.from_id}, "to": {"id": self.to_id}}


class LabelledAssociation(AssociationPair):
    types: list[AssociationSpec]

    def wire(self) -> dict[str, object]:
        return {**super().wire(), "types": [spec.wire() for spec in self.types]}


class AssociationTypeInfo(HubSpotOutput):
    category: str
    type_id: int
    label: str | None = None


class AssociatedObject(HubSpotOutput):
    to_object_id: str
    association_types: list[AssociationTypeInfo] = Field(default_factory=list)

    def has_type(self, type_id: int) -> bool:
        return any(t.type_id == type_id for t in self.association_types)


class AssociationPage(HubSpotOutput):
    results: list[AssociatedObject]
    paging: Paging | None = None

    @property
    def next_after(self) -> str | None:
        return self.paging.next.after if self.paging and self.paging.next else None


class LabelsBetween(HubSpotOutput):
    from_object_type_id: str
    from_object_id: str
    to_object_type_id: str
    to_object_id: str
    labels: list[str] = Field(default_factory=list)


class AssociationBatchOutcome(HubSpotOutput):
    """How many associations a batch wrote, and the inputs that failed."""

    written: int = 0
    errors: list[BatchError] = Field(default_factory=list)


# Owners -------------------------------------------------------------------------------------


class OwnerTeam(HubSpotOutput):
    id: str
    name: str | None = None
    primary: bool = False


class Owner(HubSpotOutput):
    id: str
    email: str | None = None
    first_name: str | None = None
    last_name: str | None = None
    user_id: int | None = None
    archived: bool = False
    teams: list[OwnerTeam] = Field(default_factory=list)

    @property
    def full_name(self) -> str:
        return " ".join(part for part in (self.first_name, self.last_name) if part) or (
            self.email or self.id
        )


class OwnerPage(HubSpotOutput):
    results: list[Owner]
    paging: Paging | None = None

    @property
    def next_after(self) -> str | None:
        return self.paging.next.after if self.paging and self.paging.next else None
