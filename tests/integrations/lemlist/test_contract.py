"""Contract test: every lemlist endpoint the emulator serves answers bodies that validate
against lemlist's official OpenAPI response schemas (`lemlist_v2_subset.json`, extracted from
`../shared/specs/lemlist/v2.json` by `extract_spec.py`), and its errors are the documented
plain-text strings."""

from __future__ import annotations

import asyncio
import json
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import httpx
import pytest
from jsonschema import Draft4Validator, FormatChecker

from tests.integrations.lemlist import extract_spec
from tests.integrations.lemlist.conftest import DAY

SUBSET = json.loads(extract_spec.SUBSET.read_text(encoding="utf-8"))
OPERATIONS: dict[str, Any] = SUBSET["operations"]
AUTH = ("", "contract-key")

# OpenAPI 3.0 schema objects are JSON Schema "Wright draft 00" (draft 5): Draft 4 rules.
FORMATS = FormatChecker()


def _date_time(value: object) -> bool:
    if not isinstance(value, str) or "T" not in value:
        return False
    datetime.fromisoformat(value.replace("Z", "+00:00"))
    return True


def _uri(value: object) -> bool:
    return isinstance(value, str) and bool(urlparse(value).scheme)


# jsonschema only checks `date-time` and `uri` with optional packages; these stand in.
FORMATS.checks("date-time", raises=ValueError)(_date_time)
FORMATS.checks("uri")(_uri)


class Contract:
    """Validates responses against the spec and remembers which operations were covered."""

    def __init__(self, http: httpx.AsyncClient) -> None:
        self.http = http
        self.covered: set[str] = set()

    async def send(self, method: str, url: str, **kwargs: Any) -> httpx.Response:
        """One call, paced like a well-behaved client: a 429 waits `Retry-After`."""
        kwargs.setdefault("auth", AUTH)
        while True:
            response = await self.http.request(method, url, **kwargs)
            if response.status_code != 429:
                return response
            await asyncio.sleep(float(response.headers["retry-after"]))

    async def call(self, operation: str, method: str, url: str, **kwargs: Any) -> Any:
        response = await self.send(method, url, **kwargs)
        assert response.status_code == 200, f"{operation}: {response.status_code} {response.text}"
        assert response.headers["content-type"].startswith("application/json")
        body = response.json()
        schema = OPERATIONS[operation]["response200"]
        errors = sorted(Draft4Validator(schema, format_checker=FORMATS).iter_errors(body), key=str)
        assert not errors, f"{operation}: " + "; ".join(
            f"{list(e.absolute_path)}: {e.message}" for e in errors[:5]
        )
        self.covered.add(operation)
        return body

    async def error(
        self, operation: str, status: int, method: str, url: str, **kwargs: Any
    ) -> None:
        """The emulator answers the spec's documented text/plain example for `status`."""
        response = await self.send(method, url, **kwargs)
        assert response.status_code == status
        assert response.headers["content-type"].startswith("text/plain")
        assert response.text == OPERATIONS[operation]["errorExamples"][str(status)]


async def test_emulator_responses_match_the_official_schemas(
    control: httpx.AsyncClient,
) -> None:
    c = Contract(control)
    campaigns = await c.call("GET /campaigns", "GET", "/campaigns", params={"version": "v2"})
    draft = next(x["_id"] for x in campaigns if x["status"] == "draft")
    await c.call("GET /campaigns/{campaignId}", "GET", f"/campaigns/{draft}")

    hook = await c.call(
        "POST /hooks", "POST", "/hooks", json={"targetUrl": "http://127.0.0.1:9/h", "secret": "s"}
    )
    await c.call("POST /hooks", "POST", "/hooks", params={"campaignId": draft},
                 json={"targetUrl": "https://example.com/r", "type": "emailsReplied"})  # fmt: skip
    await c.call("GET /hooks", "GET", "/hooks")

    lead_ids = []
    for index in range(12):
        lead = await c.call(
            "POST /campaigns/{campaignId}/leads/",
            "POST",
            f"/campaigns/{draft}/leads/",
            params={"deduplicate": "true"},
            json={"email": f"buyer{index}@contract-{index % 3}.example", "firstName": "Kim",
                  "lastName": "Lee", "companyName": "Contract Co", "industry": "SaaS"},
        )  # fmt: skip
        lead_ids.append(lead["_id"])
    await c.call("POST /campaigns/{campaignId}/start", "POST", f"/campaigns/{draft}/start")
    # The first hook's receiver does not exist: deliveries fail in the background, unawaited.
    moved = await control.post(
        "/_sandbox/lemlist/advance", json={"seconds": 12 * DAY, "waitForHooks": False}
    )
    assert moved.json()["activities"] > 12
    await c.call("POST /campaigns/{campaignId}/pause", "POST", f"/campaigns/{draft}/pause")

    activities = await c.call("GET /activities", "GET", "/activities", params={"version": "v2"})
    assert {a["type"] for a in activities} >= {"emailsSent", "emailsOpened"}
    await c.call(
        "GET /v2/campaigns/{campaignId}/stats",
        "GET",
        f"/v2/campaigns/{draft}/stats",
        params={"startDate": "2020-01-01T00:00:00.000Z", "endDate": "2099-01-01T00:00:00.000Z"},
    )
    await c.call("GET /campaigns/{campaignId}/leads/", "GET", f"/campaigns/{draft}/leads/")
    await c.call("GET /leads/{email}", "GET", "/leads/buyer0@contract-0.example",
                 params={"version": "v2"})  # fmt: skip
    await c.call("GET /leads", "GET", "/leads", params={"email": "buyer1@contract-1.example",
                                                          "version": "v2"})  # fmt: skip
    await c.call(
        "PATCH /campaigns/{campaignId}/leads/{leadId}",
        "PATCH",
        f"/campaigns/{draft}/leads/{lead_ids[0]}",
        json={"jobTitle": "CFO", "preferredContactMethod": "email"},
    )
    await c.call(
        "DELETE /campaigns/{campaignId}/leads/{email}",
        "DELETE",
        f"/campaigns/{draft}/leads/buyer2@contract-2.example",
    )
    await c.call(
        "DELETE /campaigns/{campaignId}/leads/{leadId}",
        "DELETE",
        f"/campaigns/{draft}/leads/{lead_ids[3]}",
        params={"action": "remove"},
    )

    await c.call("POST /unsubscribes/{email}", "POST", "/unsubscribes/quit@contract.example")
    await c.call("POST /unsubscribes/{email}", "POST", "/unsubscribes/@blocked.example")
    await c.call("GET /unsubscribes", "GET", "/unsubscribes")
    await c.call("GET /unsubscribes/{email}", "GET", "/unsubscribes/quit@contract.example")
    await c.call("DELETE /unsubscribes/{email}", "DELETE", "/unsubscribes/quit@contract.example")
    await c.call("DELETE /hooks/{hookId}", "DELETE", f"/hooks/{hook['_id']}")
    created = await c.call("POST /campaigns", "POST", "/campaigns", json={"name": "Spawned"})
    await c.call(
        "POST /sequences/{sequenceId}/steps",
        "POST",
        f"/sequences/{created['sequenceId']}/steps",
        json={"type": "email", "subject": "Hi {{firstName}}", "message": "Hello"},
    )

    assert c.covered == set(OPERATIONS), f"not exercised: {set(OPERATIONS) - c.covered}"

    # Documented error bodies.
    await c.error("GET /campaigns", 400, "GET", "/campaigns", auth=None)
    await c.error("GET /campaigns", 401, "GET", "/campaigns", auth=("", "invalid-key"))
    await c.error("GET /campaigns/{campaignId}", 404, "GET", "/campaigns/cam_missing")
    await c.error("POST /campaigns/{campaignId}/start", 404, "POST", "/campaigns/cam_x/start")
    await c.error("GET /leads/{email}", 404, "GET", "/leads/nobody@nowhere.example")
    await c.error("GET /leads", 404, "GET", "/leads", params={"email": "nobody@x.example"})
    await c.error("PATCH /campaigns/{campaignId}/leads/{leadId}", 404, "PATCH",
                  f"/campaigns/{draft}/leads/lea_missing", json={})  # fmt: skip
    await c.error("DELETE /hooks/{hookId}", 404, "DELETE", "/hooks/hoo_missing")
    await c.error("DELETE /unsubscribes/{email}", 404, "DELETE", "/unsubscribes/x@y.example")
    already = await c.send(
        "POST", f"/campaigns/{draft}/leads/", json={"email": "buyer5@contract-2.example"}
    )
    assert (already.status_code, already.text) == (400, "Already in the campaign")


def test_vendored_subset_matches_the_full_spec() -> None:
    """When the full spec is next to the repo, the vendored subset must be regenerated from it."""
    full: Path = extract_spec.FULL_SPEC
    if not full.exists():
        pytest.skip(f"full lemlist spec not found at {full}")
    spec = json.loads(full.read_text(encoding="utf-8"))
    expected = extract_spec.render(extract_spec.build_subset(spec))
    assert extract_spec.SUBSET.read_text(encoding="utf-8") == expected, (
        "run .venv/bin/python tests/integrations/lemlist/extract_spec.py"
    )
    assert spec["servers"][0]["url"].endswith("/api")  # paths in the spec carry no /api prefix
