"""Contact and company API bodies."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import ConfigDict, Field
from pydantic.alias_generators import to_camel

from salesauto.kit.schemas import ApiModel


class ContactView(ApiModel):
    # Built from whole rows: columns the API does not show (owner_id) are dropped.
    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True, extra="ignore")

    email: str
    stage: str = Field(description="imported, enriched, synced, enrolled, replied")
    source: str
    first_name: str | None = None
    last_name: str | None = None
    title: str | None = None
    phone: str | None = None
    linkedin_url: str | None = None
    company_name: str | None = None
    company_domain: str | None = None
    company_id: int | None = None
    score: int | None = None
    score_reasons: list[dict[str, Any]] | None = None
    data: dict[str, Any] = Field(default_factory=dict, description="Every other known field")
    provenance: dict[str, Any] = Field(
        default_factory=dict, description="Per field: the source that set it and when"
    )
    hubspot_id: str | None = None
    lemlist_lead_id: str | None = None
    imported_at: datetime
    updated_at: datetime | None = None
    enriched_at: datetime | None = None
    synced_at: datetime | None = None


class ContactPage(ApiModel):
    contacts: list[ContactView]
    next_cursor: str | None = None


class CompanyView(ApiModel):
    # Built from whole rows: columns the API does not show (owner_id) are dropped.
    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True, extra="ignore")

    id: int
    domain: str
    name: str | None = None
    data: dict[str, Any] = Field(default_factory=dict)
    provenance: dict[str, Any] = Field(default_factory=dict)
    hubspot_id: str | None = None
    contacts: int = Field(0, description="Contacts at this company")
    created_at: datetime
    updated_at: datetime | None = None


class CompanyPage(ApiModel):
    companies: list[CompanyView]
    next_cursor: str | None = None
