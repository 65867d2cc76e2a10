"""CRM search as HubSpot runs it (API_CONTRACTS §1.5): OR of filter groups, AND of filters,
typed comparisons, one sort, `after` paging inside a 10,000-result window."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime

from salesauto.integrations.sandbox.hubspot.errors import HubSpotApiError
from salesauto.integrations.sandbox.hubspot.objects import ObjectType, PropertyKind, resolve_type
from salesauto.integrations.sandbox.hubspot.properties import parse_instant
from salesauto.integrations.sandbox.hubspot.schemas import Filter, SearchBody, Sort
from salesauto.integrations.sandbox.hubspot.state import HubSpotState, StoredObject, live_records

MAX_GROUPS = 5
MAX_FILTERS_PER_GROUP = 6
MAX_FILTERS = 18
MAX_LIMIT = 200
DEFAULT_LIMIT = 10
RESULT_WINDOW = 10_000
MAX_QUERY_CHARS = 3000

Comparable = float | str
Predicate = Callable[[StoredObject], bool]


def invalid(message: str) -> HubSpotApiError:
    return HubSpotApiError(400, message, "VALIDATION_ERROR")


def run_search(state: HubSpotState, kind: ObjectType, body: SearchBody) -> dict[str, object]:
    limit = DEFAULT_LIMIT if body.limit is None else body.limit
    if not 0 <= limit <= MAX_LIMIT:
        raise invalid(f"limit must be between 0 and {MAX_LIMIT}, got {limit}")
    offset = _offset(body.after)
    if len(body.filterGroups) > MAX_GROUPS:
        raise invalid(f"Too many filter groups: {len(body.filterGroups)} (maximum {MAX_GROUPS})")
    total_filters = 0
    for group in body.filterGroups:
        if len(group.filters) > MAX_FILTERS_PER_GROUP:
            raise invalid(
                f"Too many filters in a filter group: {len(group.filters)} "
                f"(maximum {MAX_FILTERS_PER_GROUP})"
            )
        total_filters += len(group.filters)
    if total_filters > MAX_FILTERS:
        raise invalid(f"Too many filters: {total_filters} (maximum {MAX_FILTERS} in total)")
    if body.query is not None and len(body.query) > MAX_QUERY_CHARS:
        raise invalid(f"query is longer than {MAX_QUERY_CHARS} characters")
    if len(body.sorts) > 1:
        raise invalid("Only one sort is supported per search request")

    groups = [
        [_predicate(state, kind, item) for item in group.filters] for group in body.filterGroups
    ]
    query_words = body.query.casefold().split() if body.query else []
    matches = [
        record
        for record in live_records(state.records(kind))
        if (not groups or any(all(test(record) for test in group) for group in groups))
        and _matches_query(kind, record, query_words)
    ]
    if body.sorts:
        matches = _sorted(kind, matches, body.sorts[0])
    total = len(matches)
    window = matches[:RESULT_WINDOW]
    page = window[offset : offset + limit]
    response: dict[str, object] = {
        "total": total,
        "results": [state.serialize(r, body.properties, search=True) for r in page],
    }
    if offset + limit < total and limit:
        response["paging"] = {"next": {"after": str(offset + limit)}}
    return response


def _offset(after: str | int | None) -> int:
    if after in (None, ""):
        return 0
    text = str(after)
    if not text.isdigit():
        raise invalid(f"after must be an integer string, got {text!r}")
    offset = int(text)
    if offset >= RESULT_WINDOW:
        raise invalid(
            f"Search can return at most {RESULT_WINDOW} results; after={offset} is past the "
            "window. Narrow the filters (e.g. by createdate) to page further."
        )
    return offset


def _predicate(state: HubSpotState, kind: ObjectType, item: Filter) -> Predicate:
    name = item.propertyName
    if name.startswith("associations."):
        return _association_predicate(state, kind, item)
    property_kind = kind.kind(name)
    if property_kind is None:
        raise invalid(f"Property {name!r} does not exist on {kind.plural}; it cannot be searched")
    operator = item.operator

    def value_of(record: StoredObject) -> str | None:
        value = record.properties.get(name)
        return value if value not in (None, "") else None

    if operator == "HAS_PROPERTY":
        return lambda record: value_of(record) is not None
    if operator == "NOT_HAS_PROPERTY":
        return lambda record: value_of(record) is None
    if operator in ("CONTAINS_TOKEN", "NOT_CONTAINS_TOKEN"):
        pattern = _token_pattern(_required(item.value, item))
        wanted = operator == "CONTAINS_TOKEN"
        return lambda record: _has_token(value_of(record), pattern) == wanted
    if operator in ("IN", "NOT_IN"):
        if not item.values:
            raise invalid(f"{operator} on {name} needs a non-empty `values` list")
        # Strings match only lowercase values (as HubSpot documents); enumerations are exact.
        options = {_typed(property_kind, str(v), item, fold=False) for v in item.values}
        inside = operator == "IN"

        def in_test(record: StoredObject) -> bool:
            raw = value_of(record)
            if raw is None:
                return not inside
            return (_typed(property_kind, raw, item) in options) == inside

        return in_test
    target = _typed(property_kind, str(_required(item.value, item)), item)
    if operator == "EQ":
        return lambda record: _compare(property_kind, value_of(record), item) == target
    if operator == "NEQ":
        return lambda record: _compare(property_kind, value_of(record), item) != target
    if operator == "BETWEEN":
        high = _typed(property_kind, str(_required(item.highValue, item)), item)

        def between(record: StoredObject) -> bool:
            value = _compare(property_kind, value_of(record), item)
            return value is not None and _ordered(target, value) and _ordered(value, high)

        return between
    comparisons: dict[str, Callable[[Comparable, Comparable], bool]] = {
        "LT": lambda a, b: _ordered(a, b) and a != b,
        "LTE": _ordered,
        "GT": lambda a, b: _ordered(b, a) and a != b,
        "GTE": lambda a, b: _ordered(b, a),
    }
    check = comparisons[operator]

    def compare(record: StoredObject) -> bool:
        value = _compare(property_kind, value_of(record), item)
        return value is not None and check(value, target)

    return compare


def _association_predicate(state: HubSpotState, kind: ObjectType, item: Filter) -> Predicate:
    other = resolve_type(item.propertyName.split(".", 1)[1])
    operator = item.operator
    if operator in ("HAS_PROPERTY", "NOT_HAS_PROPERTY"):
        present = operator == "HAS_PROPERTY"
        return lambda record: bool(state.linked(kind, record.id, other)) == present
    if operator in ("EQ", "NEQ"):
        wanted = {str(_required(item.value, item))}
    elif operator in ("IN", "NOT_IN"):
        wanted = {str(v) for v in item.values or []}
    else:
        raise invalid(f"{operator} is not supported on {item.propertyName}")
    positive = operator in ("EQ", "IN")
    return lambda record: bool(wanted & state.linked(kind, record.id, other).keys()) == positive


def _required(value: object, item: Filter) -> object:
    if value is None:
        raise invalid(f"{item.operator} on {item.propertyName} needs a `value`")
    return value


def _typed(kind: PropertyKind, raw: str, item: Filter, *, fold: bool = True) -> Comparable:
    if kind == "number":
        try:
            return float(raw)
        except ValueError:
            raise invalid(f"{raw!r} is not a number ({item.propertyName})") from None
    if kind == "datetime":
        instant: datetime | None = parse_instant(raw)
        if instant is None:
            raise invalid(f"{raw!r} is not a date or ms timestamp ({item.propertyName})")
        return instant.timestamp()
    if kind == "enumeration" or not fold:
        return raw
    return raw.casefold()


def _compare(kind: PropertyKind, raw: str | None, item: Filter) -> Comparable | None:
    return None if raw is None else _typed(kind, raw, item)


def _ordered(low: Comparable, high: Comparable) -> bool:
    """`low <= high` for two values of one property kind."""
    if isinstance(low, float) and isinstance(high, float):
        return low <= high
    return str(low) <= str(high)


def _token_pattern(value: object) -> re.Pattern[str]:
    text = str(value).casefold()
    return re.compile("^" + ".*".join(re.escape(part) for part in text.split("*")) + "$")


def _has_token(raw: str | None, pattern: re.Pattern[str]) -> bool:
    if raw is None:
        return False
    text = raw.casefold()
    tokens = {text, *text.split(), *(t for t in re.split(r"[^\w]+", text) if t)}
    return any(pattern.match(token) for token in tokens)


def _matches_query(kind: ObjectType, record: StoredObject, words: list[str]) -> bool:
    if not words:
        return True
    tokens = [
        token
        for name in kind.query_properties
        for token in re.split(r"[\s]+", record.properties.get(name, "").casefold())
        if token
    ]
    return all(any(token.startswith(word) for token in tokens) for word in words)


def _sorted(kind: ObjectType, records: list[StoredObject], sort: Sort | str) -> list[StoredObject]:
    if isinstance(sort, str):
        name, descending = sort.lstrip("-"), sort.startswith("-")
    else:
        name, descending = sort.propertyName, sort.direction == "DESCENDING"
    property_kind = kind.kind(name)
    if property_kind is None:
        raise invalid(f"Property {name!r} does not exist on {kind.plural}; it cannot sort")
    probe = Filter(propertyName=name, operator="EQ")

    def key(record: StoredObject) -> tuple[Comparable, int]:
        value = _compare(property_kind, record.properties.get(name) or None, probe)
        assert value is not None
        return value, int(record.id)

    present = [r for r in records if r.properties.get(name)]
    missing = [r for r in records if not r.properties.get(name)]
    # Records without the property come last in either direction.
    return sorted(present, key=key, reverse=descending) + missing
