"""`salesauto demo`: the first thing a new user runs, in its own process like theirs."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import sqlalchemy as sa

from salesauto.contacts.repository import CONTACTS
from salesauto.kit.db import create_engine
from tests.support.cli import cli_env, run_cli


@pytest.mark.slow
async def test_demo_discovers_enriches_syncs_and_enrolls_sample_leads(
    tmp_path: Path, database_url: str
) -> None:
    env = cli_env(tmp_path)
    if not database_url.startswith("sqlite"):
        env["SALESAUTO_DATABASE_URL"] = database_url
    else:
        env["SALESAUTO_DATABASE_URL"] = ""  # the embedded default under the data dir
        database_url = f"sqlite+aiosqlite:///{tmp_path / 'salesauto.db'}"

    code, out, err = await run_cli(env, "demo", "--count", "12", "--json")

    assert code == 0, err
    report = json.loads(out)
    assert report["status"] == "finished", report
    assert report["funnel"] == {"discovered": 12, "enriched": 12, "synced": 12, "enrolled": 12}
    engine = create_engine(database_url)
    try:
        async with engine.connect() as conn:
            rows = (await conn.execute(sa.select(CONTACTS))).all()
    finally:
        await engine.dispose()
    assert len(rows) == 12
    assert {row.status for row in rows} == {"enrolled"}
    assert all(row.hubspot_id and row.lemlist_lead_id and row.score_reasons for row in rows)

    code, out, err = await run_cli(env, "demo", "--count", "12")

    assert code == 0, err
    assert "found by an earlier demo" in out
    assert "salesauto demo --count 37" in out


async def test_demo_refuses_to_run_with_a_real_provider_key(tmp_path: Path) -> None:
    code, _out, err = await run_cli(cli_env(tmp_path, APOLLO_API_KEY="real-key"), "demo")

    assert code == 1
    assert "only against the sandbox" in err and "apollo" in err
