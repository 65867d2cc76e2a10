"""Webhook routes: `GET/POST /hooks`, `DELETE /hooks/{hookId}`."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request

from salesauto.integrations.sandbox.lemlist.common import as_text, bool_param, campaign_or_404
from salesauto.integrations.sandbox.lemlist.gate import LemlistError
from salesauto.integrations.sandbox.lemlist.runtime import LemlistRuntime
from salesauto.integrations.sandbox.lemlist.state import Hook


def hooks_router(runtime: LemlistRuntime) -> APIRouter:
    router = APIRouter(tags=["hooks"])
    state = runtime.state

    @router.get("/hooks")
    async def list_hooks() -> list[dict[str, Any]]:
        """Every webhook of the team; the secret is never shown."""
        return [hook.public() for hook in state.hooks.values()]

    @router.post("/hooks")
    async def add_hook(request: Request) -> dict[str, Any]:
        """Subscribe `targetUrl`; `campaignId`, `isFirst`, `zapId` as query (or body) fields."""
        try:
            body = await request.json()
        except ValueError:
            raise LemlistError(400, "Bad params: invalid JSON body") from None
        if not isinstance(body, dict):
            raise LemlistError(400, "Bad params: the body must be an object")
        target = as_text(body.get("targetUrl") or "")
        if not target.startswith(("http://", "https://")):
            raise LemlistError(400, "Bad params: targetUrl must be an http(s) URL")
        query = request.query_params
        campaign_id = query.get("campaignId") or body.get("campaignId")
        if campaign_id:
            campaign_or_404(state, as_text(campaign_id))
        zap = query.get("zapId") or body.get("zapId")
        first = bool_param(query.get("isFirst") or _text_or_none(body.get("isFirst")))
        hook = Hook(
            id=state.new_id("hoo"),
            target_url=target,
            created_at=runtime.now,
            type=_text_or_none(body.get("type")),
            campaign_id=as_text(campaign_id) if campaign_id else None,
            is_first=first,
            zap_id=int(zap) if zap is not None and str(zap).isdigit() else None,
            secret=_text_or_none(body.get("secret")),
        )
        state.hooks[hook.id] = hook
        answer: dict[str, Any] = {
            "_id": hook.id,
            "targetUrl": hook.target_url,
            "createdAt": hook.public()["createdAt"],
        }
        if hook.type:
            answer["type"] = hook.type
        if hook.campaign_id:
            answer["campaignId"] = hook.campaign_id
        return answer

    @router.delete("/hooks/{hook_id}")
    async def delete_hook(hook_id: str) -> dict[str, Any]:
        hook = state.hooks.pop(hook_id, None)
        if hook is None:
            raise LemlistError(404, "Webhook not found")
        return hook.public()

    return router


def _text_or_none(value: Any) -> str | None:
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)
