"""HubSpotClient against its emulator over real HTTP: what a user of the CRM would see."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from salesauto.integrations.capabilities import CrmSink
from salesauto.integrations.http.errors import ProviderRejected
from salesauto.integrations.hubspot import (
    HubSpotAssociationFailed,
    HubSpotObjectExists,
    HubSpotSearchWindowExceeded,
)
from salesauto.integrations.hubspot.schemas import (
    Filter,
    FilterGroup,
    ObjectInput,
    ObjectUpdate,
    SearchRequest,
    Sort,
)
from salesauto.integrations.models import CrmCompany, CrmContact, CrmNote, CrmTask
from salesauto.integrations.sandbox.hubspot.objects import CONTACTS
from tests.integrations.hubspot.conftest import hubspot_sandbox


async def test_client_is_a_crm_sink_and_check_reports_owners() -> None:
    async with hubspot_sandbox() as sandbox:
        assert isinstance(sandbox.client, CrmSink)
        summary = await sandbox.client.check()
        assert summary.startswith("HubSpot reachable: 3 owner(s)")
        owners = await sandbox.client.all_owners()
        assert [o.first_name for o in owners] == ["Dana", "Marcus", "Ines"]


async def test_contact_round_trip_create_get_update_archive() -> None:
    async with hubspot_sandbox() as sandbox:
        contacts = sandbox.client.contacts
        created = await contacts.create(
            ObjectInput(properties={"email": "Jane@Acme.com", "firstname": "Jane"})
        )
        assert created.id.isdigit()
        assert created.created_at.tzinfo is not None

        by_id = await contacts.get(created.id, properties=["email", "firstname", "jobtitle"])
        assert by_id.prop("email") == "jane@acme.com"  # HubSpot stores emails lowercased
        assert by_id.prop("jobtitle") is None
        by_email = await contacts.get("jane@acme.com", id_property="email")
        assert by_email.id == created.id

        updated = await contacts.update(
            "jane@acme.com", {"lastname": "Doe", "firstname": ""}, id_property="email"
        )
        assert updated.prop("lastname") == "Doe"
        assert updated.prop("firstname") is None  # "" clears a value
        assert updated.updated_at >= created.updated_at

        await contacts.archive(created.id)
        with pytest.raises(ProviderRejected) as missing:
            await contacts.get(created.id)
        assert missing.value.status == 404
        archived = await contacts.get(created.id, archived=True)
        assert archived.archived and archived.archived_at is not None


async def test_creating_a_duplicate_contact_names_the_existing_id() -> None:
    async with hubspot_sandbox() as sandbox:
        first = await sandbox.client.contacts.create(
            ObjectInput(properties={"email": "dup@acme.com"})
        )
        with pytest.raises(HubSpotObjectExists) as conflict:
            await sandbox.client.contacts.create(ObjectInput(properties={"email": "DUP@acme.com"}))
        assert conflict.value.existing_id == first.id
        assert conflict.value.status == 409


async def test_upserting_250_contacts_takes_three_calls_and_reports_new_then_existing() -> None:
    async with hubspot_sandbox() as sandbox:
        people = [
            CrmContact(email=f"person{i}@example.com", first_name=f"P{i}", job_title="CTO")
            for i in range(250)
        ]
        first = await sandbox.client.upsert_contacts(people)

        assert (await sandbox.stats())["requests"] == 3
        stored = [r for r in sandbox.state.records(CONTACTS) if not r.archived]
        assert len(stored) == 250
        assert [o.key for o in first] == [p.email for p in people]
        assert all(o.created and o.crm_id and o.error is None for o in first)

        renamed = [p.model_copy(update={"last_name": "Again"}) for p in people]
        second = await sandbox.client.upsert_contacts(renamed)
        assert (await sandbox.stats())["requests"] == 6
        assert [o.crm_id for o in second] == [o.crm_id for o in first]
        assert not any(o.created for o in second)
        assert len(list(sandbox.state.records(CONTACTS))) == 250
        again = await sandbox.client.contacts.get(
            "person7@example.com", id_property="email", properties=["lastname", "jobtitle"]
        )
        assert again.prop("lastname") == "Again" and again.prop("jobtitle") == "CTO"


async def test_upsert_contacts_reports_a_bad_input_without_failing_its_batch() -> None:
    async with hubspot_sandbox() as sandbox:
        outcomes = await sandbox.client.upsert_contacts(
            [
                CrmContact(email="good@example.com"),
                CrmContact(email="bad@example.com", properties={"no_such_property": "x"}),
                CrmContact(email="good@example.com", first_name="Merged"),
            ]
        )
        assert outcomes[0].crm_id and outcomes[0].crm_id == outcomes[2].crm_id
        assert outcomes[1].crm_id is None
        assert outcomes[1].error and "no_such_property" in outcomes[1].error
        good = await sandbox.client.contacts.get("good@example.com", id_property="email")
        assert good.prop("firstname") == "Merged"


async def test_search_pages_to_the_end_and_yields_every_match_once() -> None:
    async with hubspot_sandbox() as sandbox:
        created = await sandbox.client.contacts.batch_create(
            [ObjectInput(properties={"email": f"lead{i}@found.io"}) for i in range(450)]
            + [ObjectInput(properties={"email": f"other{i}@elsewhere.io"}) for i in range(20)]
        )
        wanted = {r.id for r in created.results if (r.prop("email") or "").endswith("@found.io")}
        before = (await sandbox.stats())["requests"]

        request = SearchRequest(
            filter_groups=[
                FilterGroup(
                    filters=[
                        Filter(property_name="email", operator="CONTAINS_TOKEN", value="*@found.io")
                    ]
                )
            ],
            sorts=[Sort(property_name="createdate", direction="DESCENDING")],
            limit=200,
        )
        ids = [record.id async for record in sandbox.client.contacts.search_all(request)]

        assert (await sandbox.stats())["requests"] - before == 3
        assert len(ids) == 450 and set(ids) == wanted


async def test_search_stops_at_the_ten_thousand_result_window() -> None:
    async with hubspot_sandbox() as sandbox:
        for i in range(10_050):
            sandbox.state.create(CONTACTS, {"email": f"bulk{i}@many.io"})
        request = SearchRequest(limit=200, after="9800")

        seen: list[str] = []
        with pytest.raises(HubSpotSearchWindowExceeded) as exceeded:
            async for record in sandbox.client.contacts.search_all(request):
                seen.append(record.id)
        assert len(seen) == 200
        assert exceeded.value.total == 10_050

        truncated = [r.id async for r in sandbox.client.contacts.search_all(request, truncate=True)]
        assert truncated == seen


async def test_companies_upsert_by_domain_creates_then_updates() -> None:
    async with hubspot_sandbox() as sandbox:
        first = await sandbox.client.upsert_companies(
            [
                CrmCompany(domain="acme.com", name="Acme", employees=120),
                CrmCompany(domain="globex.io", name="Globex", industry="COMPUTER_SOFTWARE"),
            ]
        )
        assert [o.created for o in first] == [True, True]

        second = await sandbox.client.upsert_companies(
            [
                CrmCompany(domain="https://www.ACME.com/about", name="Acme Corp"),
                CrmCompany(domain="initech.net", name="Initech"),
            ]
        )
        assert second[0].crm_id == first[0].crm_id and not second[0].created
        assert second[1].created and second[1].key == "initech.net"

        acme = await sandbox.client.companies.get(
            str(first[0].crm_id), properties=["name", "domain", "numberofemployees"]
        )
        assert acme.prop("name") == "Acme Corp"
        assert acme.prop("numberofemployees") == "120"
        companies = [r async for r in sandbox.client.companies.iterate()]
        assert sorted(str(r.prop("domain")) for r in companies) == [
            "acme.com",
            "globex.io",
            "initech.net",
        ]


async def test_associations_tasks_and_notes_read_back_through_v4() -> None:
    async with hubspot_sandbox() as sandbox:
        client = sandbox.client
        [contact] = await client.upsert_contacts([CrmContact(email="jane@acme.com")])
        [company] = await client.upsert_companies([CrmCompany(domain="acme.com", name="Acme")])
        assert contact.crm_id and company.crm_id

        await client.associate_contacts_with_companies([(contact.crm_id, company.crm_id)])
        linked = await client.associations.list_all("contacts", contact.crm_id, "companies")
        assert [a.to_object_id for a in linked] == [company.crm_id]
        assert linked[0].has_type(279)
        back = await client.associations.list_all("0-2", company.crm_id, "contact")
        assert back[0].to_object_id == contact.crm_id and back[0].has_type(280)

        due = datetime(2026, 10, 30, 15, 0, tzinfo=UTC)
        task_id = await client.create_task(
            CrmTask(contact_crm_id=contact.crm_id, subject="Follow up", due_at=due, priority="HIGH")
        )
        note_id = await client.create_note(
            CrmNote(contact_crm_id=contact.crm_id, body="Spoke with Jane", at=due)
        )
        tasks = await client.associations.list_all("contacts", contact.crm_id, "tasks")
        assert [t.to_object_id for t in tasks] == [task_id] and tasks[0].has_type(203)
        to_contact = await client.associations.list_all("tasks", task_id, "contacts")
        assert to_contact[0].to_object_id == contact.crm_id and to_contact[0].has_type(204)
        notes = await client.associations.batch_read("contacts", "notes", [contact.crm_id, "1"])
        assert [n.to_object_id for n in notes[contact.crm_id]] == [note_id]
        assert notes["1"] == []
        task = await client.tasks.get(task_id, properties=["hs_timestamp", "hs_task_subject"])
        assert task.prop("hs_timestamp") == "2026-10-30T15:00:00.000Z"

        with pytest.raises(HubSpotAssociationFailed) as refused:
            await client.associate_contacts_with_companies([(contact.crm_id, "999999999")])
        assert len(refused.value.errors) == 1


async def test_search_through_an_association_pseudo_property() -> None:
    async with hubspot_sandbox() as sandbox:
        client = sandbox.client
        outcomes = await client.upsert_contacts(
            [CrmContact(email=f"c{i}@acme.com") for i in range(3)]
        )
        [company] = await client.upsert_companies([CrmCompany(domain="acme.com")])
        assert company.crm_id
        await client.associate_contacts_with_companies(
            [(str(outcomes[0].crm_id), company.crm_id), (str(outcomes[2].crm_id), company.crm_id)]
        )
        page = await client.contacts.search(
            SearchRequest(
                filter_groups=[
                    FilterGroup(
                        filters=[
                            Filter(
                                property_name="associations.company",
                                operator="EQ",
                                value=company.crm_id,
                            )
                        ]
                    )
                ]
            )
        )
        assert page.total == 2
        assert {r.id for r in page.results} == {outcomes[0].crm_id, outcomes[2].crm_id}


async def test_typed_batch_read_update_archive_split_into_hundreds() -> None:
    async with hubspot_sandbox() as sandbox:
        contacts = sandbox.client.contacts
        created = await contacts.batch_create(
            [ObjectInput(properties={"email": f"b{i}@batch.io"}) for i in range(120)]
        )
        ids = [r.id for r in created.results]
        assert len(ids) == 120 and not created.errors

        updated = await contacts.batch_update(
            [ObjectUpdate(id=object_id, properties={"jobtitle": "VP Sales"}) for object_id in ids]
        )
        assert len(updated.results) == 120
        read = await contacts.batch_read(
            [f"b{i}@batch.io" for i in range(120)] + ["ghost@batch.io"],
            id_property="email",
            properties=["jobtitle"],
        )
        assert {r.prop("jobtitle") for r in read.results} == {"VP Sales"}
        assert read.errors[0].context["ids"] == ["ghost@batch.io"]

        before = (await sandbox.stats())["requests"]
        await contacts.batch_archive(ids)
        assert (await sandbox.stats())["requests"] - before == 2
        page = await contacts.list_page()
        assert page.results == []


async def test_upserting_150_companies_searches_and_creates_in_batches() -> None:
    async with hubspot_sandbox() as sandbox:
        companies = [CrmCompany(domain=f"company-{i}.example.com") for i in range(150)]
        outcomes = await sandbox.client.upsert_companies(companies)
        # Two domain searches (≤ 100 values each) and two batch creates.
        assert (await sandbox.stats())["requests"] == 4
        assert all(o.created and o.crm_id for o in outcomes)
        assert len({o.crm_id for o in outcomes}) == 150
