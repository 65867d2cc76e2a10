#!/usr/bin/env bash
# Make sure the PostgreSQL server the tests use is up; start the local cluster if it is down.
# The test suite creates (and drops) its own database on it. An unreachable server fails the
# run: PostgreSQL tests are never skipped.
set -euo pipefail
HOST="${SALESAUTO_TEST_PG_HOST:-127.0.0.1}"
PORT="${SALESAUTO_TEST_PG_PORT:-5432}"

if pg_isready -q -h "$HOST" -p "$PORT" 2>/dev/null; then
  exit 0
fi
echo "PostgreSQL on $HOST:$PORT is down; starting the local cluster" >&2
if command -v pg_ctlcluster >/dev/null 2>&1; then
  version="$(ls /etc/postgresql | sort -V | tail -1)"
  pg_ctlcluster --skip-systemctl-redirect "$version" main start || true
fi
for _ in $(seq 1 30); do
  pg_isready -q -h "$HOST" -p "$PORT" && exit 0
  sleep 1
done
echo "PostgreSQL is not reachable on $HOST:$PORT; the tests need it (set SALESAUTO_TEST_PG_HOST/PORT)" >&2
exit 1
