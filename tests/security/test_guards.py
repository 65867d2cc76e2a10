"""The body guard: oversized, mistyped, deep or polluted bodies never reach a route."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from fastapi import FastAPI, Request
from hypothesis import given, settings
from hypothesis import strategies as st
from starlette.types import Message

from salesauto.security.guards import BodyGuard
from salesauto.security.json_checks import FORBIDDEN_KEYS, JsonRefused, checked_json

LIMIT = 8 * 1024
DEPTH = 8
SECRET = "s3cr3t-value-never-echoed"


def guarded_app(max_body_bytes: int = LIMIT) -> BodyGuard:
    app = FastAPI()

    @app.post("/api/contacts")
    async def create_contact(request: Request) -> dict[str, object]:
        raw = await request.body()
        return {"received": raw.decode(), "length": len(raw)}

    @app.post("/api/campaigns/{campaign_id}/start")
    async def start_campaign(campaign_id: str) -> dict[str, str]:
        return {"started": campaign_id}

    @app.post("/api/import/csv")
    async def upload_csv(request: Request) -> dict[str, int]:
        return {"length": len(await request.body())}

    @app.post("/webhooks/lemlist/{token}")
    async def lemlist_hook(request: Request) -> dict[str, int]:
        return {"length": len(await request.body())}

    return BodyGuard(
        app, max_body_bytes=max_body_bytes, max_depth=DEPTH, multipart_paths=("/api/import/",)
    )


@pytest.fixture
async def client() -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=guarded_app())
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        yield client


def post_json(client: httpx.AsyncClient, body: bytes | str) -> Any:
    content = body.encode() if isinstance(body, str) else body
    headers = {"Content-Type": "application/json"}
    return client.post("/api/contacts", content=content, headers=headers)


async def test_a_valid_body_reaches_the_route_unchanged(client: httpx.AsyncClient) -> None:
    body = '{"email": "ana@example.com",  "tags": ["a", {"x": 1}], "note": "[[[{{{"}'
    response = await post_json(client, body)
    assert response.status_code == 200
    assert response.json()["received"] == body


async def test_a_declared_oversized_body_is_refused_before_reading() -> None:
    sent: list[Message] = []

    async def receive() -> Message:
        raise AssertionError("the body must not be read")

    async def send(message: Message) -> None:
        sent.append(message)

    scope = {
        "type": "http",
        "method": "POST",
        "path": "/api/contacts",
        "headers": [(b"content-type", b"application/json"), (b"content-length", b"50000")],
    }
    await guarded_app()(scope, receive, send)
    assert sent[0]["status"] == 413
    body = json.loads(sent[1]["body"])
    assert body["success"] is False and "SALESAUTO_MAX_BODY_KB" in body["error"]


async def test_a_chunked_body_is_refused_as_soon_as_it_passes_the_limit(
    client: httpx.AsyncClient,
) -> None:
    pulled = 0

    async def chunks() -> AsyncIterator[bytes]:
        nonlocal pulled
        for _ in range(100):
            pulled += 1
            yield b" " * 4096

    response = await client.post(
        "/api/contacts", content=chunks(), headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 413
    assert pulled <= 3  # stopped at the chunk that crossed 8 KB, not after 400 KB


async def test_a_lying_content_length_does_not_get_a_large_body_through() -> None:
    sent: list[Message] = []
    chunks = [b"[" + b"1," * 3000, b"1," * 3000, b"1]"]

    async def receive() -> Message:
        return {"type": "http.request", "body": chunks.pop(0), "more_body": bool(chunks)}

    async def send(message: Message) -> None:
        sent.append(message)

    scope = {
        "type": "http",
        "method": "POST",
        "path": "/api/contacts",
        "headers": [(b"content-type", b"application/json"), (b"content-length", b"10")],
    }
    await guarded_app()(scope, receive, send)
    assert sent[0]["status"] == 413


@pytest.mark.parametrize(
    "content_type", ["text/plain", "application/x-www-form-urlencoded", "multipart/form-data"]
)
async def test_a_body_that_is_not_json_gets_415(
    client: httpx.AsyncClient, content_type: str
) -> None:
    response = await client.post(
        "/api/contacts", content=b'{"email": "a@b.co"}', headers={"Content-Type": content_type}
    )
    assert response.status_code == 415
    assert "application/json" in response.json()["error"]


async def test_a_body_without_content_type_gets_415(client: httpx.AsyncClient) -> None:
    response = await client.post("/api/contacts", content=b'{"email": "a@b.co"}')
    assert response.status_code == 415


@pytest.mark.parametrize(
    "content_type", ["application/json; charset=utf-8", "application/merge-patch+json"]
)
async def test_json_media_types_with_parameters_or_suffixes_pass(
    client: httpx.AsyncClient, content_type: str
) -> None:
    response = await client.post(
        "/api/contacts", content=b"{}", headers={"Content-Type": content_type}
    )
    assert response.status_code == 200


async def test_an_action_without_a_body_passes(client: httpx.AsyncClient) -> None:
    response = await client.post("/api/campaigns/c1/start")
    assert response.status_code == 200 and response.json() == {"started": "c1"}


async def test_multipart_uploads_are_left_to_the_upload_limit(client: httpx.AsyncClient) -> None:
    csv = b"email\n" + b"someone@example.com\n" * 1000  # 20 KB, above the JSON limit
    response = await client.post("/api/import/csv", files={"file": ("leads.csv", csv)})
    assert response.status_code == 200


async def test_routes_outside_the_prefixes_are_not_guarded(client: httpx.AsyncClient) -> None:
    response = await client.post(
        "/webhooks/lemlist/tok", content=b"x" * 20_000, headers={"Content-Type": "text/plain"}
    )
    assert response.status_code == 200


async def test_ten_thousand_levels_of_nesting_get_422_not_500() -> None:
    transport = httpx.ASGITransport(app=guarded_app(max_body_bytes=100_000))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        for deep in ('{"a":' * 10_000 + "1" + "}" * 10_000, "[" * 10_000 + "]" * 10_000):
            response = await post_json(client, deep)
            assert response.status_code == 422
            assert "nested deeper than 8 levels" in response.json()["error"]


async def test_nesting_at_the_limit_passes_and_one_more_level_fails(
    client: httpx.AsyncClient,
) -> None:
    at_limit = "[" * DEPTH + "]" * DEPTH
    too_deep = "[" * (DEPTH + 1) + "]" * (DEPTH + 1)
    assert (await post_json(client, at_limit)).status_code == 200
    response = await post_json(client, too_deep)
    assert response.status_code == 422
    assert f"deeper than {DEPTH} levels" in response.json()["error"]


async def test_brackets_inside_strings_do_not_count_as_nesting(
    client: httpx.AsyncClient,
) -> None:
    body = json.dumps({"note": "[{" * 50 + '\\"[', "more": ["]]]\\"]})
    assert (await post_json(client, body)).status_code == 200


@pytest.mark.parametrize(
    ("body", "hint"),
    [
        (f'{{"email": "{SECRET}",', "not valid JSON"),
        (f'{{"n": {"9" * 5000}, "s": "{SECRET}"}}', "more than 4300 digits"),
        (f'{{"n": NaN, "s": "{SECRET}"}}', "NaN"),
    ],
)
async def test_bad_json_gets_422_without_echoing_it(
    client: httpx.AsyncClient, body: str, hint: str
) -> None:
    response = await post_json(client, body)
    assert response.status_code == 422
    assert hint in response.json()["error"]
    assert SECRET not in response.text


@pytest.mark.parametrize(
    ("body", "path"),
    [
        ({"contact": {"data": {"__proto__": {"isAdmin": SECRET}}}}, "contact.data.__proto__"),
        ({"rows": [{}, {"constructor": {"prototype": SECRET}}]}, "rows[1].constructor"),
        ({"prototype": SECRET}, "prototype"),
        ({"contact": {"__class__": SECRET}}, "contact.__class__"),
    ],
)  # fmt: skip
async def test_polluting_keys_at_any_depth_get_422_naming_the_path(
    client: httpx.AsyncClient, body: dict[str, object], path: str
) -> None:
    response = await post_json(client, json.dumps(body))
    assert response.status_code == 422
    assert response.json()["field"] == path
    assert path in response.json()["error"]
    assert SECRET not in response.text


async def test_polluting_keys_are_fine_as_values(client: httpx.AsyncClient) -> None:
    body = {"note": "__proto__", "tags": ["constructor", "prototype"], "my__key": 1}
    assert (await post_json(client, json.dumps(body))).status_code == 200


# Keys drawn mostly from ordinary names, sometimes from the refused ones.
keys = st.one_of(
    st.text(alphabet="abc_", max_size=6),
    st.sampled_from([*sorted(FORBIDDEN_KEYS), "__class__", "__init__", "_ok", "ok__"]),
)
documents = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=5),
    lambda children: st.lists(children, max_size=3) | st.dictionaries(keys, children, max_size=3),
    max_leaves=20,
)


def has_refused_key(value: object) -> bool:
    if isinstance(value, dict):
        return any(
            key in FORBIDDEN_KEYS or key.startswith("__") or has_refused_key(child)
            for key, child in value.items()
        )
    if isinstance(value, list):
        return any(has_refused_key(child) for child in value)
    return False


@settings(max_examples=300, deadline=None)
@given(documents)
def test_the_key_guard_refuses_exactly_the_documents_with_a_refused_key(
    document: object,
) -> None:
    body = json.dumps(document).encode()
    try:
        checked_json(body, max_depth=100)
    except JsonRefused as refused:
        assert refused.field is not None and has_refused_key(document)
        named = refused.field.rsplit(".", 1)[-1]  # the path ends at the refused key
        assert named in FORBIDDEN_KEYS or named.startswith("__")
    else:
        assert not has_refused_key(document)
