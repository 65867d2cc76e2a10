"""lemlist's People database: `GET /database/filters`, `POST /database/people` and
`POST /database/companies`, answered from the synthetic universe.

Searches take `{filters: [{filterId, in, out}], page, size, search, excludes}`. lemlist limits
database searches per team and 24 hours and reports what is left as `limitation` in every
answer; the sandbox allows `DAILY_SEARCHES`, then answers 403 in plain text (the real status
is undocumented; a 4xx that is not 429 keeps clients from retrying a limit that lasts a day).
A bad filter or size answers 400 `Parameter … is invalid`. Every search body received is kept
for tests at `GET /_sandbox/lemlist/database/searches`.
"""

from __future__ import annotations

import secrets
import time
from collections import deque
from typing import Any

from fastapi import APIRouter, Request
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from salesauto.integrations.sandbox.kit import CONTROL_PREFIX
from salesauto.integrations.sandbox.lemlist.database_rows import (
    COMPANIES,
    FILTERS,
    LEADS,
    company_row,
    free_text,
    person_row,
)
from salesauto.integrations.sandbox.lemlist.gate import LemlistError
from salesauto.integrations.sandbox.lemlist.runtime import LemlistRuntime
from salesauto.integrations.sandbox.universe import Company, Person, universe

DAILY_SEARCHES = 2000
DAY_SECONDS = 86_400.0
# Largest page per kind (the spec: people 1..100; companies default 100, at most 500).
MAX_SIZE = {LEADS: 100, COMPANIES: 500}
DEFAULT_SIZE = {LEADS: 25, COMPANIES: 100}


class FilterBody(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    filter_id: str = Field(alias="filterId")
    include: list[str] = Field(default_factory=list, alias="in")
    exclude: list[str] = Field(default_factory=list, alias="out")


class SearchBody(BaseModel):
    model_config = ConfigDict(extra="ignore")

    filters: list[FilterBody]
    page: int = Field(1, ge=1)
    size: int | None = Field(None, ge=1)
    search: str | None = None
    excludes: list[str] = Field(default_factory=list)


class SearchQuota:
    """Searches of the last 24 hours (one team per emulator)."""

    def __init__(self) -> None:
        self.done: deque[float] = deque()

    def remaining(self, now: float) -> int:
        while self.done and self.done[0] <= now - DAY_SECONDS:
            self.done.popleft()
        return DAILY_SEARCHES - len(self.done)

    def spend(self, now: float) -> int:
        """Count one search; what is left after it (403 when none was left)."""
        if self.remaining(now) <= 0:
            raise LemlistError(403, "Database search limit reached for the last 24 hours")
        self.done.append(now)
        return self.remaining(now)


def _parse(raw: Any, mode: str) -> SearchBody:
    """The body, or lemlist's 400 naming the first bad parameter."""
    try:
        body = SearchBody.model_validate(raw)
    except ValidationError as error:
        field = str(error.errors()[0]["loc"][0]) if error.errors()[0]["loc"] else "filters"
        raise LemlistError(400, f"Parameter {field} is invalid") from None
    if body.size is not None and body.size > MAX_SIZE[mode]:
        raise LemlistError(400, f"Parameter size is invalid: at most {MAX_SIZE[mode]}")
    for item in body.filters:
        spec = FILTERS.get(item.filter_id)
        if spec is None or mode not in spec.modes:
            raise LemlistError(
                400, f"Parameter filters is invalid: unknown filterId {item.filter_id} for {mode}"
            )
        if spec.choices:
            bad = [v for v in item.include + item.exclude if v not in spec.choices]
            if bad:
                raise LemlistError(
                    400, f"Parameter filters is invalid: {item.filter_id} has no value {bad[0]}"
                )
    return body


def database_router(runtime: LemlistRuntime) -> APIRouter:
    router = APIRouter(tags=["people database"])
    world = universe(runtime.config.seed)
    quota = SearchQuota()
    received: list[dict[str, Any]] = []

    def search(mode: str, raw: Any) -> dict[str, Any]:
        started = time.perf_counter()
        received.append({"kind": mode, "body": raw})
        body = _parse(raw, mode)
        left = quota.spend(time.time())
        pool: list[Company] | list[Person] = world.people if mode == LEADS else world.companies
        wanted = (body.search or "").strip().lower()
        found = [
            item
            for item in pool
            if all(FILTERS[f.filter_id].matches(item, f.include, f.exclude) for f in body.filters)
            and (not wanted or wanted in free_text(item))
        ]
        size = body.size or DEFAULT_SIZE[mode]
        start = (body.page - 1) * size
        rows = [
            person_row(item) if isinstance(item, Person) else company_row(item)
            for item in found[start : start + size]
        ]
        for row in rows:
            for key in body.excludes:
                row.pop(key, None)
        return {
            "results": rows,
            "total": len(found),
            "took": round((time.perf_counter() - started) * 1000),
            "page": body.page,
            "size": size,
            "search": "lsh_" + secrets.token_urlsafe(12)[:17],
            "limitation": left,
            "team": runtime.state.team_id,
        }

    @router.get("/database/filters")
    async def database_filters() -> list[dict[str, Any]]:
        """Every filter the emulated database answers, lemlist's catalogue shape (free)."""
        return [spec.catalogue_entry() for spec in FILTERS.values()]

    @router.post("/database/people")
    async def search_people(request: Request) -> dict[str, Any]:
        """People matching every filter, paged (`size` ≤ 100); uses one daily search."""
        return search(LEADS, await _json(request))

    @router.post("/database/companies")
    async def search_companies(request: Request) -> dict[str, Any]:
        """Companies matching every filter, paged (`size` ≤ 500); uses one daily search."""
        return search(COMPANIES, await _json(request))

    @router.get(f"{CONTROL_PREFIX}/lemlist/database/searches", include_in_schema=False)
    async def searches() -> list[dict[str, Any]]:
        """The search bodies received, in order (tests check what a tool sent)."""
        return received

    return router


async def _json(request: Request) -> Any:
    try:
        return await request.json()
    except ValueError:
        raise LemlistError(400, "Parameter filters is invalid") from None
