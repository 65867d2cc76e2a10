"""Request bodies the emulator accepts, lenient where HubSpot's docs and spec disagree."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

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


class Body(BaseModel):
    model_config = ConfigDict(extra="ignore")


class AssociationTypeSpec(Body):
    associationCategory: Literal["HUBSPOT_DEFINED", "USER_DEFINED", "INTEGRATOR_DEFINED"]
    associationTypeId: int


class ObjectRef(Body):
    id: str


class CreateAssociation(Body):
    to: ObjectRef
    types: list[AssociationTypeSpec]


class ObjectCreate(Body):
    properties: dict[str, Any] = Field(default_factory=dict)
    # The spec marks it required, the docs omit it: a missing one means none.
    associations: list[CreateAssociation] = Field(default_factory=list)
    objectWriteTraceId: str | None = None


class ObjectPatch(Body):
    properties: dict[str, Any] = Field(default_factory=dict)


class BatchCreate(Body):
    inputs: list[ObjectCreate]


class BatchUpdateInput(Body):
    id: str
    idProperty: str | None = None
    properties: dict[str, Any] = Field(default_factory=dict)
    objectWriteTraceId: str | None = None


class BatchUpdate(Body):
    inputs: list[BatchUpdateInput]


class BatchReadInput(Body):
    id: str


class BatchRead(Body):
    inputs: list[BatchReadInput]
    properties: list[str] = Field(default_factory=list)
    propertiesWithHistory: list[str] = Field(default_factory=list)
    idProperty: str | None = None


class BatchArchive(Body):
    inputs: list[BatchReadInput]


class Filter(Body):
    propertyName: str
    operator: Operator
    value: Any = None
    highValue: Any = None
    values: list[Any] | None = None


class FilterGroup(Body):
    filters: list[Filter] = Field(default_factory=list)


class Sort(Body):
    propertyName: str
    direction: Literal["ASCENDING", "DESCENDING"] = "ASCENDING"


class SearchBody(Body):
    filterGroups: list[FilterGroup] = Field(default_factory=list)
    properties: list[str] | None = None
    # The docs send objects, the spec types `sorts` as strings: accept both.
    sorts: list[Sort | str] = Field(default_factory=list)
    query: str | None = None
    limit: int | None = None
    after: str | int | None = None


class AssociationPairInput(Body):
    # `from` is a Python keyword, hence the alias.
    from_: ObjectRef = Field(alias="from")
    to: ObjectRef


class BatchAssociateDefault(Body):
    inputs: list[AssociationPairInput]


class AssociationCreateInput(AssociationPairInput):
    types: list[AssociationTypeSpec]


class BatchAssociationCreate(Body):
    inputs: list[AssociationCreateInput]


class AssociationReadInput(Body):
    id: str
    after: str | None = None


class BatchAssociationRead(Body):
    inputs: list[AssociationReadInput]


class AssociationArchiveInput(Body):
    from_: ObjectRef = Field(alias="from")
    to: list[ObjectRef]


class BatchAssociationArchive(Body):
    inputs: list[AssociationArchiveInput]
