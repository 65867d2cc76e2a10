"""`HubSpotObjects`: the CRM v3 object API for one object type (contacts, companies, tasks,
notes): single records, batches of ≤ 100, list paging and search with `after` paging."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from functools import partial
from typing import Any, TypeVar
from urllib.parse import quote

from salesauto.integrations.http.client import ProviderHttp
from salesauto.integrations.http.errors import ProviderRejected
from salesauto.integrations.hubspot.errors import (
    HubSpotObjectExists,
    HubSpotSearchWindowExceeded,
    existing_id,
)
from salesauto.integrations.hubspot.profile import SEARCH_GROUP
from salesauto.integrations.hubspot.schemas import (
    BatchResult,
    HubSpotObject,
    ObjectInput,
    ObjectPage,
    ObjectUpdate,
    PropertyValues,
    SearchPage,
    SearchRequest,
    UpsertedObject,
)
from salesauto.kit.batching import chunked, gather_in_order

BATCH_LIMIT = 100
SEARCH_WINDOW = 10_000
LIST_LIMIT = 100

RecordT = TypeVar("RecordT", bound=HubSpotObject)


def _csv(values: Sequence[str] | None) -> str | None:
    return ",".join(values) if values else None


class HubSpotObjects:
    """One object type's endpoints under `/crm/v3/objects/{object_type}`."""

    def __init__(self, http: ProviderHttp, object_type: str) -> None:
        self.http = http
        self.object_type = object_type
        self.path = f"/crm/v3/objects/{object_type}"

    def _record_path(self, object_id: str) -> str:
        return f"{self.path}/{quote(object_id, safe='@')}"

    # Single records --------------------------------------------------------------------------

    async def get(
        self,
        object_id: str,
        *,
        id_property: str | None = None,
        properties: Sequence[str] | None = None,
        associations: Sequence[str] | None = None,
        archived: bool = False,
    ) -> HubSpotObject:
        """One record by id, or by a unique property (`id_property="email"` for contacts).
        A missing record raises `ProviderRejected` with status 404."""
        params = {
            "idProperty": id_property,
            "properties": _csv(properties),
            "associations": _csv(associations),
            "archived": "true" if archived else None,
        }
        response = await self.http.request(
            "GET", self._record_path(object_id), params=_present(params)
        )
        return HubSpotObject.model_validate(response.json())

    async def create(self, record: ObjectInput) -> HubSpotObject:
        """Create one record (with v3 associations if given). A contact whose email exists
        raises `HubSpotObjectExists` carrying the existing id."""
        try:
            response = await self.http.request("POST", self.path, json=record.wire())
        except ProviderRejected as error:
            found = existing_id(error) if error.status == 409 else None
            if found is not None:
                raise HubSpotObjectExists(error, found) from error
            raise
        return HubSpotObject.model_validate(response.json())

    async def update(
        self, object_id: str, properties: PropertyValues, *, id_property: str | None = None
    ) -> HubSpotObject:
        """Set properties (`""` clears one) on a record by id or unique property."""
        response = await self.http.request(
            "PATCH",
            self._record_path(object_id),
            params=_present({"idProperty": id_property}),
            json={"properties": properties},
            idempotent=True,
        )
        return HubSpotObject.model_validate(response.json())

    async def archive(self, object_id: str) -> None:
        """Archive (HubSpot's delete; restorable for 90 days)."""
        await self.http.request("DELETE", self._record_path(object_id))

    async def list_page(
        self,
        *,
        limit: int = LIST_LIMIT,
        after: str | None = None,
        properties: Sequence[str] | None = None,
        associations: Sequence[str] | None = None,
        archived: bool = False,
    ) -> ObjectPage:
        """One page of records in id order (`limit` ≤ 100); follow `next_after`."""
        params = {
            "limit": str(limit),
            "after": after,
            "properties": _csv(properties),
            "associations": _csv(associations),
            "archived": "true" if archived else None,
        }
        response = await self.http.request("GET", self.path, params=_present(params))
        return ObjectPage.model_validate(response.json())

    async def iterate(
        self, *, properties: Sequence[str] | None = None, archived: bool = False
    ) -> AsyncIterator[HubSpotObject]:
        """Every record, page by page."""
        after: str | None = None
        while True:
            page = await self.list_page(after=after, properties=properties, archived=archived)
            for record in page.results:
                yield record
            after = page.next_after
            if after is None:
                return

    # Batches (split into calls of ≤ 100 inputs) --------------------------------------------

    async def batch_read(
        self,
        ids: Sequence[str],
        *,
        id_property: str | None = None,
        properties: Sequence[str] | None = None,
    ) -> BatchResult[HubSpotObject]:
        """Records by id (or unique property); unknown ids come back as `errors`."""

        def body(chunk: list[str]) -> dict[str, Any]:
            return _present(
                {
                    "inputs": [{"id": object_id} for object_id in chunk],
                    "properties": list(properties or []),
                    "idProperty": id_property,
                }
            )

        return await self._batches(
            "read",
            [body(c) for c in chunked(ids, BATCH_LIMIT)],
            BatchResult[HubSpotObject],
            idempotent=True,
        )

    async def batch_create(self, inputs: Sequence[ObjectInput]) -> BatchResult[HubSpotObject]:
        """Create records. Give each input its own `object_write_trace_id` to get per-input
        errors (207) instead of one bad input failing its whole batch of 100."""
        bodies = [
            {"inputs": [item.wire() for item in chunk]} for chunk in chunked(inputs, BATCH_LIMIT)
        ]
        return await self._batches("create", bodies, BatchResult[HubSpotObject], idempotent=False)

    async def batch_update(self, inputs: Sequence[ObjectUpdate]) -> BatchResult[HubSpotObject]:
        """Update records by id (or unique property)."""
        bodies = [
            {"inputs": [item.wire() for item in chunk]} for chunk in chunked(inputs, BATCH_LIMIT)
        ]
        return await self._batches("update", bodies, BatchResult[HubSpotObject], idempotent=True)

    async def batch_upsert(self, inputs: Sequence[ObjectUpdate]) -> BatchResult[UpsertedObject]:
        """Create or update by a unique property (contacts: `id_property="email"`); each
        result says whether it was `new`."""
        bodies = [
            {"inputs": [item.wire() for item in chunk]} for chunk in chunked(inputs, BATCH_LIMIT)
        ]
        return await self._batches("upsert", bodies, BatchResult[UpsertedObject], idempotent=True)

    async def batch_archive(self, ids: Sequence[str]) -> None:
        """Archive records by id; unknown ids are ignored."""

        async def archive(chunk: list[str]) -> None:
            await self.http.request(
                "POST",
                f"{self.path}/batch/archive",
                json={"inputs": [{"id": object_id} for object_id in chunk]},
                idempotent=True,
            )

        await gather_in_order([partial(archive, chunk) for chunk in chunked(ids, BATCH_LIMIT)])

    async def _batches(
        self,
        action: str,
        bodies: list[dict[str, Any]],
        result_type: type[BatchResult[RecordT]],
        *,
        idempotent: bool,
    ) -> BatchResult[RecordT]:
        async def call(body: dict[str, Any]) -> BatchResult[RecordT]:
            response = await self.http.request(
                "POST", f"{self.path}/batch/{action}", json=body, idempotent=idempotent
            )
            return result_type.model_validate(response.json())

        parts = await gather_in_order([partial(call, body) for body in bodies])
        merged = result_type()
        for part in parts:
            merged.results.extend(part.results)
            merged.errors.extend(part.errors)
        return merged

    # Search ---------------------------------------------------------------------------------

    async def search(self, request: SearchRequest) -> SearchPage:
        """One page of a CRM search (5 searches per second; ≤ 200 results per page)."""
        response = await self.http.request(
            "POST",
            f"{self.path}/search",
            json=request.wire(),
            group=SEARCH_GROUP,
            idempotent=True,
        )
        return SearchPage.model_validate(response.json())

    async def search_all(
        self, request: SearchRequest, *, truncate: bool = False
    ) -> AsyncIterator[HubSpotObject]:
        """Every match, following `after` to the last page.

        HubSpot pages through at most 10,000 results of one query. When a query matches more,
        this raises `HubSpotSearchWindowExceeded` at the window's end, or with `truncate=True`
        stops there silently (having yielded the first 10,000).
        """
        after = int(request.after or 0)
        fetched = 0
        total = 0
        while True:
            if after >= SEARCH_WINDOW:
                if truncate:
                    return
                raise HubSpotSearchWindowExceeded(
                    total=total, fetched=fetched, window=SEARCH_WINDOW
                )
            # Never ask for a page that would reach past the window: HubSpot answers 400.
            limit = min(request.limit, SEARCH_WINDOW - after)
            page = await self.search(
                request.model_copy(update={"after": str(after) if after else None, "limit": limit})
            )
            total = page.total
            for record in page.results:
                fetched += 1
                yield record
            next_after = page.next_after
            if next_after is None:
                return
            after = int(next_after)


def _present(values: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in values.items() if value is not None}
