"""Structured logging (structlog) with secrets redacted before anything is written."""

from __future__ import annotations

import logging
import re
import sys
from collections.abc import MutableMapping
from typing import Any

import structlog

SECRET_KEYS = re.compile(
    r"(pass(word)?|secret|token|api[_-]?key|authorization|cookie|credential|private)", re.I
)
# Credentials inside URLs (postgresql://user:pw@host) and bearer tokens inside free text.
URL_PASSWORD = re.compile(r"(?P<scheme>[a-z][a-z0-9+.-]*://[^:/@\s]+:)[^@\s]+@", re.I)
BEARER = re.compile(r"(bearer\s+)[A-Za-z0-9._~+/=-]+", re.I)
# Our own API keys wherever they appear (a key pasted into a path or a message): the public
# `sap_<id>` part stays so the key can still be recognised.
API_KEY = re.compile(r"\b(sap_[0-9A-Za-z]{10})_[0-9A-Za-z]{20,}")
# Personal data is not logged in clear: `maya.berg@acme.io` → `m***@acme.io`; phone numbers
# written with a `+` country code lose their digits.
EMAIL = re.compile(r"\b([A-Za-z0-9])[A-Za-z0-9._%+-]*@([A-Za-z0-9.-]+\.[A-Za-z]{2,})\b")
PHONE = re.compile(r"\+\d[\d\s().-]{6,}\d")
# Control characters (CR/LF forge log lines, ESC drives terminals) are written escaped.
CONTROL = re.compile(r"[\x00-\x1f\x7f\x1b]")
REDACTED = "[redacted]"


def redact_text(value: str) -> str:
    value = URL_PASSWORD.sub(lambda m: f"{m.group('scheme')}{REDACTED}@", value)
    value = API_KEY.sub(lambda m: f"{m.group(1)}_{REDACTED}", value)
    return BEARER.sub(lambda m: f"{m.group(1)}{REDACTED}", value)


def loggable_text(value: str) -> str:
    """A string as it may be written to a log: secrets, emails and phones masked, control
    characters escaped."""
    value = redact_text(value)
    value = EMAIL.sub(lambda m: f"{m.group(1)}***@{m.group(2)}", value)
    value = PHONE.sub("+[phone]", value)
    return CONTROL.sub(lambda m: m.group(0).encode("unicode_escape").decode("ascii"), value)


def _redact(value: Any, key: str = "") -> Any:
    if key and SECRET_KEYS.search(key):
        return REDACTED
    if isinstance(value, str):
        return loggable_text(value)
    if isinstance(value, dict):
        return {k: _redact(v, str(k)) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_redact(v) for v in value]
    return value


def redact_secrets(
    _logger: Any, _method: str, event_dict: MutableMapping[str, Any]
) -> MutableMapping[str, Any]:
    for key in list(event_dict):
        event_dict[key] = _redact(event_dict[key], key if key != "event" else "")
    return event_dict


def _stderr_logger(*_args: Any) -> structlog.PrintLogger:
    return structlog.PrintLogger(file=sys.stderr)


def configure_logging(level: str = "INFO", *, json: bool = False) -> None:
    """Send structured logs to stderr (stdout stays free for CLI output and MCP stdio)."""
    renderer: Any = (
        structlog.processors.JSONRenderer() if json else structlog.dev.ConsoleRenderer(colors=False)
    )
    structlog.configure(
        processors=[
            structlog.contextvars.merge_contextvars,
            structlog.processors.add_log_level,
            structlog.processors.TimeStamper(fmt="iso", utc=True),
            redact_secrets,
            structlog.processors.format_exc_info,
            renderer,
        ],
        wrapper_class=structlog.make_filtering_bound_logger(logging.getLevelName(level)),
        # sys.stderr looked up per logger, not bound once: it may be replaced (tests, daemons).
        logger_factory=_stderr_logger,
        cache_logger_on_first_use=False,
    )
    logging.basicConfig(level=level, stream=sys.stderr, format="%(levelname)s %(name)s %(message)s")
    for noisy in ("uvicorn.access", "httpx", "alembic"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
