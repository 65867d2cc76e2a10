"""Apollo parameters arrive as query parameters (`person_titles[]=…`, `revenue_range[min]=…`) or
as a JSON body with the same names; both are read into one dict and validated here."""

from __future__ import annotations

import json
import re
from typing import Annotated, Any, TypeVar

from fastapi import Request
from pydantic import BaseModel, BeforeValidator, ConfigDict, ValidationError

_BRACKETED = re.compile(r"^([A-Za-z0-9_]+)\[([A-Za-z0-9_]*)\]$")


class ApolloError(Exception):
    """An Apollo error response: `status` and its JSON body."""

    def __init__(self, status: int, body: dict[str, Any]) -> None:
        super().__init__(str(body))
        self.status = status
        self.body = body


def invalid(message: str) -> ApolloError:
    return ApolloError(422, {"error": "Invalid parameters", "error_message": message})


def _as_list(value: object) -> object:
    if value is None:
        return []
    if isinstance(value, str | int | float):
        return [value]
    return value


StrList = Annotated[list[str], BeforeValidator(_as_list)]


class Params(BaseModel):
    # Apollo ignores parameters it does not know.
    model_config = ConfigDict(extra="ignore")


ParamsT = TypeVar("ParamsT", bound=Params)


def _put(params: dict[str, Any], key: str, value: str) -> None:
    bracketed = _BRACKETED.match(key)
    if bracketed is None:
        params[key] = value
        return
    name, sub = bracketed.groups()
    if sub:
        nested = params.setdefault(name, {})
        if isinstance(nested, dict):
            nested[sub] = value
    else:
        existing = params.setdefault(name, [])
        if isinstance(existing, list):
            existing.append(value)
        else:
            params[name] = [existing, value]


async def read_params(request: Request) -> dict[str, Any]:
    """Query parameters merged with a JSON body (the body wins on a clash)."""
    params: dict[str, Any] = {}
    for key, value in request.query_params.multi_items():
        _put(params, key, value)
    raw = await request.body()
    if raw.strip():
        try:
            body = json.loads(raw)
        except ValueError:
            raise invalid("the request body is not valid JSON") from None
        if not isinstance(body, dict):
            raise invalid("the request body must be a JSON object")
        for key, value in body.items():
            params[key.removesuffix("[]")] = value
    return params


def parse(model: type[ParamsT], params: dict[str, Any]) -> ParamsT:
    try:
        return model.model_validate(params)
    except ValidationError as error:
        first = error.errors()[0]
        where = ".".join(str(part) for part in first["loc"])
        raise invalid(f"{where}: {first['msg']}") from None
