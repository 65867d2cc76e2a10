"""HubSpot lists (v3) through the client against the emulator: create a list, add members,
page through them, and HubSpot's answers for unknown lists and bad requests."""

from __future__ import annotations

import httpx
import pytest

from salesauto.integrations.http.errors import ProviderRejected
from salesauto.integrations.hubspot.lists import HubSpotListNotFound
from salesauto.integrations.hubspot.schemas import ObjectInput
from salesauto.integrations.sandbox.hubspot.lists import ListStore
from tests.integrations.hubspot.conftest import HubSpotSandbox, hubspot_sandbox, raw_client


def list_store(sandbox: HubSpotSandbox) -> ListStore:
    store: ListStore = sandbox.app.state.hubspot_lists
    return store


async def create_contacts(sandbox: HubSpotSandbox, count: int, prefix: str = "p") -> list[str]:
    created = await sandbox.client.contacts.batch_create(
        [
            ObjectInput(properties={"email": f"{prefix}{n}@acme.com"}, object_write_trace_id=str(n))
            for n in range(count)
        ]
    )
    assert not created.errors
    return sorted((record.id for record in created.results), key=int)


async def test_a_list_is_created_filled_and_read_back_with_its_size() -> None:
    async with hubspot_sandbox() as sandbox:
        lists = sandbox.client.lists
        ids = await create_contacts(sandbox, 3)

        created = await lists.create_list("Webinar attendees")
        first = await lists.add_members(created.list_id, [ids[0], ids[1], "999999999"])
        again = await lists.add_members(created.list_id, [ids[1], ids[2]])
        found = await lists.get_list(created.list_id)

        assert (created.name, created.object_type_id, created.processing_type) == (
            "Webinar attendees",
            "0-1",
            "MANUAL",
        )
        assert created.holds_contacts and created.size == 0
        assert (first.added, first.missing) == ([ids[0], ids[1]], ["999999999"])
        assert (again.added, again.missing) == ([ids[2]], [])  # a member is not added twice
        assert (found.list_id, found.size, found.processing_status) == (
            created.list_id,
            3,
            "COMPLETE",
        )
        assert list_store(sandbox).get(created.list_id).members.keys() == set(ids)


async def test_members_are_paged_250_at_a_time_in_record_id_order() -> None:
    async with hubspot_sandbox() as sandbox:
        lists = sandbox.client.lists
        ids = await create_contacts(sandbox, 260)
        created = await lists.create_list("Big list")
        # Added in reverse: the pages still come in record id order.
        change = await lists.add_members(created.list_id, list(reversed(ids)))
        assert len(change.added) == 260

        first = await lists.list_members_page(created.list_id)
        members = [member async for member in lists.iter_list_members(created.list_id)]

        assert len(first.results) == 250 and first.next_after is not None
        assert [member.record_id for member in members] == ids
        assert all(member.membership_timestamp is not None for member in members)
        reads = [(read.returned, read.after is None) for read in list_store(sandbox).reads]
        assert reads == [(250, True), (250, True), (10, False)]


async def test_an_archived_member_leaves_the_list() -> None:
    async with hubspot_sandbox() as sandbox:
        lists = sandbox.client.lists
        ids = await create_contacts(sandbox, 3)
        created = await lists.create_list("Shrinking")
        await lists.add_members(created.list_id, ids)

        await sandbox.client.contacts.archive(ids[1])

        members = [member.record_id async for member in lists.iter_list_members(created.list_id)]
        assert members == [ids[0], ids[2]]
        assert (await lists.get_list(created.list_id)).size == 2


async def test_an_unknown_list_is_a_404_in_hubspots_shape() -> None:
    async with hubspot_sandbox() as sandbox:
        lists = sandbox.client.lists
        with pytest.raises(HubSpotListNotFound) as missing:
            await lists.get_list("424242")
        with pytest.raises(HubSpotListNotFound):
            await lists.list_members_page("424242")
        with pytest.raises(HubSpotListNotFound):
            await lists.add_members("424242", ["1"])

        assert missing.value.status == 404 and missing.value.list_id == "424242"
        assert isinstance(missing.value.body, dict)
        assert missing.value.body["category"] == "OBJECT_NOT_FOUND"
        assert missing.value.body["message"] == "List does not exist with ID 424242."
        assert "correlationId" in missing.value.body


async def test_the_emulator_refuses_what_hubspot_refuses() -> None:
    async with hubspot_sandbox() as sandbox:
        created = await sandbox.client.lists.create_list("Refusals")
        async with raw_client(sandbox.url) as raw:
            too_many = await raw.get(
                f"/crm/v3/lists/{created.list_id}/memberships", params={"limit": 251}
            )
            bad_cursor = await raw.get(
                f"/crm/v3/lists/{created.list_id}/memberships", params={"after": "nope"}
            )
            not_ids = await raw.put(
                f"/crm/v3/lists/{created.list_id}/memberships/add", json={"ids": ["1"]}
            )
        async with raw_client(sandbox.url, token=None) as anonymous:
            unauthenticated = await anonymous.get(f"/crm/v3/lists/{created.list_id}")

        assert too_many.status_code == 400
        assert too_many.json()["category"] == "VALIDATION_ERROR"
        assert bad_cursor.status_code == 400
        assert not_ids.status_code == 400  # the body is a bare JSON array of record ids
        assert unauthenticated.status_code == 401
        with pytest.raises(ProviderRejected) as dynamic:
            await sandbox.client.lists.create_list("Computed", processing_type="DYNAMIC")
        assert dynamic.value.status == 400


async def test_injected_faults_on_list_calls_are_retried() -> None:
    async with hubspot_sandbox() as sandbox:
        ids = await create_contacts(sandbox, 2)
        created = await sandbox.client.lists.create_list("Flaky")
        await sandbox.client.lists.add_members(created.list_id, ids)
        async with httpx.AsyncClient(base_url=sandbox.url) as control:
            await control.put("/_sandbox/faults", json={"force429": 2, "retryAfterSeconds": 0.2})

        members = [
            m.record_id async for m in sandbox.client.lists.iter_list_members(created.list_id)
        ]

        assert members == ids
        assert (await sandbox.stats())["throttled"] == 2
