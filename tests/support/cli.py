"""Run the `salesauto` command in its own process, as a user would."""

from __future__ import annotations

import asyncio
import os
import sys
from pathlib import Path

from tests.conftest import PROVIDER_ENV, TEST_API_KEY

ROOT = Path(__file__).resolve().parents[2]


def cli_env(data_dir: Path, **extra: str) -> dict[str, str]:
    """The environment without provider keys, with its own data dir and quiet logs."""
    env = {k: v for k, v in os.environ.items() if k not in PROVIDER_ENV}
    env.update(
        {
            "SALESAUTO_DATA_DIR": str(data_dir),
            "SALESAUTO_LOG_LEVEL": "WARNING",
            "SALESAUTO_API_KEY": TEST_API_KEY,
        }
    )
    # A scheduler's minute poll of lemlist would change what a command under test reports.
    env["SALESAUTO_LEMLIST_POLLING"] = "off"
    env.update(extra)
    return env


async def run_cli(env: dict[str, str], *args: str) -> tuple[int, str, str]:
    """`salesauto *args` → (exit code, stdout, stderr)."""
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "salesauto",
        *args,
        env=env,
        cwd=ROOT,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(process.communicate(), timeout=120)
    assert process.returncode is not None
    return process.returncode, out.decode(), err.decode()
