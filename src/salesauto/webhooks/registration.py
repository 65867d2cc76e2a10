"""`webhooks register`: one lemlist hook per workspace, pointing at the public base URL with a
fresh secret token, and the URL to give HubSpot. Registering again changes nothing while the
hook still exists at lemlist and the base URL is the same."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine

from salesauto.config import Settings
from salesauto.integrations.http.errors import ProviderRejected
from salesauto.integrations.lemlist.schemas import HookCreate
from salesauto.integrations.registry import Integrations
from salesauto.kit.db import retry_locked
from salesauto.kit.errors import InvalidInput
from salesauto.kit.time import utcnow
from salesauto.webhooks import tokens
from salesauto.webhooks.hook_cache import LEMLIST_HOOKS
from salesauto.webhooks.receiving import HUBSPOT_PATH, LEMLIST_PATH
from salesauto.webhooks.repository import ENDPOINTS, live_endpoint_of

HUBSPOT_SUBSCRIPTIONS = ("contact.propertyChange (hs_email_optout)", "contact.deletion")


@dataclass(frozen=True)
class LemlistHook:
    status: Literal["created", "replaced", "unchanged"]
    hook_id: str | None
    target_url: str  # the token masked
    token_prefix: str


@dataclass(frozen=True)
class Registration:
    lemlist: LemlistHook
    hubspot_url: str
    hubspot_secret_configured: bool


def public_base(settings: Settings) -> str:
    if not settings.public_base_url:
        raise InvalidInput(
            "set SALESAUTO_PUBLIC_BASE_URL to the https URL providers reach this API at "
            "(e.g. https://sales.example.com) before registering webhooks",
            field="publicBaseUrl",
        )
    return settings.public_base_url.rstrip("/")


class WebhookRegistrar:
    def __init__(self, engine: AsyncEngine, settings: Settings, integrations: Integrations):
        self.engine = engine
        self.settings = settings
        self.integrations = integrations

    async def register(self, owner_id: str) -> Registration:
        base = public_base(self.settings)
        secret = self.settings.hubspot_client_secret
        return Registration(
            lemlist=await self._lemlist(owner_id, base),
            hubspot_url=f"{base}{HUBSPOT_PATH}",
            hubspot_secret_configured=bool(secret and secret.get_secret_value()),
        )

    async def _lemlist(self, owner_id: str, base: str) -> LemlistHook:
        lemlist = self.integrations.lemlist
        prefix = f"{base}{LEMLIST_PATH}/"
        async with self.engine.connect() as conn:
            current = await live_endpoint_of(conn, "lemlist", owner_id)
        existing = {hook.id for hook in await lemlist.list_hooks()}
        if (
            current is not None
            and current.provider_hook_id in existing
            and current.target_url.startswith(prefix)
        ):
            return LemlistHook(
                "unchanged", current.provider_hook_id, current.target_url, current.token_prefix
            )
        token = tokens.new_token()
        hook = await lemlist.create_hook(HookCreate(target_url=prefix + token))
        masked = tokens.masked_url(prefix + token, token)
        try:
            await retry_locked(lambda: self._store(owner_id, current, token, hook.id, masked))
        except IntegrityError:
            # A concurrent registration stored its endpoint first: keep that one.
            await self._delete_hook(hook.id)
            async with self.engine.connect() as conn:
                winner = await live_endpoint_of(conn, "lemlist", owner_id)
            if winner is None:
                raise
            return LemlistHook(
                "unchanged", winner.provider_hook_id, winner.target_url, winner.token_prefix
            )
        if current is not None and current.provider_hook_id in existing:
            await self._delete_hook(current.provider_hook_id)  # the base URL moved
        status: Literal["created", "replaced"] = "created" if current is None else "replaced"
        return LemlistHook(status, hook.id, masked, tokens.token_prefix(token))

    async def _store(
        self, owner_id: str, current: Any, token: str, hook_id: str, masked: str
    ) -> None:
        now = utcnow()
        async with self.engine.begin() as conn:
            if current is not None:
                await conn.execute(
                    sa.update(ENDPOINTS)
                    .where(ENDPOINTS.c.id == current.id, ENDPOINTS.c.revoked_at.is_(None))
                    .values(revoked_at=now)
                )
            await conn.execute(
                sa.insert(ENDPOINTS).values(
                    provider="lemlist",
                    owner_id=owner_id,
                    token_hash=tokens.token_digest(token),
                    token_prefix=tokens.token_prefix(token),
                    provider_hook_id=hook_id,
                    target_url=masked,
                    created_at=now,
                )
            )
        # Once committed: the revoked token stops working in this process at once.
        LEMLIST_HOOKS.forget_all()

    async def _delete_hook(self, hook_id: str | None) -> None:
        if hook_id is None:
            return
        try:
            await self.integrations.lemlist.delete_hook(hook_id)
        except ProviderRejected as error:
            if error.status != 404:
                raise
