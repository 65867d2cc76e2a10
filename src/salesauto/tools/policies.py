"""The checks every tool call passes, whoever the caller: scope, read-only mode, input
validation with a message a model can act on, and the suppression list."""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from typing import Any

from pydantic import BaseModel, ValidationError

from salesauto.imports.cells import normalise_email
from salesauto.kit.errors import SalesautoError
from salesauto.security.principal import Principal
from salesauto.suppressions.service import SuppressionService
from salesauto.tools.spec import ToolContext, ToolSpec


class ToolRefused(SalesautoError):
    """A call the policies stop before the handler runs."""

    status_code = 403


def closest_tools(name: str, known: Iterable[str]) -> list[str]:
    """Names a caller probably meant: close spellings first, then the same toolset's tools."""
    names = sorted(known)
    close = difflib.get_close_matches(name, names, n=5, cutoff=0.5)
    toolset = name.split("_", 1)[0]
    same_toolset = [n for n in names if n.startswith(f"{toolset}_") and n not in close]
    return (close + same_toolset)[:8]


def unknown_tool_message(name: str, known: Iterable[str]) -> str:
    suggestions = closest_tools(name, known)
    hint = f"; did you mean {', '.join(suggestions)}?" if suggestions else ""
    return f"unknown tool {name!r}{hint} (list the tools to see every name)"


def check_scope(spec: ToolSpec[Any, Any], principal: Principal) -> None:
    if spec.scope is not None and not principal.allows(spec.scope):
        raise ToolRefused(
            f"{spec.name} needs the {spec.scope!r} scope and this key lacks it; use a key "
            f"with it (salesauto keys create --scopes {spec.scope})",
            scope=spec.scope,
        )


def check_read_only(spec: ToolSpec[Any, Any], read_only: bool) -> None:
    if read_only and not spec.flags.read_only:
        raise ToolRefused(
            f"{spec.name} changes data and this session is read-only; only tools that read "
            "are available"
        )


def validation_message(tool: str, error: ValidationError) -> str:
    """`invalid arguments for contacts_get: email: Field required` — the field and why."""
    problems = []
    for problem in error.errors():
        where = ".".join(str(part) for part in problem["loc"]) or "arguments"
        problems.append(f"{where}: {problem['msg']}")
    return f"invalid arguments for {tool}: " + "; ".join(problems)


def validate_arguments(spec: ToolSpec[Any, Any], arguments: dict[str, Any]) -> BaseModel:
    try:
        args: BaseModel = spec.input_model.model_validate(arguments)
        return args
    except ValidationError as error:
        raise ToolRefused(validation_message(spec.name, error)) from None


async def drop_suppressed(
    spec: ToolSpec[Any, Any], ctx: ToolContext, args: BaseModel
) -> tuple[BaseModel, list[dict[str, str]]]:
    """Remove the addresses on the workspace's suppression list from the tool's recipients;
    returns the arguments left and what was dropped with the reason."""
    if spec.recipients is None:
        return args, []
    emails: list[str] = list(getattr(args, spec.recipients) or [])
    if not emails:
        return args, []
    service = SuppressionService(ctx.platform.engine)
    blocked = await service.check(ctx.workspace, emails)
    if not blocked:
        return args, []
    dropped: list[dict[str, str]] = []
    kept: list[str] = []
    for email in emails:
        reason = blocked.get(normalise_email(email) or email)
        if reason is None:
            kept.append(email)
        else:
            dropped.append({"email": email, "reason": f"suppressed: {reason}"})
    if not kept:
        raise ToolRefused(
            f"every address given to {spec.name} is on the suppression list "
            f"({', '.join(d['email'] for d in dropped[:5])}); nothing to do",
            suppressed=dropped,
        )
    return args.model_copy(update={spec.recipients: kept}), dropped
