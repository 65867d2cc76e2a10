"""Secrets never reach the logs."""

from __future__ import annotations

import json

import pytest
import structlog

from salesauto.observability.logging import configure_logging


def test_secrets_are_redacted_from_log_lines(capsys: pytest.CaptureFixture[str]) -> None:
    configure_logging("INFO", json=True)
    log = structlog.get_logger("test")
    log.info(
        "provider.call",
        url="postgresql+asyncpg://sales:hunter2@db.internal/salesauto",
        headers={"Authorization": "Bearer sk_live_abc123", "Accept": "application/json"},
        api_key="lemlist-secret-key",
        note="retrying with bearer abc.def.ghi",
    )
    line = capsys.readouterr().err.strip().splitlines()[-1]
    record = json.loads(line)

    assert "hunter2" not in line and "sk_live_abc123" not in line
    assert "lemlist-secret-key" not in line and "abc.def.ghi" not in line
    assert record["url"] == "postgresql+asyncpg://sales:[redacted]@db.internal/salesauto"
    assert record["headers"] == {"Authorization": "[redacted]", "Accept": "application/json"}
    assert record["api_key"] == "[redacted]"
    assert record["event"] == "provider.call"
    structlog.reset_defaults()
