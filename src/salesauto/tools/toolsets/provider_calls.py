"""Provider calls the typed clients have no method for (yet), made through the client's own
`ProviderHttp` so limits, retries, the breaker and metrics apply as for any other call."""

from __future__ import annotations

from typing import Any, Literal

from salesauto.integrations.http.errors import ProviderRejected
from salesauto.integrations.providers import CREDENTIAL_ENV
from salesauto.tools.spec import ToolContext

Provider = Literal["hubspot", "lemlist", "explorium", "apollo"]


async def call_provider(
    ctx: ToolContext,
    provider: Provider,
    method: str,
    path: str,
    *,
    params: dict[str, Any] | None = None,
    json: Any = None,
    idempotent: bool | None = None,
) -> Any:
    """The JSON body of one call (`{}` when empty).

    The sandbox emulators cover what the platform's own clients call; a route they lack
    answers 404/405, which is reported as such instead of as a missing record."""
    integrations = ctx.platform.integrations
    client = getattr(integrations, provider)
    try:
        response = await client.http.request(
            method, path, params=params, json=json, idempotent=idempotent
        )
    except ProviderRejected as error:
        target = integrations.targets.get(provider)
        # Only a route the emulator lacks (a 405, or FastAPI's bare "Not Found"), never a
        # record the emulator does not hold.
        if (
            error.status in (404, 405)
            and (error.status == 405 or error.message.strip() in ("Not Found", ""))
            and target is not None
            and target.mode == "sandbox"
        ):
            raise ProviderRejected(
                provider,
                f"the {provider} sandbox does not emulate {method} {path} ({error.message}); "
                f"this tool needs the live API: set SALESAUTO_{CREDENTIAL_ENV[provider]}",
                status=error.status,
                body=error.body,
            ) from error
        raise
    return response.json() if response.content else {}
