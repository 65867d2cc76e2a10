"""The MCP server built from the tool registry: stdio (`salesauto mcp`) and streamable HTTP
(`/mcp` on `salesauto serve`), plus resources and prompts of our own.

Named `mcp_server`, not `mcp`, so it never shadows the SDK's `mcp` package.
"""
