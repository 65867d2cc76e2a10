#!/usr/bin/env bash
# Check `salesauto mcp` with the official MCP Inspector CLI: list the tools, then call a few.
# Needs Node.js (npx fetches @modelcontextprotocol/inspector on first use). Providers without
# keys use the sandbox of a running `salesauto serve` (or SALESAUTO_SANDBOX_URL).
#   scripts/mcp-inspector.sh                 # every toolset
#   TOOLSETS=default scripts/mcp-inspector.sh
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON="${PYTHON:-.venv/bin/python}"
INSPECTOR="${MCP_INSPECTOR:-@modelcontextprotocol/inspector@2.12.0}"
TOOLSETS="${TOOLSETS:-all}"

# The target (our server and its flags) comes first; inspector options follow `--`.
inspect() {
  npx -y "$INSPECTOR" --cli "$PYTHON" -m salesauto mcp --toolsets "$TOOLSETS" --no-worker \
    -- "$@" --format json
}

echo "== tools/list" >&2
inspect --method tools/list | "$PYTHON" -c '
import json, sys
tools = json.load(sys.stdin)["result"]["tools"]
print(f"{len(tools)} tools")
for tool in tools:
    print(f"  {tool['"'"'name'"'"']}")
'

echo "== tools/call admin_whoami" >&2
inspect --method tools/call --tool-name admin_whoami

echo "== tools/call contacts_search" >&2
inspect --method tools/call --tool-name contacts_search --tool-args-json '{"limit": 5}'

echo "== tools/call jobs_list_types" >&2
inspect --method tools/call --tool-name jobs_list_types
