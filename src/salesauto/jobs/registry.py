"""Job types: a name, a parameters model and an async handler. Later capabilities add theirs."""

from __future__ import annotations

import importlib
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeVar

from pydantic import BaseModel, ConfigDict, ValidationError

from salesauto.kit.errors import InvalidInput

if TYPE_CHECKING:
    from salesauto.jobs.context import JobContext

P = TypeVar("P", bound=BaseModel)


# Modules whose `@job_type` handlers every worker knows.
BUILTIN_JOB_MODULES = (
    "salesauto.jobs.handlers",
    "salesauto.imports.tasks",
    "salesauto.contacts.tasks",
    "salesauto.pipeline.discover",
    "salesauto.pipeline.enrich",
    "salesauto.pipeline.crm_sync",
    "salesauto.pipeline.outreach",
    "salesauto.pipeline.selection",
    "salesauto.pipeline.maintenance",
    "salesauto.campaigns.tasks",
    "salesauto.webhooks.tasks",
    "salesauto.suppressions.tasks",
    "salesauto.ai.tasks",
)


class JobParameters(BaseModel):
    """Base for job parameter models: unknown fields are a mistake the caller should hear of."""

    model_config = ConfigDict(extra="forbid")


Handler = Callable[["JobContext", Any], Awaitable[Any]]


@dataclass(frozen=True)
class JobType:
    name: str
    parameters: type[BaseModel]
    handler: Handler
    description: str
    lease_seconds: float | None = None
    max_attempts: int | None = None
    # Queued only by the platform itself (in the transaction of the change it follows).
    internal: bool = False


_REGISTRY: dict[str, JobType] = {}


def job_type(
    name: str,
    parameters: type[P],
    *,
    lease_seconds: float | None = None,
    max_attempts: int | None = None,
    internal: bool = False,
) -> Callable[
    [Callable[[JobContext, P], Awaitable[Any]]], Callable[[JobContext, P], Awaitable[Any]]
]:
    """Register an async handler for job type `name`; its docstring describes the type."""

    def register(
        handler: Callable[[JobContext, P], Awaitable[Any]],
    ) -> Callable[[JobContext, P], Awaitable[Any]]:
        _REGISTRY[name] = JobType(
            name=name,
            parameters=parameters,
            handler=handler,
            description=(handler.__doc__ or "").strip().split("\n")[0],
            lease_seconds=lease_seconds,
            max_attempts=max_attempts,
            internal=internal,
        )
        return handler

    return register


def get_job_type(name: str) -> JobType:
    try:
        return _REGISTRY[name]
    except KeyError:
        known = ", ".join(sorted(_REGISTRY))
        raise InvalidInput(
            f"unknown job type {name!r}; known types: {known}",
            field="type",
            known=sorted(_REGISTRY),
        ) from None


def known_job_types() -> list[JobType]:
    return [_REGISTRY[name] for name in sorted(_REGISTRY)]


def validate_parameters(name: str, parameters: dict[str, Any]) -> dict[str, Any]:
    """Check `parameters` against the type's model; returns them normalised for storage."""
    job = get_job_type(name)
    try:
        model = job.parameters.model_validate(parameters)
    except ValidationError as error:
        problems = [
            {"field": ".".join(str(p) for p in e["loc"]) or "parameters", "message": e["msg"]}
            for e in error.errors()
        ]
        summary = "; ".join(f"{p['field']}: {p['message']}" for p in problems)
        raise InvalidInput(
            f"invalid parameters for job type {name!r}: {summary}", errors=problems
        ) from None
    return model.model_dump(mode="json")


def load_job_modules(modules: Iterable[str]) -> None:
    """Import the built-in job types and any extra modules named in settings."""
    for builtin in BUILTIN_JOB_MODULES:
        importlib.import_module(builtin)
    for module in modules:
        importlib.import_module(module)
