"""`/api/suppressions`: the do-not-contact list, and the check every caller runs against it."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from salesauto.config import Settings
from salesauto.kit.db import create_engine
from salesauto.kit.time import utcnow
from salesauto.suppressions.repository import add_suppressions
from salesauto.suppressions.service import SuppressionService, classify

OWNER = "default"


@pytest.fixture
async def engine(settings: Settings) -> AsyncIterator[AsyncEngine]:
    built = create_engine(settings.resolved_database_url)
    yield built
    await built.dispose()


async def listed(engine: AsyncEngine, *entries: tuple[str, str]) -> list[int]:
    """Put (value, reason) entries on the list without the API, normalised as it does; ids."""
    async with engine.begin() as conn:
        return await add_suppressions(
            conn,
            OWNER,
            [(*classify(value), reason) for value, reason in entries],
            source="test",
            at=utcnow(),
        )


async def post(client: httpx.AsyncClient, body: dict[str, Any]) -> dict[str, Any]:
    response = await client.post("/api/suppressions", json=body)
    assert response.status_code == 201, response.text
    added: dict[str, Any] = response.json()
    return added


async def test_add_one_then_a_batch_with_an_invalid_entry(
    api_only_client: httpx.AsyncClient, engine: AsyncEngine
) -> None:
    one = await post(api_only_client, {"value": " Jane@ACME.com ", "reason": "unsubscribed"})
    assert one["success"] is True
    assert one["alreadyListed"] == 0 and one["rejected"] == []
    [jane] = one["added"]
    assert {key: jane[key] for key in ("kind", "value", "reason", "source")} == {
        "kind": "email",
        "value": "jane@acme.com",
        "reason": "unsubscribed",
        "source": "api",
    }
    assert isinstance(jane["id"], int) and jane["createdAt"]

    batch = await post(
        api_only_client,
        {
            "entries": [
                {"value": "https://www.Globex.io/careers"},
                {"value": "@initech.com", "reason": "competitor"},
                {"value": "nope"},
                {"value": "jane@acme.com", "reason": "again"},
            ]
        },
    )
    assert [(a["kind"], a["value"], a["reason"]) for a in batch["added"]] == [
        ("domain", "globex.io", "manual"),
        ("domain", "initech.com", "competitor"),
    ]
    assert batch["alreadyListed"] == 1
    assert batch["rejected"] == [
        {"value": "nope", "reason": "'nope' is neither an email address nor a domain like acme.com"}
    ]

    # Re-adding everything changes nothing.
    again = await post(
        api_only_client, {"entries": [{"value": "GLOBEX.io"}, {"value": "jane@acme.com"}]}
    )
    assert (again["added"], again["alreadyListed"], again["rejected"]) == ([], 2, [])

    # What was added is what every caller's check sees.
    check = await SuppressionService(engine).check(
        OWNER, ["jane@acme.com", "Li@Globex.io", "bob@acme.com", "ceo@initech.com"]
    )
    assert check == {
        "jane@acme.com": "unsubscribed",
        "li@globex.io": "manual",
        "ceo@initech.com": "competitor",
    }


async def test_list_newest_first_by_kind_and_in_pages(
    api_only_client: httpx.AsyncClient, engine: AsyncEngine
) -> None:
    await listed(
        engine,
        ("a@acme.com", "bounced"),
        ("acme.org", "competitor"),
        ("b@acme.com", "unsubscribed"),
        ("globex.io", "customer"),
        ("c@acme.com", "complained"),
    )

    response = await api_only_client.get("/api/suppressions")
    assert response.status_code == 200, response.text
    body = response.json()
    assert [entry["value"] for entry in body["suppressions"]] == [
        "c@acme.com",
        "globex.io",
        "b@acme.com",
        "acme.org",
        "a@acme.com",
    ]
    assert body["nextCursor"] is None

    emails = (await api_only_client.get("/api/suppressions", params={"kind": "email"})).json()
    assert [entry["value"] for entry in emails["suppressions"]] == [
        "c@acme.com",
        "b@acme.com",
        "a@acme.com",
    ]
    domains = (await api_only_client.get("/api/suppressions", params={"kind": "domain"})).json()
    assert [(e["value"], e["reason"]) for e in domains["suppressions"]] == [
        ("globex.io", "customer"),
        ("acme.org", "competitor"),
    ]

    pages: list[list[str]] = []
    params: dict[str, str | int] = {"limit": 2}
    while True:
        page = (await api_only_client.get("/api/suppressions", params=params)).json()
        pages.append([entry["value"] for entry in page["suppressions"]])
        if page["nextCursor"] is None:
            break
        params["cursor"] = page["nextCursor"]
        assert len(pages) <= 5, "paging does not end"
    assert pages == [["c@acme.com", "globex.io"], ["b@acme.com", "acme.org"], ["a@acme.com"]]


async def test_removing_an_entry_is_204_then_404(
    api_only_client: httpx.AsyncClient, engine: AsyncEngine
) -> None:
    jane, acme = await listed(engine, ("jane@globex.io", "unsubscribed"), ("acme.com", "partner"))
    service = SuppressionService(engine)
    assert set(await service.check(OWNER, ["jane@globex.io", "bob@acme.com"])) == {
        "jane@globex.io",
        "bob@acme.com",
    }

    response = await api_only_client.delete(f"/api/suppressions/{acme}")
    assert response.status_code == 204
    assert response.content == b""
    again = await api_only_client.delete(f"/api/suppressions/{acme}")
    assert again.status_code == 404
    assert again.json() == {"success": False, "error": f"suppression {acme} not found"}

    # Contacting Acme is possible again; Jane stays suppressed.
    assert await service.check(OWNER, ["jane@globex.io", "bob@acme.com"]) == {
        "jane@globex.io": "unsubscribed"
    }
    assert (
        await api_only_client.delete(f"/api/suppressions/{jane + acme + 1000}")
    ).status_code == 404


async def test_the_check_covers_every_address_at_a_suppressed_domain(engine: AsyncEngine) -> None:
    await listed(engine, ("https://www.Initech.com/", "competitor"), ("Bob@Acme.com", "bounced"))
    service = SuppressionService(engine)

    check = await service.check(
        OWNER,
        [
            "Peter@INITECH.com",
            " milton@initech.com ",
            "Bob <bob@acme.com>",
            "alice@acme.com",
            "x@initech.co",
            "",
        ],
    )

    assert check == {
        "peter@initech.com": "competitor",
        "milton@initech.com": "competitor",
        "bob@acme.com": "bounced",
    }


async def test_malformed_bodies_are_422_and_add_nothing(
    api_only_client: httpx.AsyncClient, engine: AsyncEngine
) -> None:
    bodies: list[dict[str, Any]] = [
        {},
        {"value": "x"},
        {"entries": []},
        {"value": "jane@acme.com", "reason": ""},
        {"value": "jane@acme.com", "colour": "red"},
    ]
    for body in bodies:
        response = await api_only_client.post("/api/suppressions", json=body)
        assert response.status_code == 422, body
        assert response.json()["error"].startswith("invalid request"), body
    assert await SuppressionService(engine).check(OWNER, ["jane@acme.com"]) == {}


async def test_unknown_kind_filter_is_422(api_only_client: httpx.AsyncClient) -> None:
    response = await api_only_client.get("/api/suppressions", params={"kind": "phone"})
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "query.kind"
