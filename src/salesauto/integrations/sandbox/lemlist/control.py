"""Sandbox-only controls under `/_sandbox/lemlist` (never rate limited, no key needed):

- `POST /advance {"seconds": 604800, "waitForHooks": true}` moves simulated time and runs every
  send, open, click, bounce and reply that came due; with `waitForHooks` it returns once the
  webhooks they triggered were delivered (or gave up).
- `GET  /clock` → simulated now and time scale.
- `PUT  /options {"campaignsEnvelope": true}` → `GET /campaigns?version=v2` answers
  `{campaigns, pagination}` instead of the documented bare array.
- `GET  /replies` → the class of every simulated reply (and its return date / referral), for
  tests of reply classification. Vendor payloads never carry it.
- `GET  /deliveries` → webhook POSTs delivered, failed, pending.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict, Field

from salesauto.integrations.sandbox.kit import CONTROL_PREFIX
from salesauto.integrations.sandbox.lemlist.runtime import LemlistRuntime
from salesauto.integrations.sandbox.lemlist.state import iso


class AdvanceRequest(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    seconds: float = Field(ge=0, le=365 * 86400)
    wait_for_hooks: bool = Field(True, alias="waitForHooks")


class EmulatorOptions(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    campaigns_envelope: bool = Field(False, alias="campaignsEnvelope")


def control_router(runtime: LemlistRuntime) -> APIRouter:
    router = APIRouter(prefix=f"{CONTROL_PREFIX}/lemlist", include_in_schema=False)

    def deliveries() -> dict[str, int]:
        deliverer = runtime.deliverer
        return {
            "hooksDelivered": deliverer.delivered,
            "hooksFailed": deliverer.failed,
            "hooksPending": deliverer.pending,
        }

    @router.post("/advance")
    async def advance(body: AdvanceRequest) -> dict[str, Any]:
        runtime.ensure_started()
        produced = runtime.engine.advance(body.seconds)
        if body.wait_for_hooks:
            await runtime.deliverer.flush()
        return {"simulatedNow": iso(runtime.now), "activities": produced, **deliveries()}

    @router.get("/clock")
    async def clock() -> dict[str, Any]:
        return {"simulatedNow": iso(runtime.now), "timeScale": runtime.config.time_scale}

    @router.put("/options")
    async def options(body: EmulatorOptions) -> dict[str, Any]:
        runtime.state.campaigns_envelope = body.campaigns_envelope
        return body.model_dump(by_alias=True)

    @router.get("/replies")
    async def replies() -> list[dict[str, Any]]:
        return [
            {
                "activityId": facts.activity_id,
                "leadEmail": facts.lead_email,
                "class": facts.reply_class,
                "returnDate": facts.return_date,
                "referralName": facts.referral_name,
                "referralEmail": facts.referral_email,
            }
            for facts in runtime.state.replies
        ]

    @router.get("/deliveries")
    async def delivery_counts() -> dict[str, int]:
        return deliveries()

    return router
