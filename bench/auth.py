"""Cost of authentication: requests/s on one endpoint with and without checking the key.

`GET /api/jobs/types` (no database work in the handler) through the whole request pipeline,
in process (httpx's ASGI transport, so network noise does not hide the difference), with
20 concurrent callers:

- **authenticated**: a database API key (Argon2id-hashed); the first request verifies the
  hash, later ones hit the verified-key cache, as in production;
- **unauthenticated**: the same app with the authenticator short-circuited to a fixed
  principal (the rest of the pipeline unchanged).

Target: authenticated within 15 % of unauthenticated. Also prints the cold cost of one
Argon2id verification. Run `python bench/auth.py [--requests N]`; rate limiting is off here
(it has its own tests).
"""

from __future__ import annotations

import sys
from pathlib import Path

if sys.path and Path(sys.path[0]).resolve() == Path(__file__).resolve().parent:
    sys.path.pop(0)

import argparse
import asyncio
import tempfile
import time
from typing import Any

import httpx

from salesauto.app import create_app
from salesauto.config import Settings
from salesauto.kit.migrate import upgrade_to_head
from salesauto.security.authenticate import Authenticator
from salesauto.security.principal import Principal

ENDPOINT = "/api/jobs/types"
CONCURRENCY = 20


async def _rate(app: Any, headers: dict[str, str], requests: int) -> float:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1") as http:
        assert (await http.get(ENDPOINT, headers=headers)).status_code == 200  # warm

        async def caller(count: int) -> None:
            for _ in range(count):
                response = await http.get(ENDPOINT, headers=headers)
                assert response.status_code == 200, response.text

        started = time.perf_counter()
        await asyncio.gather(*(caller(requests // CONCURRENCY) for _ in range(CONCURRENCY)))
        return (requests // CONCURRENCY * CONCURRENCY) / (time.perf_counter() - started)


async def main(requests: int, rounds: int) -> None:
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite+aiosqlite:///{folder}/bench.db"
        upgrade_to_head(url)
        settings = Settings(
            _env_file=None,  # type: ignore[call-arg]
            database_url=url,
            data_dir=Path(folder),
            log_level="WARNING",
            rate_limit_enabled=False,
            lemlist_polling="off",
        )
        app = create_app(settings, run_worker=False)
        async with app.router.lifespan_context(app):
            keys = app.state.platform.keys
            issued = await keys.create("default", "bench", ["jobs:read"])
            started = time.perf_counter()
            assert await keys.hasher.verify(issued.row.key_hash, issued.plain)
            argon_ms = (time.perf_counter() - started) * 1000
            headers = {"Authorization": f"Bearer {issued.plain}"}

            fixed = Principal("default", "bench", frozenset({"jobs:read"}))
            real_principal = Authenticator.principal

            async def skip_checks(self: Authenticator, scope: Any) -> Principal:
                return fixed

            authenticated, unauthenticated = [], []
            for _ in range(rounds):  # interleaved, so machine noise hits both alike
                Authenticator.principal = real_principal  # type: ignore[method-assign]
                authenticated.append(await _rate(app, headers, requests))
                Authenticator.principal = skip_checks  # type: ignore[method-assign]
                unauthenticated.append(await _rate(app, {}, requests))
            Authenticator.principal = real_principal  # type: ignore[method-assign]

    best_auth, best_open = max(authenticated), max(unauthenticated)
    print(f"endpoint                 GET {ENDPOINT}, {CONCURRENCY} concurrent callers")
    print(f"argon2id verify (cold)   {argon_ms:8.1f} ms (time cost 3, 64 MiB)")
    print(f"unauthenticated          {best_open:8.0f} req/s (best of {rounds})")
    print(f"authenticated (cached)   {best_auth:8.0f} req/s (best of {rounds})")
    ratio = best_auth / best_open
    print(f"ratio                    {ratio:8.2%}  (target ≥ 85 %)")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--requests", type=int, default=4000)
    parser.add_argument("--rounds", type=int, default=3)
    options = parser.parse_args()
    asyncio.run(main(options.requests, options.rounds))
