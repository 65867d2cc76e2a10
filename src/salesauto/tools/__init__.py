"""The tool registry: typed tools in toolsets, used by the agent, MCP and `/api/tools`."""
