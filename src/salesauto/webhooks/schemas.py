"""Webhook API bodies."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from salesauto.kit.schemas import ApiModel
from salesauto.webhooks.registration import HUBSPOT_SUBSCRIPTIONS, Registration


class WebhookAck(ApiModel):
    success: bool = True
    received: int = Field(description="Events stored by this delivery (queued for processing).")
    duplicates: int = Field(description="Events already received before: not processed again.")


class LemlistHookView(ApiModel):
    status: Literal["created", "replaced", "unchanged"]
    hook_id: str | None
    target_url: str = Field(description="The hook URL with its secret token masked.")
    token_prefix: str


class HubSpotSubscriptionView(ApiModel):
    subscription_url: str = Field(description="Target URL for the HubSpot app's webhooks.")
    secret_configured: bool = Field(
        description="Whether SALESAUTO_HUBSPOT_CLIENT_SECRET is set (signatures are checked)."
    )
    subscriptions: list[str]


class RegistrationView(ApiModel):
    success: bool = True
    lemlist: LemlistHookView
    hubspot: HubSpotSubscriptionView

    @classmethod
    def of(cls, registration: Registration) -> RegistrationView:
        hook = registration.lemlist
        return cls(
            lemlist=LemlistHookView(
                status=hook.status,
                hook_id=hook.hook_id,
                target_url=hook.target_url,
                token_prefix=hook.token_prefix,
            ),
            hubspot=HubSpotSubscriptionView(
                subscription_url=registration.hubspot_url,
                secret_configured=registration.hubspot_secret_configured,
                subscriptions=list(HUBSPOT_SUBSCRIPTIONS),
            ),
        )
