"""`POST /api/agent/run`: run any agent definition on demand, as a job."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from pydantic import Field, field_validator

from salesauto.ai.definitions import known_agent
from salesauto.ai.submit import submit_agent_run
from salesauto.jobs.endpoints import accepted_response
from salesauto.jobs.schemas import JobAccepted
from salesauto.kit.schemas import ApiModel
from salesauto.security.principal import current_principal
from salesauto.security.scopes import scoped

router = APIRouter(prefix="/api/agent", tags=["agent"], dependencies=[scoped("ai")])


class AgentRunRequest(ApiModel):
    agent: str = Field(..., max_length=50, description="lead_finder, enricher, crm_sync, …")
    goal: str = Field(..., min_length=1, max_length=4000, description="What to achieve.")
    input: dict[str, Any] = Field(
        default_factory=dict, description="Structured input (an ICP, emails, a campaign id)."
    )
    model: Annotated[str | None, Field(max_length=100)] = None
    offline: bool = Field(False, description="Run the offline planner even with a model key.")
    idempotency_key: Annotated[str | None, Field(min_length=1, max_length=200)] = None

    @field_validator("agent")
    @classmethod
    def _known_agent(cls, name: str) -> str:
        return known_agent(name)


@router.post("/run", status_code=202, response_model=JobAccepted, response_model_by_alias=True)
async def run_agent(body: AgentRunRequest, request: Request) -> JSONResponse:
    """Queue an `agent.run` job: the agent works towards `goal` with its toolsets, limited
    to the scopes of your key. Follow it at `status`, its steps at
    `/api/jobs/{id}/transcript` and live as `agent.*` events on `/ws`. Without a model key
    the offline planner runs the agent's standard steps and says so in its result."""
    enqueued = await submit_agent_run(
        request.app.state.platform.jobs,
        current_principal(request),
        agent=body.agent,
        goal=body.goal,
        input=body.input,
        model=body.model,
        offline=body.offline,
        idempotency_key=body.idempotency_key,
    )
    return accepted_response(enqueued)
