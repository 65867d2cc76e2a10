#!/usr/bin/env bash
# Make sure the PostgreSQL and Redis servers the tests use are up; start them if they are down.
# The test suite creates (and drops) its own database on it. An unreachable server fails the
# run: PostgreSQL tests are never skipped.
set -euo pipefail
HOST="${SALESAUTO_TEST_PG_HOST:-127.0.0.1}"
PORT="${SALESAUTO_TEST_PG_PORT:-5432}"

REDIS_PORT="${SALESAUTO_TEST_REDIS_PORT:-6379}"

# Redis: the provider rate limiter shares its windows across processes through it.
if ! redis-cli -h 127.0.0.1 -p "$REDIS_PORT" ping >/dev/null 2>&1; then
  echo "Redis on 127.0.0.1:$REDIS_PORT is down; starting it" >&2
  mkdir -p /var/lib/redis /var/log/redis
  redis-server --daemonize yes --bind 127.0.0.1 -::1 --port "$REDIS_PORT" --save "" \
    --appendonly no --dir /var/lib/redis --logfile /var/log/redis/ci.log
  for _ in $(seq 1 20); do
    redis-cli -h 127.0.0.1 -p "$REDIS_PORT" ping >/dev/null 2>&1 && break
    sleep 0.5
  done
  redis-cli -h 127.0.0.1 -p "$REDIS_PORT" ping >/dev/null 2>&1 || {
    echo "Redis is not reachable on 127.0.0.1:$REDIS_PORT; the tests need it" >&2
    exit 1
  }
fi

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
