"""The one tool registry: declare tools with `@tool(...)`, select toolsets, and `call` them
with every policy applied once, for the agent, the MCP server and the REST API alike."""

from __future__ import annotations

import inspect
import json
from collections.abc import Awaitable, Callable, Iterable
from typing import Any, TypeVar, get_type_hints

import structlog
from pydantic import BaseModel

from salesauto.kit.errors import InvalidInput, SalesautoError
from salesauto.security.principal import Principal
from salesauto.tools.confirm import issue_token, verify_token
from salesauto.tools.policies import (
    ToolRefused,
    check_read_only,
    check_scope,
    drop_suppressed,
    unknown_tool_message,
    validate_arguments,
)
from salesauto.tools.spec import (
    CONFIRM_FIELD,
    DryRun,
    PreviewHandler,
    ToolContext,
    ToolFlags,
    ToolOutcome,
    ToolSpec,
)

log = structlog.get_logger(__name__)

# Toolsets a session gets when it names none (research/mcp-ai.md §4 "Defaults").
DEFAULT_TOOLSETS = ("admin", "keys", "contacts", "campaigns", "jobs", "analytics")
F = TypeVar("F", bound=Callable[..., Awaitable[Any]])


def _jsonable(details: dict[str, Any]) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(json.dumps(details, default=str))
    return loaded


class ToolRegistry:
    def __init__(
        self,
        specs: Iterable[ToolSpec[Any, Any]] = (),
        *,
        read_only: bool = False,
        catalogue: ToolRegistry | None = None,
    ) -> None:
        self._specs: dict[str, ToolSpec[Any, Any]] = {}
        self.read_only = read_only
        # The registry this one was selected from: explains why a known tool is missing here.
        self.catalogue = catalogue
        for spec in specs:
            self.add(spec)

    def add(self, spec: ToolSpec[Any, Any]) -> None:
        if spec.name in self._specs:
            raise ValueError(f"tool {spec.name!r} is registered twice")
        self._specs[spec.name] = spec

    def tool(
        self,
        *,
        toolset: str,
        scope: str | None,
        flags: ToolFlags,
        name: str | None = None,
        preview: PreviewHandler[Any] | None = None,
        recipients: str | None = None,
    ) -> Callable[[F], F]:
        """Register an async `handler(ctx, args) -> Output`; its docstring is the description
        a model reads, its annotations give the input and output models."""

        def register(handler: F) -> F:
            hints = get_type_hints(handler)
            parameters = list(inspect.signature(handler).parameters)
            self.add(
                ToolSpec(
                    name=name or handler.__name__,
                    toolset=toolset,
                    description=inspect.cleandoc(handler.__doc__ or ""),
                    input_model=hints[parameters[1]],
                    output_model=hints["return"],
                    handler=handler,
                    scope=scope,
                    flags=flags,
                    preview=preview,
                    recipients=recipients,
                )
            )
            return handler

        return register

    def get(self, name: str) -> ToolSpec[Any, Any] | None:
        return self._specs.get(name)

    @property
    def specs(self) -> list[ToolSpec[Any, Any]]:
        return sorted(self._specs.values(), key=lambda spec: spec.name)

    def toolsets(self) -> list[str]:
        return sorted({spec.toolset for spec in self._specs.values()})

    def select(
        self,
        *,
        toolsets: Iterable[str] = ("default",),
        tools: Iterable[str] = (),
        exclude: Iterable[str] = (),
        read_only: bool = False,
    ) -> ToolRegistry:
        """The tools of `toolsets` (`default`, `all` or names) plus `tools`, minus `exclude`;
        `read_only` keeps only tools that change nothing, whatever else was asked."""
        known = set(self.toolsets())
        wanted: set[str] = set()
        for toolset in toolsets:
            if toolset == "all":
                wanted |= known
            elif toolset == "default":
                wanted |= set(DEFAULT_TOOLSETS) & known
            elif toolset in known:
                wanted.add(toolset)
            else:
                raise InvalidInput(
                    f"unknown toolset {toolset!r}; use default, all or one of "
                    f"{', '.join(sorted(known))}",
                    field="toolsets",
                )
        names = {spec.name for spec in self._specs.values() if spec.toolset in wanted}
        for tool_name in tools:
            if tool_name not in self._specs:
                raise InvalidInput(unknown_tool_message(tool_name, self._specs), field="tools")
            names.add(tool_name)
        names -= set(exclude)
        chosen = [
            self._specs[n] for n in sorted(names) if not read_only or self._specs[n].flags.read_only
        ]
        return ToolRegistry(chosen, read_only=read_only, catalogue=self.catalogue or self)

    def visible_to(self, principal: Principal) -> list[ToolSpec[Any, Any]]:
        """The tools this caller's scopes allow (an MCP listing hides the others)."""
        return [s for s in self.specs if s.scope is None or principal.allows(s.scope)]

    def missing_message(self, name: str) -> str:
        """Why `name` cannot be called here: unknown (with the closest names), or hidden."""
        hidden = self.catalogue.get(name) if self.catalogue is not None else None
        if hidden is None:
            return unknown_tool_message(name, self._specs)
        if self.read_only and not hidden.flags.read_only:
            return f"{name} changes data and this session is read-only"
        return f"{name} is not enabled in this session; enable the {hidden.toolset!r} toolset"

    async def call(
        self, name: str, arguments: dict[str, Any] | None, ctx: ToolContext
    ) -> ToolOutcome:
        """Run a tool with every policy; never raises for a caller's mistake or a tool's
        failure — those come back as `is_error` outcomes with a message to act on."""
        spec = self._specs.get(name)
        if spec is None:
            return ToolOutcome.error(name, self.missing_message(name))
        arguments = dict(arguments or {})
        token = arguments.pop(CONFIRM_FIELD, None)
        try:
            outcome = await self._run(spec, arguments, token, ctx)
        except SalesautoError as error:
            outcome = ToolOutcome.error(name, error.message, _jsonable(error.details))
        except Exception:
            log.exception("tool.failed", tool=name, workspace=ctx.workspace)
            outcome = ToolOutcome.error(
                name,
                f"{name} failed unexpectedly (the server log has details); try again, and "
                "if it keeps failing check admin_test_connection for provider health",
            )
        log.info("tool.called", tool=name, workspace=ctx.workspace, is_error=outcome.is_error)
        return outcome

    async def _run(
        self, spec: ToolSpec[Any, Any], arguments: dict[str, Any], token: Any, ctx: ToolContext
    ) -> ToolOutcome:
        check_scope(spec, ctx.principal)
        check_read_only(spec, self.read_only)
        args = validate_arguments(spec, arguments)
        signed = args.model_dump(mode="json", by_alias=False)
        if token is not None and not isinstance(token, str):
            raise ToolRefused(f"{CONFIRM_FIELD} must be the string a dry run of {spec.name} gave")
        if spec.flags.needs_confirm:
            if token is None:
                return await self._dry_run(spec, args, signed, ctx)
            verify_token(ctx.dry_run_secret, token, spec.name, signed, ctx.workspace)
        args, dropped = await drop_suppressed(spec, ctx, args)
        output: BaseModel = await spec.handler(ctx, args)
        if dropped:
            output = output.model_copy(update={"suppressed": dropped})
        structured = output.model_dump(mode="json", by_alias=False)
        return ToolOutcome(
            tool=spec.name,
            is_error=False,
            text=json.dumps(structured, separators=(",", ":"), default=str),
            structured_content=structured,
        )

    async def _dry_run(
        self, spec: ToolSpec[Any, Any], args: BaseModel, signed: dict[str, Any], ctx: ToolContext
    ) -> ToolOutcome:
        assert spec.preview is not None  # the registry test requires one for these tools
        kept, dropped = await drop_suppressed(spec, ctx, args)
        preview = await spec.preview(ctx, kept)
        token, expires = issue_token(ctx.dry_run_secret, spec.name, signed, ctx.workspace)
        result = DryRun(
            summary=preview.summary,
            details=preview.details,
            confirm_token=token,
            expires_at=expires.isoformat(),
            suppressed=dropped,
        )
        text = (
            f"DRY RUN, nothing done: {preview.summary}. To do it, call {spec.name} again with "
            f"the same arguments and confirm_token={token!r}."
        )
        if dropped:
            text += f" {len(dropped)} suppressed address(es) will be left out."
        return ToolOutcome(
            tool=spec.name,
            is_error=False,
            text=text,
            structured_content=result.model_dump(mode="json"),
        )


# The platform's catalogue; `tools.toolsets.platform_registry()` fills it.
REGISTRY = ToolRegistry()
tool = REGISTRY.tool
