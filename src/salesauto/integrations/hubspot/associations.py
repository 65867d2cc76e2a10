"""`HubSpotAssociations`: the v4 associations API (API_CONTRACTS §1.6).

Object types may be plural (`contacts`), singular (`contact`) or ids (`0-1`). Batch calls are
split at HubSpot's documented sizes: 2,000 inputs to create (also used for associate-default)
and 1,000 to read.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import partial
from typing import Any

from salesauto.integrations.http.client import ProviderHttp
from salesauto.integrations.hubspot.schemas import (
    AssociatedObject,
    AssociationBatchOutcome,
    AssociationPage,
    AssociationPair,
    AssociationSpec,
    BatchError,
    LabelledAssociation,
    LabelsBetween,
)
from salesauto.kit.batching import chunked, gather_in_order

CREATE_BATCH_LIMIT = 2000
READ_BATCH_LIMIT = 1000
LIST_LIMIT = 500


class HubSpotAssociations:
    def __init__(self, http: ProviderHttp) -> None:
        self.http = http

    @staticmethod
    def _pair_path(from_type: str, from_id: str) -> str:
        return f"/crm/v4/objects/{from_type}/{from_id}/associations"

    async def associate_default(
        self, from_type: str, from_id: str, to_type: str, to_id: str
    ) -> None:
        """Link two records with the pair's default (unlabelled) association type."""
        await self.http.request(
            "PUT", f"{self._pair_path(from_type, from_id)}/default/{to_type}/{to_id}"
        )

    async def associate(
        self,
        from_type: str,
        from_id: str,
        to_type: str,
        to_id: str,
        types: Sequence[AssociationSpec],
    ) -> LabelsBetween:
        """Set the association types (labels) between two records; replaces existing ones."""
        response = await self.http.request(
            "PUT",
            f"{self._pair_path(from_type, from_id)}/{to_type}/{to_id}",
            json=[spec.wire() for spec in types],
        )
        return LabelsBetween.model_validate(response.json())

    async def list_page(
        self,
        from_type: str,
        from_id: str,
        to_type: str,
        *,
        limit: int = LIST_LIMIT,
        after: str | None = None,
    ) -> AssociationPage:
        """One page (≤ 500) of the records of `to_type` linked to a record."""
        params: dict[str, Any] = {"limit": str(limit)}
        if after is not None:
            params["after"] = after
        response = await self.http.request(
            "GET", f"{self._pair_path(from_type, from_id)}/{to_type}", params=params
        )
        return AssociationPage.model_validate(response.json())

    async def list_all(self, from_type: str, from_id: str, to_type: str) -> list[AssociatedObject]:
        """Every linked record of `to_type`, following paging to the end."""
        found: list[AssociatedObject] = []
        after: str | None = None
        while True:
            page = await self.list_page(from_type, from_id, to_type, after=after)
            found.extend(page.results)
            after = page.next_after
            if after is None:
                return found

    async def remove(self, from_type: str, from_id: str, to_type: str, to_id: str) -> None:
        """Remove every association between two records."""
        await self.http.request(
            "DELETE", f"{self._pair_path(from_type, from_id)}/{to_type}/{to_id}"
        )

    async def batch_associate_default(
        self, from_type: str, to_type: str, pairs: Sequence[AssociationPair]
    ) -> AssociationBatchOutcome:
        """Default-associate many pairs; refused pairs are reported, not raised."""
        return await self._write(
            f"/crm/v4/associations/{from_type}/{to_type}/batch/associate/default", pairs
        )

    async def batch_create(
        self, from_type: str, to_type: str, inputs: Sequence[LabelledAssociation]
    ) -> AssociationBatchOutcome:
        """Create labelled associations; refused inputs are reported, not raised."""
        return await self._write(f"/crm/v4/associations/{from_type}/{to_type}/batch/create", inputs)

    async def batch_read(
        self, from_type: str, to_type: str, ids: Sequence[str]
    ) -> dict[str, list[AssociatedObject]]:
        """Linked records of `to_type` for each id (an id without any maps to `[]`)."""
        found: dict[str, list[AssociatedObject]] = {object_id: [] for object_id in ids}

        async def read(chunk: list[str]) -> None:
            response = await self.http.request(
                "POST",
                f"/crm/v4/associations/{from_type}/{to_type}/batch/read",
                json={"inputs": [{"id": object_id} for object_id in chunk]},
                idempotent=True,
            )
            for result in response.json().get("results", []):
                source = str(result["from"]["id"])
                found.setdefault(source, []).extend(
                    AssociatedObject.model_validate(item) for item in result.get("to", [])
                )

        await gather_in_order([partial(read, chunk) for chunk in chunked(ids, READ_BATCH_LIMIT)])
        return found

    async def batch_archive(
        self, from_type: str, to_type: str, pairs: Sequence[AssociationPair]
    ) -> None:
        """Remove every association between each pair."""
        grouped: dict[str, list[str]] = {}
        for pair in pairs:
            grouped.setdefault(pair.from_id, []).append(pair.to_id)
        inputs: list[dict[str, object]] = [
            {"from": {"id": from_id}, "to": [{"id": to_id} for to_id in to_ids]}
            for from_id, to_ids in grouped.items()
        ]

        async def archive(chunk: list[dict[str, object]]) -> None:
            await self.http.request(
                "POST",
                f"/crm/v4/associations/{from_type}/{to_type}/batch/archive",
                json={"inputs": chunk},
                idempotent=True,
            )

        await gather_in_order(
            [partial(archive, chunk) for chunk in chunked(inputs, CREATE_BATCH_LIMIT)]
        )

    async def _write(self, path: str, inputs: Sequence[AssociationPair]) -> AssociationBatchOutcome:
        async def write(chunk: list[AssociationPair]) -> AssociationBatchOutcome:
            response = await self.http.request(
                "POST", path, json={"inputs": [item.wire() for item in chunk]}, idempotent=True
            )
            body = response.json()
            return AssociationBatchOutcome(
                written=len(body.get("results", [])),
                errors=[BatchError.model_validate(e) for e in body.get("errors", [])],
            )

        parts = await gather_in_order(
            [partial(write, chunk) for chunk in chunked(inputs, CREATE_BATCH_LIMIT)]
        )
        outcome = AssociationBatchOutcome()
        for part in parts:
            outcome.written += part.written
            outcome.errors.extend(part.errors)
        return outcome
