"""`/api/contacts` and `/api/companies` after a CSV import: paging, filters, get, export, erase."""

from __future__ import annotations

import csv
import io
import uuid
from pathlib import Path
from typing import Any

import httpx
import pytest
import sqlalchemy as sa

from salesauto.config import Settings
from salesauto.kit.db import create_engine
from salesauto.kit.time import utcnow
from salesauto.models.base import table_of
from salesauto.models.campaigns import CampaignEnrollment, CampaignEvent
from salesauto.pipeline.campaigns import ensure_campaign_instance
from salesauto.pipeline.enrichment_cache import CACHE
from tests.conftest import make_settings
from tests.support.waiting import eventually

LEADS = (
    b"Email,First Name,Last Name,Title,Company,Website,Phone,Segment\n"
    b"ann@acme.com,Ann,Lee,CTO,Acme,acme.com,+1 555 0100,enterprise\n"
    b'Bob@Acme.com,Bob,Stone,"=HYPERLINK(""http://evil.example"",""click"")",Acme,'
    b"https://www.acme.com/team,,\n"
    b"cy@globex.io,Cy,Cho,CEO,Globex,,,\n"
    b"dee@gmail.com,Dee,Park,,,,,\n"
    b"eve@globex.io,Eve,Jones,@sales,Globex,globex.io,-5,smb\n"
)
EMAILS = ["ann@acme.com", "bob@acme.com", "cy@globex.io", "dee@gmail.com", "eve@globex.io"]
ENROLLMENTS = table_of(CampaignEnrollment)
EVENTS = table_of(CampaignEvent)
CACHED_KEYS = [
    "explorium:person:bob@acme.com",
    "apollo:person:bob@acme.com",
    "explorium:person:ann@acme.com",
    "apollo:company:acme.com",
]
FORMULA = '=HYPERLINK("http://evil.example","click")'


@pytest.fixture
def settings(database_url: str, tmp_path: Path) -> Settings:
    return make_settings(database_url, data_dir=tmp_path)


@pytest.fixture
async def imported(app_client: httpx.AsyncClient) -> httpx.AsyncClient:
    """The client, after LEADS went through POST /api/import/csv and its job completed."""
    accepted = await app_client.post(
        "/api/import/csv", files={"file": ("leads.csv", LEADS, "text/csv")}
    )
    assert accepted.status_code == 202, accepted.text

    async def fetch() -> dict[str, Any]:
        job: dict[str, Any] = (await app_client.get(accepted.json()["status"])).json()
        return job

    job = await eventually(fetch, lambda job: job["status"] in ("completed", "failed"))
    assert job["status"] == "completed", job["error"]
    assert job["result"]["created"] == len(EMAILS)
    return app_client


async def emails(client: httpx.AsyncClient, **params: str | int) -> list[str]:
    response = await client.get("/api/contacts", params=params)
    assert response.status_code == 200, response.text
    return [contact["email"] for contact in response.json()["contacts"]]


async def exported(client: httpx.AsyncClient, **params: str) -> list[dict[str, str]]:
    response = await client.get("/api/contacts/export.csv", params=params)
    assert response.status_code == 200, response.text
    return list(csv.DictReader(io.StringIO(response.text)))


async def test_contacts_page_to_the_end_without_repeats(imported: httpx.AsyncClient) -> None:
    pages: list[list[str]] = []
    params: dict[str, str | int] = {"limit": 2}
    while True:
        response = await imported.get("/api/contacts", params=params)
        assert response.status_code == 200, response.text
        body = response.json()
        pages.append([contact["email"] for contact in body["contacts"]])
        if body["nextCursor"] is None:
            break
        params["cursor"] = body["nextCursor"]
        assert len(pages) <= len(EMAILS), "paging does not end"

    assert pages == [EMAILS[0:2], EMAILS[2:4], EMAILS[4:]]


async def test_contacts_filter_by_stage_company_and_search(imported: httpx.AsyncClient) -> None:
    assert await emails(imported, stage="imported") == EMAILS
    assert await emails(imported, stage="enriched") == []
    assert await emails(imported, companyDomain="https://www.ACME.com/") == EMAILS[:2]
    assert await emails(imported, companyDomain="globex.io", limit=1) == ["cy@globex.io"]
    assert await emails(imported, q="GLOBEX") == ["cy@globex.io", "eve@globex.io"]  # company
    assert await emails(imported, q="park") == ["dee@gmail.com"]  # last name
    assert await emails(imported, q="bob@") == ["bob@acme.com"]  # email
    assert await emails(imported, q="nobody") == []


async def test_a_contact_is_found_by_its_email_in_any_casing(imported: httpx.AsyncClient) -> None:
    response = await imported.get("/api/contacts/%20BOB@acme.COM")

    assert response.status_code == 200, response.text
    bob = response.json()
    assert bob["email"] == "bob@acme.com"
    assert (bob["firstName"], bob["lastName"], bob["title"]) == ("Bob", "Stone", FORMULA)
    assert (bob["companyName"], bob["companyDomain"], bob["stage"]) == (
        "Acme",
        "acme.com",
        "imported",
    )
    assert bob["source"] == "csv" and bob["phone"] is None
    assert set(bob["provenance"]) == {
        "first_name",
        "last_name",
        "title",
        "company_name",
        "company_domain",
    }
    assert bob["provenance"]["title"]["source"] == "csv"
    ann = (await imported.get("/api/contacts/ann@acme.com")).json()
    assert ann["data"] == {"Segment": "enterprise"}
    assert ann["companyId"] == bob["companyId"] is not None


async def test_unknown_contacts_and_bad_filters_are_4xx(imported: httpx.AsyncClient) -> None:
    missing = await imported.get("/api/contacts/nobody@acme.com")
    assert missing.status_code == 404
    assert missing.json() == {"success": False, "error": "no contact with email 'nobody@acme.com'"}

    stage = await imported.get("/api/contacts", params={"stage": "won"})
    assert stage.status_code == 422
    assert stage.json()["field"] == "stage"
    assert "unknown stage 'won'; use one of imported, enriched" in stage.json()["error"]

    cursor = await imported.get("/api/contacts", params={"cursor": "not-a-cursor"})
    assert cursor.status_code == 422
    assert cursor.json()["field"] == "cursor"

    assert (await imported.get("/api/contacts", params={"limit": 0})).status_code == 422


async def test_export_neutralises_formulas_that_are_stored_verbatim(
    imported: httpx.AsyncClient,
) -> None:
    response = await imported.get("/api/contacts/export.csv")

    assert response.status_code == 200
    assert response.headers["content-type"] == "text/csv; charset=utf-8"
    assert response.headers["content-disposition"] == 'attachment; filename="contacts.csv"'
    assert response.text.splitlines()[0] == (
        "email,first_name,last_name,title,company_name,company_domain,phone,linkedin_url,"
        "status,source,score,hubspot_id,imported_at,updated_at"
    )
    rows = {row["email"]: row for row in csv.DictReader(io.StringIO(response.text))}
    assert list(rows) == EMAILS
    assert rows["bob@acme.com"]["title"] == "'" + FORMULA
    assert rows["ann@acme.com"]["phone"] == "'+1 555 0100"
    assert rows["eve@globex.io"]["phone"] == "'-5"
    assert rows["eve@globex.io"]["title"] == "'@sales"
    assert rows["ann@acme.com"]["title"] == "CTO"
    assert rows["dee@gmail.com"]["company_domain"] == ""
    assert {row["status"] for row in rows.values()} == {"imported"}

    # The export takes the list's filters.
    assert [row["email"] for row in await exported(imported, companyDomain="acme.com")] == EMAILS[
        :2
    ]
    assert [row["email"] for row in await exported(imported, q="park")] == ["dee@gmail.com"]
    assert await exported(imported, stage="enriched") == []


async def test_erasing_a_contact_is_202_then_404(imported: httpx.AsyncClient) -> None:
    response = await imported.delete("/api/contacts/Bob@ACME.com")
    assert response.status_code == 202
    body = response.json()
    assert body["success"] is True and body["status"] == f"/api/jobs/{body['jobId']}"
    job = (await imported.get(body["status"])).json()
    assert job["type"] == "contacts.erase_at_providers"
    assert job["parameters"]["email"] == "bob@acme.com"
    suppressions = (await imported.get("/api/suppressions")).json()["suppressions"]
    assert [(s["value"], s["reason"]) for s in suppressions] == [
        ("bob@acme.com", "erased on request")
    ]

    assert (await imported.get("/api/contacts/bob@acme.com")).status_code == 404
    again = await imported.delete("/api/contacts/bob@acme.com")
    assert again.status_code == 404
    assert again.json()["error"] == "no contact with email 'bob@acme.com'"
    remaining = [row["email"] for row in await exported(imported)]
    assert remaining == [email for email in EMAILS if email != "bob@acme.com"]


async def test_erasing_a_contact_keeps_its_company(imported: httpx.AsyncClient) -> None:
    assert (await imported.delete("/api/contacts/bob@acme.com")).status_code == 202

    assert await emails(imported) == [email for email in EMAILS if email != "bob@acme.com"]
    acme = await imported.get("/api/companies/acme.com")
    assert acme.status_code == 200
    assert acme.json()["contacts"] == 1


async def test_erasing_a_contact_deletes_its_enrollments_and_cached_profiles(
    imported: httpx.AsyncClient, settings: Settings
) -> None:
    engine = create_engine(settings.resolved_database_url)
    now = utcnow()
    try:
        async with engine.begin() as conn:
            ref = await ensure_campaign_instance(
                conn,
                "default",
                provider="lemlist",
                provider_campaign_id="cam_1",
                name="Q3",
                status=None,
            )
            enrollment_ids = {email: uuid.uuid4() for email in ("bob@acme.com", "ann@acme.com")}
            await conn.execute(
                sa.insert(ENROLLMENTS),
                [
                    {
                        "id": enrollment_id,
                        "instance_id": ref.instance_id,
                        "owner_id": "default",
                        "contact_email": email,
                        "status": "enrolled",
                        "current_step": 0,
                        "variables": {"firstName": email[:3].title(), "city": "Paris"},
                        "enrolled_at": now,
                    }
                    for email, enrollment_id in enrollment_ids.items()
                ],
            )
            await conn.execute(
                sa.insert(EVENTS).values(
                    id=uuid.uuid4(),
                    enrollment_id=enrollment_ids["bob@acme.com"],
                    instance_id=ref.instance_id,
                    provider="lemlist",
                    event_type="opened",
                    event_data={"leadEmail": "bob@acme.com"},
                    timestamp=now,
                )
            )
            await conn.execute(
                sa.insert(CACHE),
                [
                    {"key": key, "source": key.partition(":")[0], "data": {}, "cached_at": now}
                    for key in CACHED_KEYS
                ],
            )

        response = await imported.delete("/api/contacts/Bob@Acme.com")

        assert response.status_code == 202
        async with engine.connect() as conn:
            enrolled = (await conn.execute(sa.select(ENROLLMENTS.c.contact_email))).scalars()
            assert list(enrolled) == ["ann@acme.com"]
            events = (await conn.execute(sa.select(EVENTS.c.id))).all()
            assert events == []
            cached = (await conn.execute(sa.select(CACHE.c.key).order_by(CACHE.c.key))).scalars()
            assert list(cached) == ["apollo:company:acme.com", "explorium:person:ann@acme.com"]
    finally:
        await engine.dispose()


async def test_companies_with_their_contact_counts(imported: httpx.AsyncClient) -> None:
    response = await imported.get("/api/companies")

    assert response.status_code == 200, response.text
    body = response.json()
    assert body["nextCursor"] is None
    # Companies first seen in the same batch have no meaningful order among themselves.
    listed = [(c["domain"], c["name"], c["contacts"]) for c in body["companies"]]
    assert sorted(listed) == [("acme.com", "Acme", 2), ("globex.io", "Globex", 2)]
    in_order = [c["domain"] for c in body["companies"]]

    first = (await imported.get("/api/companies", params={"limit": 1})).json()
    assert [c["domain"] for c in first["companies"]] == in_order[:1]
    rest = (
        await imported.get("/api/companies", params={"limit": 1, "cursor": first["nextCursor"]})
    ).json()
    assert [c["domain"] for c in rest["companies"]] == in_order[1:]
    assert rest["nextCursor"] is None

    found = (await imported.get("/api/companies", params={"q": "GLOB"})).json()
    assert [c["domain"] for c in found["companies"]] == ["globex.io"]

    acme = await imported.get("/api/companies/WWW.Acme.com")
    assert acme.status_code == 200
    assert (acme.json()["domain"], acme.json()["contacts"]) == ("acme.com", 2)
    assert acme.json()["id"] == body["companies"][in_order.index("acme.com")]["id"]


async def test_an_unknown_company_is_404(imported: httpx.AsyncClient) -> None:
    response = await imported.get("/api/companies/initech.com")
    assert response.status_code == 404
    assert response.json() == {"success": False, "error": "no company with domain 'initech.com'"}
