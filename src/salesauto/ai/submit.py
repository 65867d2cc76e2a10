"""Queue an `agent.run` job for a caller: the one place that narrows the agent's scopes to
the caller's, used by `POST /api/agent/run`, the `agent_run` tool and the pipeline routes when
they run through an agent."""

from __future__ import annotations

from typing import Any

from salesauto.ai.definitions import builtin_agents
from salesauto.ai.step_jobs import StepName
from salesauto.ai.tasks import AgentRunParameters, agent_tools, scopes_allowed
from salesauto.jobs.queue import Enqueued
from salesauto.jobs.schemas import JobSubmit
from salesauto.jobs.service import JobService
from salesauto.security.principal import Principal


async def submit_agent_run(
    jobs: JobService,
    caller: Principal,
    *,
    agent: str,
    goal: str,
    input: dict[str, Any],
    model: str | None = None,
    offline: bool = False,
    idempotency_key: str | None = None,
    step: StepName | None = None,
) -> Enqueued:
    """`step`: the pipeline step the run stands in for (its result then is that step's)."""
    parameters = AgentRunParameters(
        agent=agent,
        goal=goal,
        input=input,
        model=model,
        offline=offline,
        # The agent never gets a scope its caller lacks.
        scopes=sorted(scopes_allowed(caller, agent_tools(builtin_agents()[agent]))),
        step=step,
    )
    submit = JobSubmit(
        type="agent.run",
        parameters=parameters.model_dump(mode="json", exclude_none=True),
        idempotency_key=idempotency_key,
    )
    return await jobs.submit(submit, caller.workspace)
