"""`HubSpotLists`: the CRM v3 Lists API (lists are called segments in HubSpot's app).

- `create_list`: a MANUAL (or SNAPSHOT) list of one object type, contacts by default.
- `get_list`: a list's definition, with its `size`.
- `add_members`: put existing records in a MANUAL/SNAPSHOT list.
- `list_members_page` / `iter_list_members`: members in record id order, ≤ 250 per page.

An unknown list id raises `HubSpotListNotFound` (a `ProviderRejected` with status 404).
"""

from __future__ import annotations

from collections.abc import AsyncGenerator, Sequence
from datetime import datetime
from typing import Any, Literal
from urllib.parse import quote

from pydantic import AliasChoices, Field

from salesauto.integrations.http.client import ProviderHttp
from salesauto.integrations.http.errors import ProviderRejected
from salesauto.integrations.hubspot.schemas import HubSpotInput, HubSpotOutput, Paging

CONTACTS_TYPE_ID = "0-1"
MEMBERSHIP_PAGE_LIMIT = 250
LISTS_PATH = "/crm/v3/lists"

ProcessingType = Literal["MANUAL", "SNAPSHOT", "DYNAMIC"]


class HubSpotListNotFound(ProviderRejected):
    """HubSpot has no list with this id (or the token cannot see it)."""

    def __init__(self, rejected: ProviderRejected, list_id: str) -> None:
        super().__init__(
            rejected.provider,
            f"HubSpot has no list {list_id}: {rejected.message}",
            status=404,
            body=rejected.body,
        )
        self.list_id = list_id
        self.details["listId"] = list_id


class ListCreate(HubSpotInput):
    name: str = Field(..., min_length=1)
    object_type_id: str = CONTACTS_TYPE_ID
    processing_type: ProcessingType = "MANUAL"


class HubSpotList(HubSpotOutput):
    """A list definition (`PublicObjectList`); `size` is HubSpot's member count."""

    list_id: str
    name: str
    object_type_id: str
    processing_type: str
    processing_status: str | None = None
    list_version: int | None = None
    size: int | None = None
    created_at: datetime | None = None
    updated_at: datetime | None = None

    @property
    def holds_contacts(self) -> bool:
        return self.object_type_id == CONTACTS_TYPE_ID


class _ListEnvelope(HubSpotOutput):
    # Every list endpoint wraps the definition in `{"list": {...}}`.
    found: HubSpotList = Field(..., alias="list")


class ListMembership(HubSpotOutput):
    record_id: str
    membership_timestamp: datetime | None = None


class MembershipPage(HubSpotOutput):
    results: list[ListMembership] = Field(default_factory=list)
    paging: Paging | None = None

    @property
    def next_after(self) -> str | None:
        return self.paging.next.after if self.paging and self.paging.next else None


class MembershipChange(HubSpotOutput):
    """What a membership update did. HubSpot's v3 field is spelled `recordsIdsAdded`; the
    dated API versions say `recordIdsAdded`, so both are read."""

    added: list[str] = Field(
        default_factory=list, validation_alias=AliasChoices("recordsIdsAdded", "recordIdsAdded")
    )
    removed: list[str] = Field(default_factory=list, validation_alias="recordIdsRemoved")
    missing: list[str] = Field(default_factory=list, validation_alias="recordIdsMissing")


class HubSpotLists:
    """The endpoints under `/crm/v3/lists`."""

    def __init__(self, http: ProviderHttp) -> None:
        self.http = http

    async def create_list(
        self,
        name: str,
        *,
        object_type_id: str = CONTACTS_TYPE_ID,
        processing_type: ProcessingType = "MANUAL",
    ) -> HubSpotList:
        """Create a list (MANUAL: members change only when someone adds or removes them).
        A DYNAMIC list needs filters, which this client does not build."""
        body = ListCreate(
            name=name, object_type_id=object_type_id, processing_type=processing_type
        ).wire()
        response = await self.http.request("POST", LISTS_PATH, json=body)
        return _ListEnvelope.model_validate(response.json()).found

    async def get_list(self, list_id: str) -> HubSpotList:
        """A list's definition and size; `HubSpotListNotFound` when there is no such list."""
        response = await self._list_call("GET", list_id, "")
        return _ListEnvelope.model_validate(response.json()).found

    async def add_members(self, list_id: str, record_ids: Sequence[str]) -> MembershipChange:
        """Add existing records to a MANUAL or SNAPSHOT list. Records already in it are left
        as they are; ids HubSpot does not know come back in `missing`."""
        response = await self._list_call(
            "PUT", list_id, "/memberships/add", json=[str(record_id) for record_id in record_ids]
        )
        return MembershipChange.model_validate(response.json())

    async def list_members_page(
        self, list_id: str, *, after: str | None = None, limit: int = MEMBERSHIP_PAGE_LIMIT
    ) -> MembershipPage:
        """One page of members in ascending record id order (`limit` ≤ 250)."""
        params = {"limit": str(limit)}
        if after:
            params["after"] = after
        response = await self._list_call("GET", list_id, "/memberships", params=params)
        return MembershipPage.model_validate(response.json())

    async def iter_list_members(self, list_id: str) -> AsyncGenerator[ListMembership, None]:
        """Every member of the list, 250 per call."""
        after: str | None = None
        while True:
            page = await self.list_members_page(list_id, after=after)
            for member in page.results:
                yield member
            after = page.next_after
            if after is None:
                return

    async def _list_call(
        self,
        method: str,
        list_id: str,
        suffix: str,
        *,
        params: dict[str, str] | None = None,
        json: Any = None,
    ) -> Any:
        path = f"{LISTS_PATH}/{quote(list_id, safe='')}{suffix}"
        try:
            return await self.http.request(method, path, params=params, json=json)
        except ProviderRejected as error:
            if error.status == 404:
                raise HubSpotListNotFound(error, list_id) from error
            raise
