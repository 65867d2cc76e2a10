"""`POST /api/agent/run`: run any agent definition on demand, as a job."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from pydantic import Field, field_validator

from salesauto.ai.definitions import builtin_agents, known_agent
from salesauto.ai.tasks import AgentRunParameters, agent_tools, scopes_allowed
from salesauto.jobs.schemas import JobAccepted, JobSubmit
from salesauto.jobs.service import JobService
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
    caller = current_principal(request)
    parameters = AgentRunParameters(
        agent=body.agent,
        goal=body.goal,
        input=body.input,
        model=body.model,
        offline=body.offline,
        scopes=sorted(scopes_allowed(caller, agent_tools(builtin_agents()[body.agent]))),
    )
    service: JobService = request.app.state.platform.jobs
    submit = JobSubmit(
        type="agent.run",
        parameters=parameters.model_dump(mode="json", exclude_none=True),
        idempotency_key=body.idempotency_key,
    )
    enqueued = await service.submit(submit, caller.workspace)
    accepted = JobAccepted(
        job_id=str(enqueued.job_id),
        status=f"/api/jobs/{enqueued.job_id}",
        created=enqueued.created,
    )
    return JSONResponse(
        accepted.model_dump(by_alias=True), status_code=202 if enqueued.created else 200
    )
