"""`salesauto webhooks register`: the lemlist hook and the HubSpot subscription URL;
`salesauto webhooks poll`: one lemlist activity poll (the fallback for webhooks)."""

from __future__ import annotations

from typing import Annotated

import typer

from salesauto.cli.common import console, print_json, with_platform
from salesauto.platform import Platform
from salesauto.webhooks.polling import LemlistPoller
from salesauto.webhooks.registration import WebhookRegistrar
from salesauto.webhooks.schemas import RegistrationView

app = typer.Typer(
    help="Provider webhooks: register them at the providers, or poll lemlist instead.",
    no_args_is_help=True,
)
POLL_OWNER = "default"


@app.command("register")
def register(
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON for scripts.")] = False,
) -> None:
    """Create the lemlist hook for SALESAUTO_PUBLIC_BASE_URL (once: running it again changes
    nothing) and print the URL to enter in the HubSpot app's webhook settings."""

    async def run(platform: Platform) -> RegistrationView:
        registrar = WebhookRegistrar(platform.engine, platform.settings, platform.integrations)
        return RegistrationView.of(await registrar.register("default"))

    view = with_platform(run)
    if as_json:
        print_json(view.model_dump(by_alias=True, mode="json"))
        return
    hook = view.lemlist
    verb = {"created": "created", "replaced": "re-created", "unchanged": "already registered"}
    console.print(
        f"lemlist hook {hook.hook_id} {verb[hook.status]}: {hook.target_url}", highlight=False
    )
    hubspot = view.hubspot
    console.print(f"HubSpot webhook target URL: [bold]{hubspot.subscription_url}[/bold]")
    console.print(f"  subscribe to: {', '.join(hubspot.subscriptions)}", highlight=False)
    if not hubspot.secret_configured:
        console.print(
            "  [yellow]set SALESAUTO_HUBSPOT_CLIENT_SECRET (the app's client secret): "
            "deliveries are refused until signatures can be checked[/yellow]"
        )


@app.command("poll")
def poll(
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON for scripts.")] = False,
) -> None:
    """Read lemlist's activities since the last poll into receipts, now, whatever
    SALESAUTO_LEMLIST_POLLING says; a worker applies them (each event once, webhooks too)."""

    async def run(platform: Platform) -> dict[str, object]:
        poller = LemlistPoller(platform.queue, platform.integrations.lemlist)
        return (await poller.poll(POLL_OWNER)).report()

    report = with_platform(run)
    if as_json:
        print_json(report)
        return
    console.print(
        f"lemlist activities since {report['since']}: {report['activities']} read, "
        f"{report['stored']} new (queued for processing), {report['duplicates']} already "
        f"received, {report['ignored']} not tracked",
        highlight=False,
    )
