"""`POST /v1/prospects/events`: job changes and work anniversaries of up to 40 prospects.

Every prospect's history derives from its own facts: the current role started
`months_in_role` before the universe's reference day, by a company move (every third person)
or a promotion; each full year in the role since then is an anniversary.
"""

from __future__ import annotations

import hashlib
import time
from datetime import UTC, date, datetime, timedelta
from typing import Any

from fastapi import APIRouter

from salesauto.integrations.sandbox.explorium.schemas import ProspectEventsBody
from salesauto.integrations.sandbox.explorium.state import ExploriumState, response_context
from salesauto.integrations.sandbox.universe import REFERENCE_DAY, Person

PREVIOUS_EMPLOYERS = ("Globex", "Initech", "Umbrella Analytics", "Hooli", "Stark Systems")


def _event(person: Person, name: str, day: date, data: dict[str, Any]) -> dict[str, Any]:
    digest = hashlib.sha1(f"{person.prospect_id}:{name}:{day}".encode()).hexdigest()[:32]
    return {
        "event_name": name,
        "event_time": f"{day.isoformat()}T00:00:00+00:00",
        "event_id": digest,
        "prospect_id": person.prospect_id,
        "data": {"event_name": name, **data},
    }


def prospect_history(person: Person) -> list[dict[str, Any]]:
    """The prospect's events, newest first."""
    company = person.company
    started = REFERENCE_DAY - timedelta(days=30 * person.months_in_role)
    current = {
        "current_company_name": company.name,
        "current_company_id": company.business_id,
        "current_job_title": person.title,
    }
    if person.index % 3 == 0:
        previous = PREVIOUS_EMPLOYERS[person.index % len(PREVIOUS_EMPLOYERS)]
        move = _event(
            person,
            "prospect_changed_company",
            started,
            {**current, "previous_company_name": previous, "previous_job_title": person.title},
        )
    else:
        move = _event(
            person,
            "prospect_changed_role",
            started,
            {**current, "previous_job_title": f"Associate, {person.department.title()}"},
        )
    events = [move]
    years = 1
    while (anniversary := started + timedelta(days=365 * years)) <= REFERENCE_DAY:
        events.append(
            _event(
                person, "prospect_job_start_anniversary", anniversary, {**current, "years": years}
            )
        )
        years += 1
    return sorted(events, key=lambda e: e["event_time"], reverse=True)


def prospect_events_router(state: ExploriumState) -> APIRouter:
    router = APIRouter(prefix="/v1/prospects", tags=["prospects"])

    @router.post("/events")
    async def prospect_events(body: ProspectEventsBody) -> dict[str, Any]:
        """Events of up to 40 prospects, filtered by type and time; unknown ids add none."""
        started = time.perf_counter()
        state.log_call("prospects/events", len(body.prospect_ids))
        since, until = _aware(body.timestamp_from), _aware(body.timestamp_to)
        wanted = set(body.event_types)
        events = []
        for prospect_id in dict.fromkeys(body.prospect_ids):
            person = state.universe.by_prospect_id.get(prospect_id)
            for event in prospect_history(person) if person else []:
                moment = datetime.fromisoformat(event["event_time"])
                if event["event_name"] not in wanted:
                    continue
                if (since and moment < since) or (until and moment > until):
                    continue
                events.append(event)
        return {
            "response_context": response_context(started, "success" if events else "miss"),
            "output_events": events,
        }

    return router


def _aware(moment: datetime | None) -> datetime | None:
    if moment is None:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
