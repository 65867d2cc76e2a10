"""Which tools an MCP session offers: settings for `/mcp`, the same choices as `salesauto mcp`'s
flags (toolsets with `default` and `all`, extra tools, excluded tools, read-only)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Annotated, Any

from pydantic import BaseModel, Field, field_validator
from pydantic_settings import NoDecode

if TYPE_CHECKING:
    from salesauto.tools.registry import ToolRegistry

# Comma-separated in the environment (`SALESAUTO_MCP_TOOLSETS=contacts,jobs`), like the flags.
Names = Annotated[list[str], NoDecode]


def split_names(value: Any) -> Any:
    """`"a, b,,c"` → `["a", "b", "c"]`; lists pass through."""
    if isinstance(value, str):
        return [part.strip() for part in value.split(",") if part.strip()]
    return value


class McpSettings(BaseModel):
    mcp_toolsets: Names = Field(
        default_factory=lambda: ["default"],
        description="Toolsets `/mcp` offers, comma-separated: `default` (admin, keys, contacts, "
        "campaigns, jobs, analytics), `all`, or toolset names.",
    )
    mcp_tools: Names = Field(
        default_factory=list, description="Single tools `/mcp` offers besides its toolsets."
    )
    mcp_exclude_tools: Names = Field(
        default_factory=list, description="Tools `/mcp` never offers, whatever else says so."
    )
    mcp_read_only: bool = Field(
        False, description="`/mcp` offers only tools that change nothing (overrides the rest)."
    )

    @field_validator("mcp_toolsets", "mcp_tools", "mcp_exclude_tools", mode="before")
    @classmethod
    def _comma_separated(cls, value: Any) -> Any:
        return split_names(value)


@dataclass(frozen=True)
class ToolSelection:
    """A session's choice of tools; `read_only` wins over everything else."""

    toolsets: tuple[str, ...] = ("default",)
    tools: tuple[str, ...] = ()
    exclude_tools: tuple[str, ...] = ()
    read_only: bool = False

    @classmethod
    def of(
        cls,
        toolsets: Iterable[str] = ("default",),
        tools: Iterable[str] = (),
        exclude_tools: Iterable[str] = (),
        *,
        read_only: bool = False,
    ) -> ToolSelection:
        return cls(tuple(toolsets) or ("default",), tuple(tools), tuple(exclude_tools), read_only)

    @classmethod
    def from_settings(cls, settings: BaseModel) -> ToolSelection:
        """The `mcp_*` fields of the platform's settings (defaults for any it lacks)."""
        mcp = McpSettings.model_validate(settings.model_dump(include=set(McpSettings.model_fields)))
        return cls.of(
            mcp.mcp_toolsets, mcp.mcp_tools, mcp.mcp_exclude_tools, read_only=mcp.mcp_read_only
        )

    def apply(self, catalogue: ToolRegistry) -> ToolRegistry:
        """The selected registry; an unknown toolset or tool raises `InvalidInput`."""
        return catalogue.select(
            toolsets=self.toolsets,
            tools=self.tools,
            exclude=self.exclude_tools,
            read_only=self.read_only,
        )
