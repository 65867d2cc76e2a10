"""The API on the lemlist emulator, for the campaign endpoint tests."""

from __future__ import annotations

from typing import Any

import httpx

from salesauto.platform import Platform

TWO_STEPS = {
    "steps": [
        {"channel": "email", "delayDays": 0, "subject": "Idea for {{companyName}}",
         "body": "Hi {{firstName}}, a thought for {{companyName}}."},
        {"channel": "email", "delayDays": 3, "subject": "Following up, {{firstName}}",
         "body": "Worth a look?", "conditions": {"stopOnReply": True}},
    ]
}  # fmt: skip


class Api:
    def __init__(self, client: httpx.AsyncClient, lemlist_url: str) -> None:
        self.client = client
        self.lemlist_url = lemlist_url
        self.platform: Platform = client._transport.app.state.platform  # type: ignore[attr-defined]

    async def ok(self, method: str, path: str, status: int = 200, **kwargs: Any) -> Any:
        response = await self.client.request(method, path, **kwargs)
        assert response.status_code == status, response.text
        return response.json() if response.content else None

    async def template(self, **overrides: Any) -> dict[str, Any]:
        body = {"name": "Outbound Q3", "structure": TWO_STEPS, **overrides}
        created: dict[str, Any] = await self.ok("POST", "/api/campaigns/templates", 201, json=body)
        return created

    async def advance(self, days: float) -> None:
        async with httpx.AsyncClient(base_url=self.lemlist_url) as control:
            moved = await control.post(
                "/_sandbox/lemlist/advance", json={"seconds": days * 86400, "waitForHooks": False}
            )
        assert moved.status_code == 200, moved.text
