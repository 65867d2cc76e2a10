"""Checks a JSON request body passes before any route sees it.

Nesting is measured on the raw bytes first, without recursion, so a 10,000-deep body costs a
linear scan instead of a `RecursionError` in the parser. Keys that pollute objects in the
dashboard's JavaScript (`__proto__`, `constructor`, `prototype`) or reach Python dunders
(`__class__`) are refused at any depth, naming where they are but never echoing values.
"""

from __future__ import annotations

import json
import re

MAX_INT_DIGITS = 4300  # Python's own limit for int(str); more is a CPU-burning payload
FORBIDDEN_KEYS = frozenset({"__proto__", "constructor", "prototype"})
LONGEST_KEY_SHOWN = 64
# A string (possessive, so an unterminated one still matches in one pass) or a bracket.
_TOKENS = re.compile(rb'"(?:[^"\\]++|\\.)*+(?:"|\\?\Z)|[\[\]{}]', re.DOTALL)
_OPENERS = frozenset(b"[{")
_CLOSERS = frozenset(b"]}")


class JsonRefused(Exception):
    """The body is not acceptable JSON; `message` says what to change, `field` where."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class _NumberTooLong(Exception):
    pass


def checked_json(body: bytes, *, max_depth: int) -> object:
    """The parsed body, or `JsonRefused` for deep nesting, bad JSON, huge numbers, bad keys."""
    too_deep = JsonRefused(
        f"the JSON body is nested deeper than {max_depth} levels; send a flatter document"
    )
    if nesting_exceeds(body, max_depth):
        raise too_deep
    try:
        document = json.loads(body, parse_int=_bounded_int, parse_constant=_no_constant)
    except RecursionError:
        # Only reachable with a max_depth near the interpreter's own recursion limit.
        raise too_deep from None
    except _NumberTooLong:
        raise JsonRefused(
            f"a number in the JSON body has more than {MAX_INT_DIGITS} digits; send it as a string"
        ) from None
    except UnicodeDecodeError:
        raise JsonRefused("the body is not UTF-8 text; send JSON encoded as UTF-8") from None
    except json.JSONDecodeError as error:
        # `msg` never contains the document, only what the parser expected.
        raise JsonRefused(
            f"the body is not valid JSON ({error.msg} at line {error.lineno}, "
            f"column {error.colno}); send a JSON document"
        ) from None
    except ValueError:  # NaN/Infinity, refused by _no_constant
        raise JsonRefused(
            "the body is not valid JSON (NaN and Infinity are not JSON numbers)"
        ) from None
    where = forbidden_key_path(document)
    if where is not None:
        raise JsonRefused(
            f"the key at `{where}` is not allowed: keys named __proto__, constructor or "
            "prototype, or starting with __, are refused at any depth; rename it",
            field=where,
        )
    return document


def nesting_exceeds(body: bytes, max_depth: int) -> bool:
    """True when arrays/objects nest deeper than `max_depth` (brackets in strings ignored)."""
    if body.count(b"[") + body.count(b"{") <= max_depth:
        return False  # the usual body: too few brackets to be deep, no scan needed
    depth = 0
    for token in _TOKENS.finditer(body):
        first = body[token.start()]
        if first in _OPENERS:
            depth += 1
            if depth > max_depth:
                return True
        elif first in _CLOSERS:
            depth -= 1
    return False


def forbidden_key_path(document: object) -> str | None:
    """The JSON path (`contact.data.__proto__`, `rows[2].__class__`) of the first bad key."""
    stack: list[tuple[object, str]] = [(document, "")]
    while stack:
        value, path = stack.pop()
        if isinstance(value, dict):
            for key, child in value.items():
                child_path = f"{path}.{_shown(key)}" if path else _shown(key)
                if key in FORBIDDEN_KEYS or key.startswith("__"):
                    return child_path
                if isinstance(child, dict | list):
                    stack.append((child, child_path))
        elif isinstance(value, list):
            stack.extend(
                (child, f"{path}[{index}]")
                for index, child in enumerate(value)
                if isinstance(child, dict | list)
            )
    return None


def _shown(key: str) -> str:
    return key if len(key) <= LONGEST_KEY_SHOWN else key[: LONGEST_KEY_SHOWN - 1] + "…"


def _bounded_int(digits: str) -> int:
    if len(digits.lstrip("-")) > MAX_INT_DIGITS:
        raise _NumberTooLong
    return int(digits)


def _no_constant(name: str) -> float:
    raise ValueError(name)
