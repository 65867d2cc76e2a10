"""Sustained throughput of each provider client against its emulator at the real limits.

The sandbox runs on a local port with each vendor's documented limits (HubSpot 100 requests
per 10 s, lemlist 20 per 2 s, Explorium 200 per minute, Apollo 200 per minute). Each client is
driven flat out by several concurrent callers; after one full window of warm-up, the items
completed during the measurement are divided by the ceiling the limit allows:

| provider  | workload                                   | ceiling                          |
|-----------|--------------------------------------------|----------------------------------|
| hubspot   | `upsert_contacts`, 100 contacts per call   | 100 req / 10 s × 100 = 1,000/s   |
| lemlist   | `enroll_lead`, 1 lead per call             | 20 req / 2 s = 10/s              |
| explorium | `bulk_firmographics`, 50 companies per call| 200 req / 60 s × 50 = 166.7/s    |
| apollo    | `search_people`, 100 people per page       | 200 req / 60 s × 100 = 333.3/s   |

Target: ≥ 90 % of the ceiling with no 429 reaching the caller. The emulator's own count of the
429s it answered (absorbed by retries) is printed too.

Run `python bench/providers.py` (`--quick` halves the measurement windows); the table goes to
stdout and every figure to `bench/results/providers.json`.
"""

from __future__ import annotations

import sys
from pathlib import Path

# bench/queue.py would shadow the standard library's `queue` (redis imports it): Python puts
# the script's folder first on sys.path. Take it out.
if sys.path and Path(sys.path[0]).resolve() == Path(__file__).resolve().parent:
    sys.path.pop(0)

import argparse
import asyncio
import json
import os
import socket
import subprocess
import time
from collections.abc import Awaitable, Callable
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime

import httpx

from salesauto.config import Settings
from salesauto.integrations.apollo.schemas import PeopleQuery
from salesauto.integrations.http.errors import ProviderError, ProviderRateLimited
from salesauto.integrations.models import CrmContact, OutreachLead
from salesauto.integrations.providers import PROVIDERS
from salesauto.integrations.registry import Integrations
from salesauto.integrations.sandbox.kit import SandboxConfig
from salesauto.integrations.sandbox.universe import universe
from salesauto.observability.logging import configure_logging

RESULTS = Path(__file__).resolve().parent / "results" / "providers.json"
# Apollo's hourly window (400/h on Basic) would end the run after two minutes at 200/min.
BENCH_ENV = {"APOLLO_REQUESTS_PER_HOUR": "100000"}


@dataclass
class Outcome:
    provider: str
    workload: str
    ceiling_per_s: float
    measured_s: float
    items: int = 0
    calls: int = 0
    rate_limited_errors: int = 0  # 429s that reached the caller (target: 0)
    other_errors: int = 0
    emulator_429s: int = 0  # 429s the emulator answered, absorbed by retries
    per_s: float = 0.0
    fraction: float = 0.0
    errors: list[str] = field(default_factory=list)


Call = Callable[[int], Awaitable[int]]  # (sequence number) → items done


async def drive(outcome: Outcome, call: Call, *, window: float, callers: int) -> None:
    """Run `callers` loops of `call` for one window of warm-up plus the measurement.

    Limits admit bursts, so items per second over an arbitrary span depends on where the span
    starts. The figure is the mean, over every start `s` in the measurement, of the items
    finished in `[s, s + window)` divided by `window`: the provider's own unit of account.
    """
    started = time.monotonic()
    measure_from = started + window
    measure_to = measure_from + outcome.measured_s
    finished: list[tuple[float, int]] = []
    sequence = 0

    async def caller() -> None:
        nonlocal sequence
        while time.monotonic() < measure_to:
            sequence += 1
            try:
                items = await call(sequence)
            except ProviderRateLimited as error:
                outcome.rate_limited_errors += 1
                outcome.errors.append(error.message)
                continue
            except ProviderError as error:
                outcome.other_errors += 1
                outcome.errors.append(error.message)
                continue
            finished.append((time.monotonic(), items))

    await asyncio.gather(*(caller() for _ in range(callers)))
    outcome.calls = sum(1 for moment, _ in finished if measure_from <= moment < measure_to)
    outcome.items = sum(n for moment, n in finished if measure_from <= moment < measure_to)
    starts = [measure_from + i * 0.05 for i in range(int((outcome.measured_s - window) / 0.05))]
    per_window = [
        sum(n for moment, n in finished if start <= moment < start + window) for start in starts
    ]
    outcome.per_s = sum(per_window) / len(per_window) / window
    outcome.fraction = outcome.per_s / outcome.ceiling_per_s


async def run(scale: float, only: set[str], bases: dict[str, str]) -> list[Outcome]:
    config = SandboxConfig()
    # The emulators run in their own process, as a provider would: the clients' event loop
    # then adds no jitter to the provider's clock.
    for base in bases.values():
        await _wait_until_up(base.rsplit("/", 1)[0])
    settings = Settings(  # type: ignore[call-arg]
        log_level="WARNING",
        apollo_requests_per_hour=int(BENCH_ENV["APOLLO_REQUESTS_PER_HOUR"]),
        **{f"{name}_base_url": url for name, url in bases.items()},
    )
    integrations = Integrations.build(settings, sandbox_base=None)
    world = universe(config.seed)
    stamp = int(time.time())
    # A draft campaign: enrolling is measured, not the emulator simulating engagement.
    campaigns = await integrations.lemlist.list_campaigns(status="draft")
    campaign_id = campaigns[0].id

    async def hubspot(n: int) -> int:
        contacts = [
            CrmContact(email=f"bench{stamp}.{n}.{i}@example.com", first_name="Bench")
            for i in range(100)
        ]
        outcomes = await integrations.hubspot.upsert_contacts(contacts)
        return sum(1 for o in outcomes if o.error is None)

    async def lemlist(n: int) -> int:
        lead = OutreachLead(email=f"bench{stamp}.{n}@example.com", first_name="Bench")
        outcome = await integrations.lemlist.enroll_lead(campaign_id, lead)
        return 1 if outcome.enrolled else 0

    async def explorium(n: int) -> int:
        start = (n * 50) % (len(world.companies) - 50)
        ids = [c.business_id for c in world.companies[start : start + 50]]
        return len(await integrations.explorium.bulk_firmographics(ids))

    async def apollo(n: int) -> int:
        page = await integrations.apollo.search_people(PeopleQuery(page=1 + n % 400, per_page=100))
        return len(page.people)

    # (outcome, call, the provider's window in seconds, concurrent callers)
    plans: list[tuple[Outcome, Call, float, int]] = [
        (Outcome("hubspot", "upsert_contacts ×100", 1000.0, 60 * scale), hubspot, 10.0, 8),
        (Outcome("lemlist", "enroll_lead", 10.0, 30 * scale), lemlist, 2.0, 8),
        (
            Outcome("explorium", "bulk_firmographics ×50", 200 * 50 / 60, 180 * scale),
            explorium,
            60.0,
            8,
        ),
        (Outcome("apollo", "search_people ×100", 200 * 100 / 60, 180 * scale), apollo, 60.0, 8),
    ]
    plans = [plan for plan in plans if plan[0].provider in only]
    try:
        await asyncio.gather(
            *(
                drive(outcome, call, window=window, callers=callers)
                for outcome, call, window, callers in plans
            )
        )
        async with httpx.AsyncClient() as raw:
            for outcome, *_ in plans:
                stats_url = f"{bases[outcome.provider]}/_sandbox/stats"
                outcome.emulator_429s = (await raw.get(stats_url)).json()["throttled"]
    finally:
        await integrations.aclose()
    return [plan[0] for plan in plans]


def start_sandboxes() -> tuple[dict[str, str], list[subprocess.Popen[bytes]]]:
    """One `salesauto sandbox` process per provider, as each provider is its own service."""
    bases: dict[str, str] = {}
    processes: list[subprocess.Popen[bytes]] = []
    for provider in PROVIDERS:
        port = _free_port()
        processes.append(
            subprocess.Popen(
                [sys.executable, "-m", "salesauto", "sandbox", "--port", str(port)],
                # The hourly window is lifted: the figure is the per-minute ceiling.
                env={**os.environ, "SALESAUTO_LOG_LEVEL": "WARNING", **BENCH_ENV},
                stdout=subprocess.DEVNULL,
            )
        )
        bases[provider] = f"http://127.0.0.1:{port}/{provider}"
    return bases, processes


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


async def _wait_until_up(base: str) -> None:
    async with httpx.AsyncClient(base_url=base) as raw:
        for _ in range(300):
            try:
                if (await raw.get("/")).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            await asyncio.sleep(0.1)
    raise SystemExit(f"the sandbox did not start on {base}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="Half-length measurements.")
    parser.add_argument(
        "--providers", default="hubspot,lemlist,explorium,apollo", help="Comma-separated."
    )
    args = parser.parse_args()
    configure_logging("WARNING")
    bases, sandboxes = start_sandboxes()
    try:
        outcomes = asyncio.run(
            run(0.5 if args.quick else 1.0, set(args.providers.split(",")), bases)
        )
    finally:
        for sandbox in sandboxes:
            sandbox.terminate()
            sandbox.wait(timeout=30)
    print(
        f"{'provider':<10} {'workload':<24} {'items/s':>9} {'ceiling':>9} {'of ceiling':>10} "
        f"{'429 to caller':>13} {'429 absorbed':>12} {'errors':>6}"
    )
    for o in outcomes:
        print(
            f"{o.provider:<10} {o.workload:<24} {o.per_s:>9.1f} {o.ceiling_per_s:>9.1f} "
            f"{o.fraction:>10.1%} {o.rate_limited_errors:>13} {o.emulator_429s:>12} "
            f"{o.other_errors:>6}"
        )
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(
        json.dumps(
            {
                "at": datetime.now(UTC).isoformat(),
                "outcomes": [asdict(o) | {"errors": o.errors[:5]} for o in outcomes],
            },
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
