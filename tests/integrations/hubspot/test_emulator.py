"""The HubSpot emulator's wire behaviour: statuses, bodies, limits and headers as HubSpot
documents them (API_CONTRACTS §1), checked with plain HTTP."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
from fastapi import FastAPI

from salesauto.integrations.sandbox.hubspot import build_hubspot_emulator
from salesauto.integrations.sandbox.kit import SandboxConfig
from tests.integrations.hubspot.conftest import ROOMY, raw_client
from tests.support.servers import serve_app

CONTACTS = "/crm/v3/objects/contacts"
COMPANIES = "/crm/v3/objects/companies"


def roomy() -> FastAPI:
    return build_hubspot_emulator(SandboxConfig(hubspot_requests_per_10s=ROOMY))


def assert_hubspot_error(response: httpx.Response, status: int, category: str) -> dict[str, Any]:
    assert response.status_code == status, response.text
    body: dict[str, Any] = response.json()
    assert body["status"] == "error"
    assert body["category"] == category
    assert body["message"] and body["correlationId"]
    return body


async def paced_search(http: httpx.AsyncClient, path: str, body: dict[str, Any]) -> httpx.Response:
    """A search spaced to stay under HubSpot's 5 searches per second."""
    await asyncio.sleep(0.21)
    return await http.post(f"{path}/search", json=body)


def search_body(*filters: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {"filterGroups": [{"filters": list(filters)}], **extra}


async def test_a_batch_of_101_inputs_is_refused_and_nothing_is_written() -> None:
    async with serve_app(roomy()) as url, raw_client(url) as http:
        inputs = [{"properties": {"email": f"p{i}@x.io"}} for i in range(101)]
        response = await http.post(f"{CONTACTS}/batch/create", json={"inputs": inputs})
        body = assert_hubspot_error(response, 400, "VALIDATION_ERROR")
        assert "100" in body["message"]
        upsert = await http.post(
            f"{CONTACTS}/batch/upsert",
            json={
                "inputs": [
                    {"id": f"p{i}@x.io", "idProperty": "email", "properties": {}}
                    for i in range(101)
                ]
            },
        )
        assert_hubspot_error(upsert, 400, "VALIDATION_ERROR")
        listed = await http.get(CONTACTS)
        assert listed.json()["results"] == []


async def test_missing_or_invalid_token_gets_hubspots_401() -> None:
    async with serve_app(roomy()) as url:
        async with raw_client(url, token=None) as anonymous:
            assert_hubspot_error(await anonymous.get(CONTACTS), 401, "INVALID_AUTHENTICATION")
        async with raw_client(url, token="invalid-key") as wrong:
            body = assert_hubspot_error(await wrong.get(CONTACTS), 401, "INVALID_AUTHENTICATION")
            assert "invalid-key" not in body["message"]


async def test_rate_limit_headers_on_crm_calls_but_not_on_search() -> None:
    config = SandboxConfig(hubspot_requests_per_10s=5)
    async with serve_app(build_hubspot_emulator(config)) as url, raw_client(url) as http:
        first = await http.get(CONTACTS)
        assert first.headers["X-HubSpot-RateLimit-Max"] == "5"
        assert first.headers["X-HubSpot-RateLimit-Remaining"] == "4"
        assert first.headers["X-HubSpot-RateLimit-Interval-Milliseconds"] == "10000"
        assert "X-HubSpot-RateLimit-Daily-Remaining" in first.headers
        search = await http.post(f"{CONTACTS}/search", json={})
        assert search.status_code == 200
        assert not [h for h in search.headers if h.lower().startswith("x-hubspot-ratelimit")]
        # Searches do not use up the 10-second window.
        assert (await http.get(CONTACTS)).headers["X-HubSpot-RateLimit-Remaining"] == "3"


async def test_search_is_limited_to_five_per_second_per_token() -> None:
    async with serve_app(roomy()) as url, raw_client(url) as http:
        answers = await asyncio.gather(
            *(http.post(f"{CONTACTS}/search", json={}) for _ in range(7))
        )
        throttled = [a for a in answers if a.status_code == 429]
        assert len(throttled) == 2
        body = throttled[0].json()
        assert body["policyName"] == "SECONDLY"
        assert body["message"] == "You have reached your secondly limit."
        assert "retry-after" not in throttled[0].headers
        async with raw_client(url, token="another-token") as other:
            assert (await other.post(f"{CONTACTS}/search", json={})).status_code == 200
        stats = (await http.get("/_sandbox/stats")).json()
        assert stats["throttled"] == 2


async def test_search_rejects_what_hubspot_rejects() -> None:
    eq = {"propertyName": "email", "operator": "EQ", "value": "a@b.io"}
    cases = [
        {"filterGroups": [{"filters": [eq]}] * 6},
        {"filterGroups": [{"filters": [eq] * 7}]},
        {"filterGroups": [{"filters": [eq] * 5}] * 4},  # 20 filters in total
        {"limit": 201},
        {"after": "10000"},
        {"after": "abc"},
        {"sorts": [{"propertyName": "email"}, {"propertyName": "firstname"}]},
        search_body({"propertyName": "nope", "operator": "EQ", "value": "x"}),
        search_body({"propertyName": "email", "operator": "LIKE", "value": "x"}),
        {"query": "x" * 3001},
    ]
    async with serve_app(roomy()) as url, raw_client(url) as http:
        for case in cases:
            response = await paced_search(http, CONTACTS, case)
            assert_hubspot_error(response, 400, "VALIDATION_ERROR")


async def test_search_operators_groups_sorts_and_paging() -> None:
    companies = [
        {"name": "Acme Rockets", "domain": "acme.com", "numberofemployees": 120, "city": "Berlin"},
        {"name": "Globex", "domain": "globex.io", "numberofemployees": 40},
        {"name": "Initech", "domain": "initech.net", "numberofemployees": 900, "city": "Austin"},
        {"name": "Umbrella Corp", "domain": "umbrella.com", "numberofemployees": 5000},
    ]

    async def names(http: httpx.AsyncClient, body: dict[str, Any]) -> list[str]:
        response = await paced_search(http, COMPANIES, {"properties": ["name"], **body})
        assert response.status_code == 200, response.text
        return [r["properties"]["name"] for r in response.json()["results"]]

    def where(operator: str, name: str = "numberofemployees", **value: Any) -> dict[str, Any]:
        return search_body({"propertyName": name, "operator": operator, **value})

    async with serve_app(roomy()) as url, raw_client(url) as http:
        for properties in companies:
            assert (await http.post(COMPANIES, json={"properties": properties})).status_code == 201

        assert await names(http, where("EQ", "domain", value="ACME.com")) == ["Acme Rockets"]
        assert await names(http, where("NEQ", "domain", value="acme.com")) == [
            "Globex",
            "Initech",
            "Umbrella Corp",
        ]
        assert await names(http, where("LT", value="120")) == ["Globex"]
        assert await names(http, where("LTE", value="120")) == ["Acme Rockets", "Globex"]
        assert await names(http, where("GT", value="900")) == ["Umbrella Corp"]
        assert await names(http, where("GTE", value="900")) == ["Initech", "Umbrella Corp"]
        assert await names(http, where("BETWEEN", value="100", highValue="1000")) == [
            "Acme Rockets",
            "Initech",
        ]
        assert await names(http, where("IN", "domain", values=["globex.io", "initech.net"])) == [
            "Globex",
            "Initech",
        ]
        assert await names(http, where("NOT_IN", "domain", values=["globex.io"])) == [
            "Acme Rockets",
            "Initech",
            "Umbrella Corp",
        ]
        assert await names(http, where("HAS_PROPERTY", "city")) == ["Acme Rockets", "Initech"]
        assert await names(http, where("NOT_HAS_PROPERTY", "city")) == ["Globex", "Umbrella Corp"]
        assert await names(http, where("CONTAINS_TOKEN", "name", value="rockets")) == [
            "Acme Rockets"
        ]
        assert await names(http, where("CONTAINS_TOKEN", "domain", value="*.com")) == [
            "Acme Rockets",
            "Umbrella Corp",
        ]
        # Groups are OR-ed, filters inside a group AND-ed.
        either = {
            "filterGroups": [
                {"filters": [{"propertyName": "domain", "operator": "EQ", "value": "globex.io"}]},
                {
                    "filters": [
                        {"propertyName": "numberofemployees", "operator": "GT", "value": "100"},
                        {"propertyName": "city", "operator": "HAS_PROPERTY"},
                    ]
                },
            ]
        }
        assert await names(http, either) == ["Acme Rockets", "Globex", "Initech"]
        by_size = {"sorts": [{"propertyName": "numberofemployees", "direction": "DESCENDING"}]}
        assert await names(http, by_size) == ["Umbrella Corp", "Initech", "Acme Rockets", "Globex"]
        assert await names(http, {"sorts": ["name"]}) == [
            "Acme Rockets",
            "Globex",
            "Initech",
            "Umbrella Corp",
        ]
        assert await names(http, {"query": "umbr"}) == ["Umbrella Corp"]

        page = (await paced_search(http, COMPANIES, {"limit": 3})).json()
        assert page["total"] == 4 and len(page["results"]) == 3
        assert page["paging"]["next"]["after"] == "3"
        assert set(page["results"][0]["properties"]) == {
            "name",
            "domain",
            "createdate",
            "hs_lastmodifieddate",
            "hs_object_id",
        }
        last = (await paced_search(http, COMPANIES, {"limit": 3, "after": "3"})).json()
        assert len(last["results"]) == 1 and "paging" not in last
        assert (await paced_search(http, COMPANIES, {})).json()["total"] == 4

        # Archived records never appear in search.
        await http.delete(f"{COMPANIES}/{page['results'][0]['id']}")
        assert (await paced_search(http, COMPANIES, {})).json()["total"] == 3


async def test_batch_create_is_all_or_nothing_unless_inputs_carry_trace_ids() -> None:
    async with serve_app(roomy()) as url, raw_client(url) as http:
        await http.post(CONTACTS, json={"properties": {"email": "taken@x.io"}})
        inputs = [{"properties": {"email": "taken@x.io"}}, {"properties": {"email": "new@x.io"}}]

        whole = await http.post(f"{CONTACTS}/batch/create", json={"inputs": inputs})
        body = assert_hubspot_error(whole, 409, "CONFLICT")
        assert "Existing ID:" in body["message"]
        assert len((await http.get(CONTACTS)).json()["results"]) == 1

        traced = [{**item, "objectWriteTraceId": str(i)} for i, item in enumerate(inputs)]
        multi = await http.post(f"{CONTACTS}/batch/create", json={"inputs": traced})
        assert multi.status_code == 207
        result = multi.json()
        assert result["status"] == "COMPLETE" and result["numErrors"] == 1
        assert result["errors"][0]["context"] == {"objectWriteTraceId": ["0"]}
        assert [r["properties"]["email"] for r in result["results"]] == ["new@x.io"]


async def test_properties_are_validated_and_always_strings() -> None:
    async with serve_app(roomy()) as url, raw_client(url) as http:
        unknown = await http.post(CONTACTS, json={"properties": {"favourite_colour": "red"}})
        body = assert_hubspot_error(unknown, 400, "VALIDATION_ERROR")
        assert body["errors"][0]["code"] == "PROPERTY_DOESNT_EXIST"
        read_only = await http.post(CONTACTS, json={"properties": {"hs_object_id": "5"}})
        assert assert_hubspot_error(read_only, 400, "VALIDATION_ERROR")["errors"][0]["code"] == (
            "READ_ONLY_VALUE"
        )
        bad_email = await http.post(CONTACTS, json={"properties": {"email": "not-an-email"}})
        assert_hubspot_error(bad_email, 400, "VALIDATION_ERROR")
        no_timestamp = await http.post("/crm/v3/objects/tasks", json={"properties": {}})
        assert_hubspot_error(no_timestamp, 400, "VALIDATION_ERROR")

        created = await http.post(
            COMPANIES,
            json={"properties": {"name": "Acme", "numberofemployees": 42, "annualrevenue": 1.5}},
        )
        assert created.status_code == 201
        record = created.json()
        assert record["id"].isdigit()
        assert record["createdAt"].endswith("Z") and len(record["createdAt"]) == 24
        read = await http.get(
            f"{COMPANIES}/{record['id']}", params={"properties": "numberofemployees,annualrevenue"}
        )
        assert read.json()["properties"]["numberofemployees"] == "42"
        assert read.json()["properties"]["annualrevenue"] == "1.5"
        note = await http.post(
            "/crm/v3/objects/notes", json={"properties": {"hs_timestamp": 1635696000000}}
        )
        assert note.status_code == 201
        assert note.json()["id"] != record["id"]


async def test_list_paging_and_email_id_property() -> None:
    async with serve_app(roomy()) as url, raw_client(url) as http:
        for i in range(5):
            await http.post(CONTACTS, json={"properties": {"email": f"p{i}@x.io"}})
        first = (await http.get(CONTACTS, params={"limit": 2})).json()
        assert len(first["results"]) == 2
        after = first["paging"]["next"]["after"]
        assert first["paging"]["next"]["link"].endswith(f"after={after}")
        seen = [r["id"] for r in first["results"]]
        while after:
            page = (await http.get(CONTACTS, params={"limit": 2, "after": after})).json()
            seen += [r["id"] for r in page["results"]]
            after = page.get("paging", {}).get("next", {}).get("after")
        assert len(seen) == len(set(seen)) == 5
        assert (await http.get(CONTACTS, params={"limit": 101})).status_code == 400

        patched = await http.patch(
            f"{CONTACTS}/p3@x.io",
            params={"idProperty": "email"},
            json={"properties": {"firstname": "Pat"}},
        )
        assert patched.status_code == 200 and patched.json()["properties"]["firstname"] == "Pat"
        missing = await http.get(f"{CONTACTS}/nobody@x.io", params={"idProperty": "email"})
        assert_hubspot_error(missing, 404, "OBJECT_NOT_FOUND")
        read = await http.post(
            f"{CONTACTS}/batch/read",
            json={"idProperty": "email", "inputs": [{"id": "p1@x.io"}, {"id": "ghost@x.io"}]},
        )
        assert read.status_code == 207
        assert read.json()["errors"][0]["context"] == {"ids": ["ghost@x.io"]}
        assert (await http.delete(f"{CONTACTS}/{seen[0]}")).status_code == 204
        assert (await http.get(f"{CONTACTS}/{seen[0]}")).status_code == 404


async def test_v4_associations_by_any_type_name_labels_and_batch_limits() -> None:
    async with serve_app(roomy()) as url, raw_client(url) as http:
        contact = (await http.post(CONTACTS, json={"properties": {"email": "a@x.io"}})).json()
        company = (await http.post(COMPANIES, json={"properties": {"name": "X"}})).json()
        cid, coid = contact["id"], company["id"]

        default = await http.put(f"/crm/v4/objects/0-1/{cid}/associations/default/company/{coid}")
        assert default.status_code == 200
        assert default.json()["results"][0]["associationSpec"]["associationTypeId"] == 279

        labelled = await http.put(
            f"/crm/v4/objects/contact/{cid}/associations/companies/{coid}",
            json=[{"associationCategory": "HUBSPOT_DEFINED", "associationTypeId": 1}],
        )
        assert labelled.status_code == 201
        assert labelled.json()["labels"] == ["Primary"]
        assert labelled.json()["toObjectId"] == int(coid)
        listed = (await http.get(f"/crm/v4/objects/companies/{coid}/associations/contacts")).json()
        assert listed["results"] == [
            {
                "toObjectId": int(cid),
                "associationTypes": [
                    {"category": "HUBSPOT_DEFINED", "typeId": 2, "label": "Primary"}
                ],
            }
        ]
        labels = (await http.get("/crm/associations/v4/contacts/companies/labels")).json()
        assert {item["typeId"] for item in labels["results"]} == {1, 279}

        removed = await http.delete(f"/crm/v4/objects/contacts/{cid}/associations/0-2/{coid}")
        assert removed.status_code == 204
        empty = await http.get(f"/crm/v4/objects/contacts/{cid}/associations/companies")
        assert empty.json()["results"] == []

        pair = {"from": {"id": cid}, "to": {"id": coid}}
        too_many_reads = [{"id": cid}] * 1001
        assert_hubspot_error(
            await http.post(
                "/crm/v4/associations/contacts/companies/batch/read",
                json={"inputs": too_many_reads},
            ),
            400,
            "VALIDATION_ERROR",
        )
        typed = {
            **pair,
            "types": [{"associationCategory": "HUBSPOT_DEFINED", "associationTypeId": 279}],
        }
        assert_hubspot_error(
            await http.post(
                "/crm/v4/associations/contacts/companies/batch/create",
                json={"inputs": [typed] * 2001},
            ),
            400,
            "VALIDATION_ERROR",
        )
        created = await http.post(
            "/crm/v4/associations/contacts/companies/batch/create", json={"inputs": [typed]}
        )
        assert created.status_code == 201
        archived = await http.post(
            "/crm/v4/associations/contacts/companies/batch/archive",
            json={"inputs": [{"from": {"id": cid}, "to": [{"id": coid}]}]},
        )
        assert archived.status_code == 204
        read = await http.post(
            "/crm/v4/associations/contacts/companies/batch/read", json={"inputs": [{"id": cid}]}
        )
        assert read.status_code == 207 and read.json()["results"] == []

        bad_type = await http.get("/crm/v3/objects/widgets")
        assert_hubspot_error(bad_type, 400, "VALIDATION_ERROR")


async def test_the_emulator_works_mounted_under_a_prefix() -> None:
    outer = FastAPI()
    outer.mount("/sandbox/hubspot", roomy())
    async with serve_app(outer) as url, raw_client(f"{url}/sandbox/hubspot") as http:
        created = await http.post(CONTACTS, json={"properties": {"email": "m@x.io"}})
        assert created.status_code == 201
        assert (await http.post(f"{CONTACTS}/search", json={})).json()["total"] == 1
        stats = (await http.get("/_sandbox/stats")).json()
        assert stats["requests"] == 2
        assert (await http.post("/_sandbox/reset")).status_code == 200
        assert (await http.post(f"{CONTACTS}/search", json={})).json()["total"] == 0
