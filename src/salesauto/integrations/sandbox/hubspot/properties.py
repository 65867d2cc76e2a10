"""Property validation and coercion the way HubSpot does it.

Values are stored and returned as strings; request bodies may send numbers or booleans, which
are coerced (API_CONTRACTS §1.1). Unknown and read-only properties, bad emails, numbers, dates
and enumeration options fail the whole input with HubSpot's `Property values were not valid`.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from datetime import UTC, datetime

from salesauto.integrations.sandbox.hubspot.errors import HubSpotApiError
from salesauto.integrations.sandbox.hubspot.objects import ENUM_OPTIONS, ObjectType

EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def iso_ms(moment: datetime) -> str:
    """`2024-01-17T19:55:04.281Z`: HubSpot's timestamp format."""
    moment = moment.astimezone(UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def parse_instant(value: str) -> datetime | None:
    """A ms-epoch or ISO-8601 date/datetime string as an aware datetime (None if neither)."""
    text = value.strip()
    if re.fullmatch(r"-?\d{10,}", text):
        return datetime.fromtimestamp(int(text) / 1000, UTC)
    try:
        parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def as_string(value: object) -> str | None:
    """Coerce a JSON scalar to HubSpot's string form; None for lists and objects."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, str):
        return value
    return None


def validate_properties(kind: ObjectType, raw: Mapping[str, object]) -> dict[str, str]:
    """Checked, coerced and normalised values ("" means clear), or HubSpot's 400."""
    clean: dict[str, str] = {}
    problems: list[tuple[str, str, str]] = []  # (property, error code, message)
    for name, value in raw.items():
        text = as_string(value)
        if name in kind.read_only:
            problems.append(
                (
                    name,
                    "READ_ONLY_VALUE",
                    f'"{name}" is a read only property; its value cannot be set.',
                )
            )
            continue
        property_kind = kind.writable.get(name)
        if property_kind is None:
            problems.append((name, "PROPERTY_DOESNT_EXIST", f'Property "{name}" does not exist'))
            continue
        if text is None:
            problems.append((name, "INVALID_OPTION", f"{value!r} is not a valid value for {name}"))
            continue
        if text == "":
            clean[name] = ""
            continue
        if name == "email":
            if not EMAIL.match(text.strip()):
                problems.append((name, "INVALID_EMAIL", f"Email address {text} is invalid"))
                continue
            text = text.strip().lower()
        elif property_kind == "number":
            try:
                float(text)
            except ValueError:
                problems.append((name, "INVALID_DOUBLE", f"{text} was not a valid number."))
                continue
        elif property_kind == "datetime":
            instant = parse_instant(text)
            if instant is None:
                problems.append((name, "INVALID_DATE", f"{text} was not a valid date."))
                continue
            text = iso_ms(instant)
        elif property_kind == "enumeration" and name in ENUM_OPTIONS:
            options = ENUM_OPTIONS[name]
            if text not in options:
                problems.append(
                    (
                        name,
                        "INVALID_OPTION",
                        f"{text} was not one of the allowed options: {sorted(options)}",
                    )
                )
                continue
        clean[name] = text
    if problems:
        raise property_error(problems)
    return clean


def property_error(problems: list[tuple[str, str, str]]) -> HubSpotApiError:
    summary = [
        {"isValid": False, "message": message, "error": code, "name": name}
        for name, code, message in problems
    ]
    return HubSpotApiError(
        400,
        f"Property values were not valid: {json.dumps(summary)}",
        "VALIDATION_ERROR",
        errors=[
            {"message": message, "code": code, "context": {"propertyName": [name]}}
            for name, code, message in problems
        ],
    )
