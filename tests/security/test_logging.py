"""What the logs hold: key ids, never keys; masked emails; one escaped line per request."""

from __future__ import annotations

import pytest

from salesauto.config import Settings
from tests.conftest import TEST_API_KEY
from tests.security.keys_support import bearer, secured_app


async def test_logs_never_hold_keys_emails_or_forged_lines(
    settings: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    settings = settings.model_copy(update={"log_level": "INFO"})
    async with secured_app(settings) as app:
        issued = await app.issue(["contacts:read"])
        capsys.readouterr()
        await app.http.get(
            "/api/contacts/maya.berg@brightlane.io%0d%0aINFO forged=1",
            headers={**bearer(issued["key"]), "User-Agent": "x\r\nINFO forged=2\x1b[31m"},
        )
        await app.http.get(f"/api/x/{issued['key']}", headers=bearer("sap_wrong"))
        await app.http.get("/api/jobs", headers={"Cookie": "session=s3cr3t-cookie"})
    logged = capsys.readouterr().err
    assert issued["key"] not in logged and TEST_API_KEY not in logged
    assert "s3cr3t-cookie" not in logged
    assert "maya.berg@brightlane.io" not in logged and "m***@brightlane.io" in logged
    assert issued["id"] in logged  # the key id is how a request is traced to its key
    forged = [line for line in logged.splitlines() if line.lstrip().startswith("INFO forged")]
    assert forged == []
