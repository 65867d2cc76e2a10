"""What a tool is: a name in a toolset, a description for a model, typed input and output,
flags that say what it touches, the scope a caller needs, and an async handler.

The agent, the MCP server and `POST /api/tools/{name}` all run tools through one
`ToolRegistry`, so the policies in `registry.call` hold whoever calls.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from pydantic import BaseModel, ConfigDict, Field, computed_field
from pydantic.alias_generators import to_camel

if TYPE_CHECKING:
    from salesauto.platform import Platform
    from salesauto.security.principal import Principal

NAME = re.compile(r"^[a-z]+(_[a-z]+)+$")
CONFIRM_FIELD = "confirm_token"


class ToolInput(BaseModel):
    """Base of every tool's arguments: an unknown field is a mistake the model should hear of."""

    model_config = ConfigDict(extra="forbid")


class PageInput(ToolInput):
    """Arguments of a list tool: a page size and the cursor of the previous page."""

    limit: int = Field(50, ge=1, le=200, description="Items per page.")
    cursor: str | None = Field(
        None, max_length=500, description="`next_cursor` of the previous page, unchanged."
    )


class ToolOutput(BaseModel):
    """Base of tool results: snake_case, what the model reads back."""

    model_config = ConfigDict(extra="forbid")


class Preview(ToolOutput):
    """What a tool that deletes, sends or spends would do, before it does it."""

    summary: str = Field(description="What the confirmed call would do, in one sentence.")
    details: dict[str, Any] = Field(default_factory=dict)


class DryRun(ToolOutput):
    """The answer of a dry run: the preview and the token the real call passes back."""

    dry_run: bool = True
    summary: str
    details: dict[str, Any] = Field(default_factory=dict)
    confirm_token: str = Field(
        description="Call the tool again with the same arguments and this `confirm_token`."
    )
    expires_at: str = Field(description="The token is refused after this time (UTC).")
    suppressed: list[dict[str, str]] = Field(default_factory=list)


@dataclass(frozen=True, slots=True)
class ToolFlags:
    """MCP annotations plus what our policies need to know."""

    read_only: bool = False
    destructive: bool = False
    idempotent: bool = False
    open_world: bool = False
    spends_credits: bool = False
    sends_outreach: bool = False

    @property
    def needs_confirm(self) -> bool:
        """Deletes (destructive, not a repeatable overwrite), sends or spends: dry run first."""
        return (
            (self.destructive and not self.idempotent) or self.spends_credits or self.sends_outreach
        )


# The catalogue's letters (research/mcp-ai.md §4).
READ = ToolFlags(read_only=True, idempotent=True)
WRITE = ToolFlags()
OVERWRITE = ToolFlags(destructive=True, idempotent=True)
DELETE = ToolFlags(destructive=True)


@dataclass(frozen=True)
class ToolContext:
    """What a handler may use: the platform's services and who is calling."""

    platform: Platform
    principal: Principal
    dry_run_secret: bytes

    @property
    def workspace(self) -> str:
        return self.principal.workspace


InputT = TypeVar("InputT", bound=BaseModel)
OutputT = TypeVar("OutputT", bound=BaseModel)
Handler = Callable[[ToolContext, InputT], Awaitable[OutputT]]
PreviewHandler = Callable[[ToolContext, InputT], Awaitable[Preview]]


@dataclass(frozen=True)
class ToolSpec(Generic[InputT, OutputT]):
    name: str
    toolset: str
    description: str
    input_model: type[InputT]
    output_model: type[OutputT]
    handler: Handler[InputT, OutputT]
    # None: any authenticated caller (e.g. `admin_whoami`).
    scope: str | None
    flags: ToolFlags
    # Required when `flags.needs_confirm`: what the confirmed call would do.
    preview: PreviewHandler[InputT] | None = None
    # The input field listing the addresses a tool contacts (checked against suppressions).
    recipients: str | None = None

    # Tools speak snake_case (the field names) even where they reuse the REST API's
    # camelCase models, so schemas and results are built with `by_alias=False`.
    def input_schema(self) -> dict[str, Any]:
        schema = self.input_model.model_json_schema(by_alias=False)
        if self.flags.needs_confirm:
            properties = schema.setdefault("properties", {})
            properties[CONFIRM_FIELD] = {
                "type": "string",
                "description": "Leave out for a dry run; pass the token the dry run returned "
                "to do it for real (same arguments, within 10 minutes).",
            }
        return schema

    def output_schema(self) -> dict[str, Any]:
        schema = self.output_model.model_json_schema(by_alias=False)
        if not self.flags.needs_confirm:
            return schema
        # A dry run answers with `DryRun`; MCP checks structured content against this schema.
        dry = DryRun.model_json_schema()
        defs = {**schema.pop("$defs", {}), **dry.pop("$defs", {})}
        combined: dict[str, Any] = {"type": "object", "anyOf": [schema, dry]}
        if defs:
            combined["$defs"] = defs
        return combined


class ToolOutcome(BaseModel):
    """The result of one call: structured content (the output model's dump) and a short text;
    `is_error` results carry a message saying what failed and what to do next."""

    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True)

    tool: str
    is_error: bool
    text: str
    structured_content: dict[str, Any] | None = None

    @computed_field  # type: ignore[prop-decorator]
    @property
    def ok(self) -> bool:
        return not self.is_error

    @classmethod
    def error(cls, tool: str, message: str, details: dict[str, Any] | None = None) -> ToolOutcome:
        return cls(
            tool=tool,
            is_error=True,
            text=message,
            structured_content={"error": message, **details} if details else None,
        )
