"""`/api/import/csv` and its preview: an upload becomes a job whose result is the summary; and
`/api/import/hubspot`'s choice between a search and a list."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx
import pytest

from salesauto.config import Settings
from tests.api.conftest import client_for
from tests.conftest import make_settings
from tests.support.waiting import eventually

# UTF-8 with BOM, semicolons, CRLF, a quoted field over two lines with doubled quotes, a row
# without email, a blank line, a bad email, a repeat of the first person, a formula-like value.
LEADS = (
    b"\xef\xbb\xbf"
    b"Email;First Name;Last Name;Company;Website;Notes\r\n"  # 1
    b'Ann@Acme.com;Ann;Lee;Acme;www.acme.com;"met at\r\nthe ""summit"""\r\n'  # 2
    b";Nobody;;Acme;;\r\n"  # 3
    b"\r\n"  # 4
    b"bob@globex;Bob;;;;\r\n"  # 5
    b'cy@gmail.com;"=HYPERLINK(""http://x.example"")";Cho;;;\r\n'  # 6
    b" ann@acme.com;;Lee-Park;;;\r\n"  # 7
)
LEADS_SUMMARY = {
    "source": "csv",
    "fileName": "leads.csv",
    "rowsRead": 6,
    "created": 2,
    "updated": 0,
    "unchanged": 0,
    "duplicates": 1,
    "rejected": 2,
    "blank": 1,
    "erased": 0,
    "suppressed": 0,
    "truncated": None,
    "mapping": {
        "Email": "email",
        "First Name": "first_name",
        "Last Name": "last_name",
        "Company": "company_name",
        "Website": "company_domain",
        "Notes": None,
    },
    "rejectedRows": [
        {"row": 3, "email": None, "reason": "no email address"},
        {"row": 5, "email": "bob@globex", "reason": "invalid domain"},
    ],
}


@pytest.fixture
def settings(database_url: str, tmp_path: Path) -> Settings:
    """The shared settings, with uploads stored under this test's own folder."""
    return make_settings(database_url, data_dir=tmp_path)


def stored_uploads(settings: Settings) -> list[Path]:
    folder = settings.data_dir / "uploads"
    return sorted(folder.iterdir()) if folder.exists() else []


async def upload(
    client: httpx.AsyncClient, data: bytes, name: str = "leads.csv", **form: str
) -> httpx.Response:
    return await client.post("/api/import/csv", files={"file": (name, data, "text/csv")}, data=form)


async def finished_job(client: httpx.AsyncClient, accepted: httpx.Response) -> dict[str, Any]:
    """Poll the job the way a client does, until it has ended."""
    assert accepted.status_code == 202, accepted.text
    body = accepted.json()
    assert body == {"success": True, "jobId": body["jobId"], "status": f"/api/jobs/{body['jobId']}"}

    async def fetch() -> dict[str, Any]:
        response = await client.get(body["status"])
        assert response.status_code == 200, response.text
        job: dict[str, Any] = response.json()
        return job

    return await eventually(
        fetch, lambda job: job["status"] in ("completed", "failed", "cancelled")
    )


async def jobs(client: httpx.AsyncClient) -> list[dict[str, Any]]:
    response = await client.get("/api/jobs")
    assert response.status_code == 200
    items: list[dict[str, Any]] = response.json()["items"]
    return items


async def test_an_upload_is_imported_by_a_job_whose_result_is_the_summary(
    app_client: httpx.AsyncClient, settings: Settings
) -> None:
    job = await finished_job(app_client, await upload(app_client, LEADS))

    assert job["status"] == "completed", job["error"]
    assert job["type"] == "import.csv"
    assert job["progress"] == 1.0
    # Auto-enrich is on by default: the import queued the chain for what it stored.
    chained = job["result"].pop("nextJobId")
    assert job["result"] == LEADS_SUMMARY
    chained_job = (await app_client.get(f"/api/jobs/{chained}")).json()
    assert chained_job["type"] == "pipeline.start"
    assert chained_job["parameters"]["step"] == "enrich"
    assert stored_uploads(settings) == []  # the stored copy is deleted once imported

    # The same file again: everything is already known.
    again = await finished_job(app_client, await upload(app_client, LEADS))
    assert again["status"] == "completed", again["error"]
    assert {key: again["result"][key] for key in ("created", "updated", "unchanged")} == {
        "created": 0,
        "updated": 0,
        "unchanged": 2,
    }
    assert again["result"]["duplicates"] == 1 and again["result"]["rejected"] == 2
    assert stored_uploads(settings) == []


async def test_mapping_and_source_form_fields_are_applied(app_client: httpx.AsyncClient) -> None:
    data = b"Email,Mail,Name\nann.home@gmail.com,ann@acme.com,Ann Lee\n"
    accepted = await upload(
        app_client, data, "webinar.csv", mapping=json.dumps({"Mail": "email"}), source="webinar"
    )
    job = await finished_job(app_client, accepted)

    assert job["status"] == "completed", job["error"]
    result = job["result"]
    assert (result["source"], result["fileName"], result["created"]) == (
        "webinar",
        "webinar.csv",
        1,
    )
    assert result["mapping"] == {"Email": None, "Mail": "email", "Name": "full_name"}


async def test_preview_shows_format_mapping_samples_and_problems_without_importing(
    api_only_client: httpx.AsyncClient, settings: Settings
) -> None:
    response = await api_only_client.post(
        "/api/import/csv/preview", files={"file": ("leads.csv", LEADS, "text/csv")}
    )

    assert response.status_code == 200, response.text
    preview = response.json()
    assert (preview["encoding"], preview["delimiter"]) == ("utf-8-sig", ";")
    assert preview["headers"] == ["Email", "First Name", "Last Name", "Company", "Website", "Notes"]
    assert preview["mapping"] == LEADS_SUMMARY["mapping"]
    assert preview["rowsSampled"] == 6
    assert [row["Email"] for row in preview["sampleRows"]] == [
        "Ann@Acme.com",
        "",
        "bob@globex",
        "cy@gmail.com",
        "ann@acme.com",
    ]
    assert preview["sampleRows"][0]["Notes"] == 'met at\r\nthe "summit"'
    assert preview["sampleRows"][3]["First Name"] == '=HYPERLINK("http://x.example")'
    assert preview["problems"] == [
        "row 3: no email",
        "row 5: invalid domain",
        "row 7: same email as row 2; the rows will be merged",
        "1 blank row will be skipped (first: row 4)",
    ]
    # Nothing was stored or queued.
    assert stored_uploads(settings) == []
    assert await jobs(api_only_client) == []


async def test_preview_names_the_column_to_map_when_none_holds_emails(
    api_only_client: httpx.AsyncClient,
) -> None:
    data = "Kontakt\tName\r\nann@acme.com\tAnn\r\n".encode("cp1252")
    response = await api_only_client.post(
        "/api/import/csv/preview", files={"file": ("leads.tsv", data, "text/csv")}
    )
    assert response.status_code == 200
    preview = response.json()
    assert (preview["encoding"], preview["delimiter"]) == ("utf-8", "\t")
    assert preview["mapping"] == {"Kontakt": None, "Name": "full_name"}
    assert preview["problems"] == [
        "no column looks like an email address; map one with mapping={'Kontakt': 'email'}"
    ]


async def test_an_over_size_upload_is_413_with_the_limit(database_url: str, tmp_path: Path) -> None:
    settings = make_settings(database_url, import_max_upload_mb=1, data_dir=tmp_path)
    row = b"someone@acme.com,Some,One,Acme\n"
    header = b"Email,First Name,Last Name,Company\n"
    async with client_for(settings, run_worker=False) as client:
        # ~1.5 MB: refused from its declared length, before it is read.
        large = header + row * (1_572_864 // len(row))
        # Just over 1 MB: the declared length passes, the limit stops the copy to disk.
        slightly = header + row * (1_048_576 // len(row) + 100)
        for data in (large, slightly):
            response = await upload(client, data)
            assert response.status_code == 413, len(data)
            body = response.json()
            assert body["success"] is False
            assert "larger than the 1 MB limit" in body["error"]
            assert "SALESAUTO_IMPORT_MAX_UPLOAD_MB" in body["error"]
            assert body["limitBytes"] == 1024 * 1024
        assert stored_uploads(settings) == []  # the partial copy is removed
        assert await jobs(client) == []

        # Under the limit the same endpoint accepts it.
        assert (await upload(client, header + row * 100)).status_code == 202


async def test_an_empty_file_is_refused_with_a_message(
    api_only_client: httpx.AsyncClient, settings: Settings
) -> None:
    response = await upload(api_only_client, b"")
    assert response.status_code == 400
    assert response.json() == {
        "success": False,
        "error": "the uploaded file is empty; send a CSV with a header row",
    }
    preview = await api_only_client.post(
        "/api/import/csv/preview", files={"file": ("leads.csv", b"", "text/csv")}
    )
    assert preview.status_code == 422
    assert "the uploaded file is empty" in preview.json()["error"]
    assert stored_uploads(settings) == []
    assert await jobs(api_only_client) == []


async def test_a_mapping_that_is_not_a_json_object_of_names_is_422(
    api_only_client: httpx.AsyncClient, settings: Settings
) -> None:
    for mapping in ("{Mail: email}", '["Mail", "email"]', '{"Mail": 1}'):
        response = await upload(api_only_client, b"Mail\nann@acme.com\n", mapping=mapping)
        assert response.status_code == 422, mapping
        body = response.json()
        assert body["field"] == "mapping"
        assert body["error"].startswith("mapping must be a JSON object of column → field")
    assert stored_uploads(settings) == []
    assert await jobs(api_only_client) == []


async def test_a_mapping_the_file_cannot_use_is_422_before_any_job(
    api_only_client: httpx.AsyncClient, settings: Settings
) -> None:
    bad_field = await upload(
        api_only_client, b"Mail,Name\nann@acme.com,Ann\n", mapping='{"Mail": "e-mail"}'
    )
    no_email = await upload(api_only_client, b"Name;Company\r\nAnn;Acme\r\n")

    assert bad_field.status_code == 422, bad_field.text
    assert "unknown field(s) 'e-mail'" in bad_field.json()["error"]
    assert no_email.status_code == 422, no_email.text
    assert "(columns: Name, Company)" in no_email.json()["error"]
    assert stored_uploads(settings) == []
    assert await jobs(api_only_client) == []


async def test_a_hubspot_import_takes_a_list_id_or_a_search_not_both(
    api_only_client: httpx.AsyncClient,
) -> None:
    search = {"filters": [{"propertyName": "jobtitle", "operator": "EQ", "value": "VP"}]}
    with_query = await api_only_client.post(
        "/api/import/hubspot", json={"listId": "12", "query": "acme"}
    )
    with_filters = await api_only_client.post(
        "/api/import/hubspot", json={"listId": "12", "filterGroups": [search]}
    )
    not_an_id = await api_only_client.post(
        "/api/import/hubspot", json={"listId": "https://app.hubspot.com/contacts/1/lists/12"}
    )

    for refused in (with_query, with_filters):
        assert refused.status_code == 422, refused.text
        assert refused.json()["field"] == "listId"
        assert refused.json()["error"].startswith(
            "give either listId or a search (filterGroups/query), not both"
        )
    assert not_an_id.status_code == 422
    assert "listId is the number in the list's URL" in not_an_id.json()["error"]
    assert await jobs(api_only_client) == []


async def test_a_hubspot_list_import_is_queued_with_the_list_id(
    api_only_client: httpx.AsyncClient,
) -> None:
    accepted = await api_only_client.post(
        "/api/import/hubspot", json={"listId": 12, "maxContacts": 500}
    )

    assert accepted.status_code == 202, accepted.text
    [job] = await jobs(api_only_client)
    assert job["type"] == "import.hubspot"
    assert job["parameters"]["chain"]["enrich"] is True  # the settings' default
    del job["parameters"]["chain"]
    assert job["parameters"] == {"search": None, "list_id": "12", "max_contacts": 500}
