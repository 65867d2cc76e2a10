"""All emulators in one ASGI app: `/hubspot`, `/lemlist`, `/explorium`, `/apollo`.

Starlette does not run a mounted app's lifespan, so this app enters each emulator's lifespan
itself (lemlist's engagement clock runs there); `salesauto serve` does the same for this app.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterable
from contextlib import AsyncExitStack, asynccontextmanager

from fastapi import FastAPI

from salesauto.config import Settings
from salesauto.integrations.providers import PROVIDERS, resolve_target
from salesauto.integrations.sandbox.kit import SandboxConfig


def sandbox_config(settings: Settings) -> SandboxConfig:
    return SandboxConfig(
        seed=settings.sandbox_seed,
        time_scale=settings.sandbox_time_scale,
        hubspot_requests_per_10s=settings.hubspot_requests_per_10s,
        apollo_requests_per_minute=settings.apollo_requests_per_minute,
        apollo_requests_per_hour=settings.apollo_requests_per_hour,
    )


def vendors_needing_sandbox(settings: Settings) -> list[str]:
    """Providers without a key or a base URL of their own, when no standalone sandbox is set."""
    if not settings.sandbox_enabled or settings.sandbox_url:
        return []
    return [
        name
        for name in PROVIDERS
        if resolve_target(settings, name, sandbox_base="/sandbox").mode == "sandbox"
        and getattr(settings, f"{name}_base_url") is None
    ]


def _builders() -> dict[str, Callable[[SandboxConfig], FastAPI]]:
    from salesauto.integrations.sandbox.apollo import build_apollo_emulator
    from salesauto.integrations.sandbox.explorium import build_explorium_emulator
    from salesauto.integrations.sandbox.hubspot import build_hubspot_emulator
    from salesauto.integrations.sandbox.lemlist import build_lemlist_emulator

    return {
        "hubspot": build_hubspot_emulator,
        "lemlist": build_lemlist_emulator,
        "explorium": build_explorium_emulator,
        "apollo": build_apollo_emulator,
    }


def build_sandbox_app(config: SandboxConfig, vendors: Iterable[str] = PROVIDERS) -> FastAPI:
    """One app serving the emulators of `vendors` under `/<vendor>`."""
    builders = _builders()
    emulators = {vendor: builders[vendor](config) for vendor in vendors}

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        async with AsyncExitStack() as stack:
            for emulator in emulators.values():
                await stack.enter_async_context(emulator.router.lifespan_context(emulator))
            yield

    app = FastAPI(
        title="salesauto sandbox",
        description="Local emulators of the HubSpot, lemlist, Explorium and Apollo APIs.",
        lifespan=lifespan,
        docs_url=None,
        redoc_url=None,
        openapi_url=None,
    )

    @app.get("/")
    async def index() -> dict[str, object]:
        return {"sandbox": sorted(emulators), "seed": config.seed, "timeScale": config.time_scale}

    for vendor, emulator in emulators.items():
        app.mount(f"/{vendor}", emulator)
    return app
