"""The emulator's lists: definitions and memberships of MANUAL and SNAPSHOT lists.

Members are records of the list's object type held in `HubSpotState`; a member that has since
been archived no longer shows in the list, as in HubSpot.
"""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass, field
from datetime import UTC, datetime

from salesauto.integrations.sandbox.hubspot.errors import HubSpotApiError
from salesauto.integrations.sandbox.hubspot.objects import ObjectType
from salesauto.integrations.sandbox.hubspot.properties import iso_ms
from salesauto.integrations.sandbox.hubspot.state import HubSpotState

# The sandbox has no filter engine, so lists whose members HubSpot would compute are refused.
SUPPORTED_PROCESSING = ("MANUAL", "SNAPSHOT")


@dataclass
class StoredList:
    id: str
    name: str
    kind: ObjectType
    processing_type: str
    created_at: datetime
    updated_at: datetime
    members: dict[str, datetime] = field(default_factory=dict)  # record id → added at


@dataclass
class MembershipRead:
    """One membership page served: which list, how many members, from where (for tests)."""

    list_id: str
    returned: int
    after: str | None


def list_not_found(list_id: str) -> HubSpotApiError:
    return HubSpotApiError(
        404,
        f"List does not exist with ID {list_id}.",
        "OBJECT_NOT_FOUND",
        context={"listId": [list_id]},
    )


class ListStore:
    def __init__(self, crm: HubSpotState) -> None:
        self.crm = crm
        self.clear()

    def clear(self) -> None:
        self.lists: dict[str, StoredList] = {}
        self.reads: list[MembershipRead] = []
        self._next_id = 1

    def create(self, name: str, kind: ObjectType, processing_type: str) -> StoredList:
        if not name.strip():
            raise HubSpotApiError(400, "List name must not be blank.", "VALIDATION_ERROR")
        if processing_type not in SUPPORTED_PROCESSING:
            raise HubSpotApiError(
                400,
                f"processingType {processing_type} is not supported by the sandbox: it keeps "
                f"{' and '.join(SUPPORTED_PROCESSING)} lists only.",
                "VALIDATION_ERROR",
            )
        now = datetime.now(UTC)
        stored = StoredList(str(self._next_id), name, kind, processing_type, now, now)
        self._next_id += 1
        self.lists[stored.id] = stored
        return stored

    def get(self, list_id: str) -> StoredList:
        found = self.lists.get(list_id)
        if found is None:
            raise list_not_found(list_id)
        return found

    def add(self, stored: StoredList, record_ids: list[str]) -> tuple[list[str], list[str]]:
        """Add live records; returns (added, missing). Existing members are left alone."""
        added: list[str] = []
        missing: list[str] = []
        now = datetime.now(UTC)
        for record_id in dict.fromkeys(record_ids):
            record = self.crm.find(stored.kind, record_id)
            if record is None or record.archived:
                missing.append(record_id)
            elif record_id not in stored.members:
                stored.members[record_id] = now
                added.append(record_id)
        if added:
            stored.updated_at = now
        return added, missing

    def remove(self, stored: StoredList, record_ids: list[str]) -> tuple[list[str], list[str]]:
        """Drop members; returns (removed, missing). An id that is no member is missing."""
        removed: list[str] = []
        missing: list[str] = []
        for record_id in dict.fromkeys(record_ids):
            if stored.members.pop(record_id, None) is None:
                missing.append(record_id)
            else:
                removed.append(record_id)
        if removed:
            stored.updated_at = datetime.now(UTC)
        return removed, missing

    def live_members(self, stored: StoredList) -> list[tuple[str, datetime]]:
        """Members whose record still exists, in ascending record id order."""
        records = self.crm.objects[stored.kind.type_id]
        return sorted(
            (
                (record_id, added_at)
                for record_id, added_at in stored.members.items()
                if record_id in records and not records[record_id].archived
            ),
            key=lambda member: int(member[0]),
        )

    def serialize(self, stored: StoredList) -> dict[str, object]:
        """The `PublicObjectList` body (ids are strings, as the v3 API sends them)."""
        return {
            "listId": stored.id,
            "listVersion": 1,
            "name": stored.name,
            "objectTypeId": stored.kind.type_id,
            "processingStatus": "COMPLETE",
            "processingType": stored.processing_type,
            "createdAt": iso_ms(stored.created_at),
            "updatedAt": iso_ms(stored.updated_at),
            "filtersUpdatedAt": iso_ms(stored.created_at),
            "size": len(self.live_members(stored)),
        }


def encode_after(record_id: str) -> str:
    """An opaque cursor, like HubSpot's: the last record id served, so paging stays stable
    when members are added meanwhile."""
    return base64.urlsafe_b64encode(f"after:{record_id}".encode()).decode().rstrip("=")


def decode_after(token: str) -> int:
    try:
        text = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)).decode()
        prefix, _, record_id = text.partition(":")
        if prefix != "after" or not record_id.isdigit():
            raise ValueError(token)
    except (ValueError, binascii.Error, UnicodeDecodeError):
        raise HubSpotApiError(400, f"Invalid paging token: {token}", "VALIDATION_ERROR") from None
    return int(record_id)
