"""`GET /activities?version=v2`: every event of the account, newest first, filtered and paged."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from salesauto.integrations.sandbox.lemlist.common import bool_param, page, parse_moment
from salesauto.integrations.sandbox.lemlist.gate import LemlistError
from salesauto.integrations.sandbox.lemlist.runtime import LemlistRuntime

ACTIVITIES_MAX = 100


def activities_router(runtime: LemlistRuntime) -> APIRouter:
    router = APIRouter(tags=["activities"])
    state = runtime.state

    @router.get("/activities")
    async def list_activities(
        version: str | None = None,
        type: str | None = None,
        campaignId: str | None = None,
        leadId: str | None = None,
        isFirst: str | None = None,
        minDate: str | None = None,
        maxDate: str | None = None,
        startDate: str | None = None,
        endDate: str | None = None,
        offset: int | None = None,
        limit: int | None = None,
    ) -> list[dict[str, Any]]:
        """Activities newest first; `limit` at most 100, `minDate`/`maxDate` unix s or ISO."""
        if version != "v2":
            raise LemlistError(400, "Bad params: version=v2 is mandatory on this route")
        since = parse_moment(minDate or startDate, "minDate")
        until = parse_moment(maxDate or endDate, "maxDate")
        first = bool_param(isFirst)
        times = state.activity_times
        ordered = sorted(
            enumerate(state.activities),
            key=lambda pair: (times[str(pair[1]["_id"])], pair[0]),
            reverse=True,
        )
        matching = [
            activity
            for _, activity in ordered
            if (not type or activity["type"] == type)
            and (not campaignId or activity.get("campaignId") == campaignId)
            and (not leadId or activity.get("leadId") == leadId)
            and (first is None or bool(activity.get("isFirst")) == first)
            and (since is None or times[str(activity["_id"])] >= since)
            and (until is None or times[str(activity["_id"])] <= until)
        ]
        return page(matching, offset, limit, cap=ACTIVITIES_MAX)

    return router
