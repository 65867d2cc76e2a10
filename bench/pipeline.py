"""End-to-end leads per second, discovery to enrollment, against the sandbox at real limits.

One `salesauto sandbox` process serves all four emulators with the vendors' documented
limits (HubSpot 100 requests / 10 s, lemlist 20 / 2 s, Explorium 200 / min, Apollo 200 / min
and 400 / h). A platform with an in-process worker runs one pipeline: discover N leads for
the demo's profile, enrich, sync to HubSpot, enroll in a lemlist campaign. The figure is
enrolled leads divided by the wall time from the request to the run's last job.

Which limit bounds it: for each provider, the least time its windows allow for the requests
the run made (a window admits a burst of its size; each further full window costs its
length); the largest is the bound, and its share of the wall time says how close the
pipeline runs to it.

Run `python bench/pipeline.py [--leads 200] [--database-url postgresql+asyncpg://…]`; the
table goes to stdout and the figures to `bench/results/pipeline.json`.
"""

from __future__ import annotations

import sys
from pathlib import Path

# bench/queue.py would shadow the standard library's `queue`: drop the script's folder.
if sys.path and Path(sys.path[0]).resolve() == Path(__file__).resolve().parent:
    sys.path.pop(0)

import argparse
import asyncio
import json
import os
import socket
import subprocess
import tempfile
import time
from typing import Any

import httpx

from salesauto.cli.demo import SAMPLE_PROFILE
from salesauto.config import Settings
from salesauto.kit.migrate import upgrade_to_head
from salesauto.observability.logging import configure_logging
from salesauto.pipeline.schemas import PipelineRequest
from salesauto.pipeline.service import run_report, start_run
from salesauto.platform import Platform

RESULTS = Path(__file__).resolve().parent / "results" / "pipeline.json"
# Each vendor's documented windows: (requests, seconds).
LIMITS: dict[str, tuple[tuple[int, float], ...]] = {
    "hubspot": ((100, 10.0),),
    "lemlist": ((20, 2.0),),
    "explorium": ((200, 60.0),),
    "apollo": ((200, 60.0), (400, 3600.0)),
}
# The demo's buyers without its country filter: the sandbox holds several hundred of them.
PROFILE = {key: value for key, value in SAMPLE_PROFILE.items() if key != "countries"}


def least_seconds(requests: int, windows: tuple[tuple[int, float], ...]) -> float:
    """The shortest time `requests` calls can take under these windows: a window admits a
    burst of its size, so only every further full window costs its length."""
    if requests == 0:
        return 0.0
    return max((requests - 1) // size * seconds for size, seconds in windows)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


async def _wait_until_up(url: str) -> None:
    async with httpx.AsyncClient() as http:
        for _ in range(200):
            try:
                await http.get(f"{url}/hubspot/_sandbox/stats")
                return
            except httpx.TransportError:
                await asyncio.sleep(0.05)
    raise RuntimeError(f"the sandbox at {url} did not start")


async def _vendor_stats(url: str) -> dict[str, dict[str, Any]]:
    async with httpx.AsyncClient() as http:
        return {
            vendor: (await http.get(f"{url}/{vendor}/_sandbox/stats")).json() for vendor in LIMITS
        }


async def run(leads: int, database_url: str, sandbox_url: str) -> dict[str, Any]:
    settings = Settings(  # type: ignore[call-arg]
        _env_file=None,
        database_url=database_url,
        sandbox_url=sandbox_url,
        log_level="WARNING",
        worker_concurrency=8,
        # The figure is throughput: the daily cap would defer the rest to tomorrow.
        outreach_daily_cap=100_000,
    )
    upgrade_to_head(database_url)
    platform = Platform.build(settings)
    await platform.start(events=False)
    platform.start_worker()
    try:
        campaigns = await platform.integrations.lemlist.list_campaigns(status="draft")
        request = PipelineRequest.model_validate(
            {
                "discover": {"query": "bench", "icpProfile": PROFILE, "count": leads},
                "campaignId": campaigns[0].id,
            }
        )
        started = time.monotonic()
        run_id = (await start_run(platform.queue, "default", request))["runId"]
        while True:
            report = await run_report(platform.queue, "default", run_id)
            if report["status"] != "running":
                break
            await asyncio.sleep(0.2)
        elapsed = time.monotonic() - started
    finally:
        await platform.stop()
    stats = await _vendor_stats(sandbox_url)
    providers = {}
    for vendor, windows in LIMITS.items():
        requests = stats[vendor]["requests"]
        providers[vendor] = {
            "limit": ", ".join(f"{size} req / {seconds:g} s" for size, seconds in windows),
            "requests": requests,
            "throttled429": stats[vendor]["throttled"],
            "leastSeconds": least_seconds(requests, windows),
        }
    bound = max(providers, key=lambda v: providers[v]["leastSeconds"])
    enrolled = report["funnel"]["enrolled"]
    return {
        "leads": leads,
        "database": database_url.split(":", 1)[0],
        "funnel": report["funnel"],
        "status": report["status"],
        "seconds": round(elapsed, 1),
        "leadsPerSecond": round(enrolled / elapsed, 2) if elapsed else 0.0,
        "boundBy": bound,
        "boundShareOfWallTime": round(providers[bound]["leastSeconds"] / elapsed, 2),
        "providers": providers,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--leads", type=int, default=200)
    parser.add_argument("--database-url", default=None, help="default: a fresh SQLite file")
    args = parser.parse_args()
    configure_logging("WARNING", json=False)
    port = _free_port()
    sandbox = subprocess.Popen(
        [sys.executable, "-m", "salesauto", "sandbox", "--port", str(port)],
        env={**os.environ, "SALESAUTO_LOG_LEVEL": "WARNING"},
        stdout=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        with tempfile.TemporaryDirectory() as folder:
            database_url = args.database_url or f"sqlite+aiosqlite:///{folder}/bench.db"

            async def go() -> dict[str, Any]:
                await _wait_until_up(url)
                return await run(args.leads, database_url, url)

            figures = asyncio.run(go())
    finally:
        sandbox.terminate()
        sandbox.wait(timeout=10)
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(json.dumps(figures, indent=2) + "\n")
    print(
        f"{figures['funnel']} in {figures['seconds']} s on {figures['database']}: "
        f"{figures['leadsPerSecond']} leads/s end to end ({figures['status']})"
    )
    print(f"{'provider':<10} {'limit':<34} {'requests':>8} {'429s':>5} {'least s':>8}")
    for vendor, entry in figures["providers"].items():
        print(
            f"{vendor:<10} {entry['limit']:<34} {entry['requests']:>8} "
            f"{entry['throttled429']:>5} {entry['leastSeconds']:>8}"
        )
    print(
        f"bound by {figures['boundBy']}: its limit alone needs "
        f"{figures['boundShareOfWallTime']:.0%} of the wall time"
    )


if __name__ == "__main__":
    main()
