"""Agent definitions: Markdown files whose front matter sets the model tier, toolsets and
limits, and whose body is the system prompt. Loaded and checked once, at start-up."""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from salesauto.ai.errors import AgentDefinitionError

AGENTS_DIR = Path(__file__).resolve().parent / "agents"
FRONT_MATTER = re.compile(r"\A---\s*\n(?P<meta>.*?)\n---\s*\n(?P<body>.*)\Z", re.DOTALL)
Tier = Literal["fast", "strong"]


class AgentDefinition(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(pattern=r"^[a-z][a-z_]*$", description="Also the offline planner's key.")
    description: str = Field(min_length=1)
    job_types: list[str] = Field(
        default_factory=list, description="Job types this agent runs when a model is set."
    )
    model_tier: Tier
    toolsets: list[str] = Field(min_length=1)
    read_only: bool = False
    max_iterations: int = Field(ge=1, le=100)
    budget_usd: float = Field(gt=0, le=100)
    budget_tokens: int = Field(gt=0, le=10_000_000)
    prompt: str = Field(min_length=1, description="The system prompt: the file's body.")


def parse_agent(path: Path, known_toolsets: Iterable[str] | None = None) -> AgentDefinition:
    """Read one agent file; every problem is an `AgentDefinitionError` naming the file."""
    match = FRONT_MATTER.match(path.read_text(encoding="utf-8"))
    if match is None:
        raise AgentDefinitionError(
            f"agent file {path.name}: start it with front matter between two '---' lines",
            file=str(path),
        )
    try:
        meta = yaml.safe_load(match["meta"])
    except yaml.YAMLError as error:
        raise AgentDefinitionError(
            f"agent file {path.name}: its front matter is not valid YAML ({error})",
            file=str(path),
        ) from None
    if not isinstance(meta, dict):
        raise AgentDefinitionError(
            f"agent file {path.name}: the front matter must be `key: value` lines", file=str(path)
        )
    try:
        agent = AgentDefinition.model_validate({**meta, "prompt": match["body"].strip()})
    except ValidationError as error:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in e['loc']) or 'file'}: {e['msg']}" for e in error.errors()
        )
        raise AgentDefinitionError(f"agent file {path.name}: {problems}", file=str(path)) from None
    if agent.name != path.stem:
        raise AgentDefinitionError(
            f"agent file {path.name}: name {agent.name!r} must match the file name {path.stem!r}",
            file=str(path),
        )
    if known_toolsets is not None:
        unknown = sorted(set(agent.toolsets) - set(known_toolsets))
        if unknown:
            raise AgentDefinitionError(
                f"agent file {path.name}: unknown toolsets {', '.join(unknown)}; use "
                f"{', '.join(sorted(known_toolsets))}",
                file=str(path),
            )
    return agent


def load_agents(
    folder: Path = AGENTS_DIR, known_toolsets: Iterable[str] | None = None
) -> dict[str, AgentDefinition]:
    known = list(known_toolsets) if known_toolsets is not None else None
    agents: dict[str, AgentDefinition] = {}
    for path in sorted(folder.glob("*.md")):
        agent = parse_agent(path, known)
        agents[agent.name] = agent
    return agents


@lru_cache(maxsize=1)
def builtin_agents() -> dict[str, AgentDefinition]:
    """The shipped agents, checked against the platform's toolsets."""
    from salesauto.tools.toolsets import platform_registry

    return load_agents(AGENTS_DIR, platform_registry().toolsets())


def known_agent(name: str) -> str:
    """`name` if a shipped agent has it; a ValueError listing the names otherwise (input
    validators turn it into a 422)."""
    agents = builtin_agents()
    if name not in agents:
        raise ValueError(f"unknown agent {name!r}; use one of {', '.join(sorted(agents))}")
    return name


def agent_for_job_type(agents: dict[str, AgentDefinition], job_type: str) -> AgentDefinition:
    for agent in agents.values():
        if job_type in agent.job_types:
            return agent
    raise AgentDefinitionError(f"no agent runs job type {job_type!r}", job_type=job_type)
