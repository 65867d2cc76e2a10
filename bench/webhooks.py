"""Webhook receipts per second and receipt latency, over real HTTP, on PostgreSQL and SQLite.

Per backend, a freshly migrated database holds --campaigns lemlist campaigns with
--enrollments enrollments in all and a registered lemlist hook. On PostgreSQL the platform
runs as in production, `salesauto serve --no-worker` (the API) beside `salesauto worker`, with
Redis (`--redis`; skipped with a warning when it does not answer); on SQLite as the embedded
default, one `salesauto serve` with its in-process worker and no Redis. Keep-alive
connections post lemlist activities (one per POST, a mix of sends, opens, clicks, replies,
bounces and unsubscribes of real enrollments) to the hook's URL with its token; about 10 %
repeat an earlier delivery, as a provider's retry does.

- latency: deliveries paced at --rate per second for --seconds, open loop; p50/p99/max from
  the moment a delivery was due to its 200 (token checked, receipt stored or found a
  duplicate, processing queued), as the client sees it;
- sustained receipts/s: --burst deliveries by --concurrency connections flat out: answers
  per second (new and duplicate alike) and new receipts per second;
- processing: the worker applies receipts all along; `backlog` is what waits when the burst
  ends and `drain` the seconds until the last of it is processed;
- nothing lost: at the end receipts = distinct deliveries, all `processed`, campaign_events =
  distinct deliveries, no dead letter, no failed job (the script exits 1 otherwise);
- CPU per delivery of the API, the worker, the database server, Redis and the load generator
  (from /proc), to tell which one a figure is bound by: everything shares this machine's cores.

The load generator is a minimal HTTP/1.1 client by default (`--client httpx` for httpx,
which spends ~0.9 ms of CPU per request, more than the API: on a small machine the figure
would be the client's). The worker runs at `--worker-nice 10`: the API answers providers
first and the worker takes the rest of the CPU, as it would on its own machine.

Targets on PostgreSQL: ≥ 1,000 receipts/s sustained, p99 < 50 ms at 1,000/s, the backlog
drained within 60 s of the burst, nothing lost. SQLite's figures are for information.

`python bench/webhooks.py [--backends postgresql,sqlite] [--rate 1000] [--seconds 5]
[--burst 10000] [--concurrency 32] [--client raw|httpx] [--redis URL|none]`; the table goes
to stdout, progress to stderr and the figures to `bench/results/webhooks.json`. PostgreSQL
databases are created on the server as `salesauto_bench_*` and dropped at the end.
"""

from __future__ import annotations

import sys
from pathlib import Path

# bench/queue.py would shadow the standard library's `queue`: take the script's folder out.
if sys.path and Path(sys.path[0]).resolve() == Path(__file__).resolve().parent:
    sys.path.pop(0)

# Its helper modules are imported from the folder added back at the end of the path.
sys.path.append(str(Path(__file__).resolve().parent))

import argparse
import gc
import json
import os
import random
import socket
from datetime import UTC, datetime
from typing import Any

import uvloop
from redis import Redis
from redis.exceptions import RedisError
from webhook_load import Senders, deliveries
from webhook_platform import (
    counts,
    fresh_database,
    platform_processes,
    seed,
    wait_drained,
    wait_until_up,
)

RESULTS = Path(__file__).resolve().parent / "results" / "webhooks.json"
TARGETS = {"receiptsPerSecond": 1000, "p99Ms": 50.0, "drainSeconds": 60.0}


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def redis_if_answering(url: str) -> str | None:
    """`url` if a Redis answers there (production runs with one), else None."""
    if url.lower() in ("", "none"):
        return None
    try:
        with Redis.from_url(url, socket_connect_timeout=2) as client:
            client.ping()
    except RedisError as error:
        log(f"Redis at {url} does not answer ({error}); PostgreSQL runs without Redis")
        return None
    return url


def percentile(values: list[float], share: float) -> float:
    """Nearest rank."""
    ordered = sorted(values)
    return ordered[max(0, min(len(ordered) - 1, round(share * len(ordered)) - 1))]


def cpu_per_delivery(
    before: dict[str, float], after: dict[str, float], count: int
) -> dict[str, float]:
    """Milliseconds of CPU per delivery, per process, over a phase."""
    return {name: round((after[name] - before[name]) / count * 1000, 3) for name in before}


def latency(values: list[float]) -> dict[str, float]:
    ms = [value * 1000 for value in values] or [float("nan")]
    return {
        "p50Ms": round(percentile(ms, 0.50), 2),
        "p99Ms": round(percentile(ms, 0.99), 2),
        "maxMs": round(max(ms), 2),
    }


async def run_backend(backend: str, options: argparse.Namespace) -> dict[str, Any]:
    rng = random.Random(7)
    async with fresh_database(backend) as url:
        log(f"{backend}: seeding {options.enrollments} enrollments")
        token, leads = await seed(url, options.campaigns, options.enrollments)
        apis = 1 if backend == "sqlite" else options.api_processes
        ports = [free_port() for _ in range(apis)]
        base_urls = [f"http://127.0.0.1:{port}" for port in ports]
        paced_count = int(options.rate * options.seconds)
        bodies = list(deliveries(leads, 200 + paced_count + options.burst, rng))
        warm_bodies, paced_bodies, burst_bodies = (
            bodies[:200],
            bodies[200 : 200 + paced_count],
            bodies[200 + paced_count :],
        )
        # The load generator's own full collections (its heap holds every body) would pause
        # it mid-measurement: what exists now stays, so it is frozen out of them.
        gc.collect()
        gc.freeze()
        redis_url = None if backend == "sqlite" else options.redis
        with platform_processes(url, ports, options.worker_nice, redis_url) as processes:
            for base_url in base_urls:
                await wait_until_up(base_url)
            # Warm up (connections, caches, first statements), then measure.
            warm = Senders(base_urls, token, 8, options.client)
            await warm.flat_out(warm_bodies)
            await warm.aclose()
            await wait_drained(url, warm.stored)

            log(f"{backend}: {paced_count} deliveries paced at {options.rate:g}/s")
            paced = Senders(base_urls, token, 64, options.client)
            before = processes.cpu_seconds()
            paced_seconds = await paced.paced(paced_bodies, options.rate)
            paced_cpu = cpu_per_delivery(before, processes.cpu_seconds(), paced_count)
            await paced.aclose()
            paced_drain = await wait_drained(url, warm.stored + paced.stored)

            log(f"{backend}: burst of {options.burst} by {options.concurrency} connections")
            burst = Senders(base_urls, token, options.concurrency, options.client)
            before = processes.cpu_seconds()
            burst_seconds = await burst.flat_out(burst_bodies)
            burst_cpu = cpu_per_delivery(before, processes.cpu_seconds(), options.burst)
            await burst.aclose()
            expected = warm.stored + paced.stored + burst.stored
            log(f"{backend}: waiting for the worker to process {expected} receipts")
            backlog = await counts(url)
            drain = await wait_drained(url, expected)
            final = await counts(url)
    distinct = len(set(bodies))
    checks = {
        "noRequestFailed": not warm.errors and not paced.errors and not burst.errors,
        "receiptsEqualDistinctDeliveries": final["receipts"] == distinct,
        "allProcessed": final["statuses"] == {"processed": distinct},
        "campaignEventsEqualDistinctDeliveries": final["campaignEvents"] == distinct,
        "noDeadLetter": final["deadLetters"] == 0,
        "noFailedJob": final["failedJobs"] == 0,
    }
    return {
        "backend": backend,
        "redis": redis_url is not None,
        "paced": {
            "deliveries": paced_count,
            "targetRate": options.rate,
            "achievedRate": round(len(paced.latencies) / paced_seconds, 1),
            **latency(paced.latencies),
            "cpuMsPerDelivery": paced_cpu,
            "drainSeconds": round(paced_drain, 2),
            "errors": paced.errors,
        },
        "burst": {
            "deliveries": options.burst,
            "connections": options.concurrency,
            "seconds": round(burst_seconds, 2),
            "answeredPerSecond": round(len(burst.latencies) / burst_seconds, 1),
            "newReceiptsPerSecond": round(burst.stored / burst_seconds, 1),
            "duplicates": burst.duplicates,
            **latency(burst.latencies),
            "cpuMsPerDelivery": burst_cpu,
            "backlogAtEnd": backlog["statuses"].get("received", 0),
            "drainSeconds": round(drain, 2),
            "errors": burst.errors,
        },
        "final": {**final, "distinctDeliveries": distinct},
        "checks": checks,
    }


def verdict(result: dict[str, Any]) -> dict[str, bool]:
    return {
        "receiptsPerSecond": result["burst"]["answeredPerSecond"] >= TARGETS["receiptsPerSecond"],
        # Only a paced phase at the target rate (or above) can meet the latency target.
        "p99Ms": result["paced"]["p99Ms"] < TARGETS["p99Ms"]
        and result["paced"]["targetRate"] >= TARGETS["receiptsPerSecond"],
        "drainSeconds": result["burst"]["drainSeconds"] <= TARGETS["drainSeconds"],
    }


def print_table(results: list[dict[str, Any]], client: str) -> None:
    print(
        f"{'backend':<11} {'paced/s':>8} {'p50 ms':>7} {'p99 ms':>7} {'burst/s':>8} "
        f"{'new/s':>7} {'p99 ms':>7} {'backlog':>8} {'drain s':>8}  checks"
    )
    for result in results:
        paced, burst = result["paced"], result["burst"]
        failed = [name for name, passed in result["checks"].items() if not passed]
        print(
            f"{result['backend']:<11} {paced['achievedRate']:>8} {paced['p50Ms']:>7} "
            f"{paced['p99Ms']:>7} {burst['answeredPerSecond']:>8} "
            f"{burst['newReceiptsPerSecond']:>7} {burst['p99Ms']:>7} {burst['backlogAtEnd']:>8} "
            f"{burst['drainSeconds']:>8}  {'FAILED ' + ', '.join(failed) if failed else 'ok'}"
        )
    for result in results:
        for phase in ("paced", "burst"):
            cpu = result[phase]["cpuMsPerDelivery"]
            print(
                f"{result['backend']}: CPU ms per delivery, {phase}: API {cpu['api']}, "
                f"worker {cpu['worker']}, database {cpu['database']}, "
                + (f"Redis {cpu['redis']}, " if result["redis"] else "")
                + f"load generator ({client}) {cpu['client']}"
            )
        if result["backend"] == "postgresql":
            missed = [name for name, met in verdict(result).items() if not met]
            print(
                "PostgreSQL targets (≥ 1,000 receipts/s, p99 < 50 ms at 1,000/s, drain ≤ 60 s): "
                + ("met" if not missed else "MISSED " + ", ".join(missed))
            )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--backends", default="postgresql,sqlite")
    parser.add_argument("--rate", type=float, default=1000.0, help="paced deliveries per second")
    parser.add_argument("--seconds", type=float, default=5.0, help="length of the paced phase")
    parser.add_argument("--burst", type=int, default=10_000, help="deliveries sent flat out")
    parser.add_argument("--concurrency", type=int, default=32, help="connections in the burst")
    parser.add_argument("--campaigns", type=int, default=4)
    parser.add_argument("--enrollments", type=int, default=5_000)
    parser.add_argument(
        "--api-processes",
        type=int,
        default=1,
        help="`salesauto serve --no-worker` processes on PostgreSQL, connections spread over "
        "them as a load balancer would (SQLite: always one process with its worker)",
    )
    parser.add_argument(
        "--worker-nice",
        type=int,
        default=10,
        help="niceness of the worker process: on one small machine the API answers providers "
        "first and the worker uses the rest, as on separate machines (0: equal shares)",
    )
    parser.add_argument(
        "--client",
        choices=("raw", "httpx"),
        default="raw",
        help="load generator: a minimal HTTP/1.1 client, or httpx (~50x its CPU per request)",
    )
    parser.add_argument(
        "--redis",
        default="redis://127.0.0.1:6379/0",
        help="Redis for the PostgreSQL platform, as in production (`none`: without)",
    )
    options = parser.parse_args()
    options.redis = redis_if_answering(options.redis)
    results = []
    for backend in options.backends.split(","):
        # uvloop (the API's own loop, through uvicorn): less load-generator CPU per request.
        results.append(uvloop.run(run_backend(backend.strip(), options)))
    document = {
        "benchmark": "webhooks",
        "finishedAt": datetime.now(UTC).isoformat(timespec="seconds"),
        "cpus": os.cpu_count(),
        "targets": TARGETS,
        "config": dict(vars(options)),
        "results": results,
    }
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(json.dumps(document, indent=2) + "\n")
    print_table(results, options.client)
    return 0 if all(all(result["checks"].values()) for result in results) else 1


if __name__ == "__main__":
    sys.exit(main())
