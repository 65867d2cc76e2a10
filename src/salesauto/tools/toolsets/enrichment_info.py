"""enrichment, continued: what enrichment found for contacts (field by field, with where each
value came from) and how the waterfall is set up."""

from __future__ import annotations

from datetime import datetime
from typing import Any, get_args

from pydantic import Field

from salesauto.config import EnrichmentSource
from salesauto.contacts.schemas import ContactView
from salesauto.contacts.service import ContactService
from salesauto.kit.errors import NotFound
from salesauto.tools.registry import tool
from salesauto.tools.spec import READ, ToolContext, ToolInput, ToolOutput

ENRICHERS = frozenset(get_args(EnrichmentSource))


class ResultsRequest(ToolInput):
    emails: list[str] = Field(..., min_length=1, max_length=50, description="Stored contacts.")
    all_sources: bool = Field(
        False,
        description="Also fields set by imports, CRM or people (default: only those an "
        "enrichment provider set).",
    )


class FieldValue(ToolOutput):
    field: str = Field(description="A contact column, or `data.<key>` for other fields.")
    value: Any
    source: str = Field(description="Who set it: explorium, apollo, csv, hubspot, tools…")
    at: str | None = Field(description="When (UTC, ISO 8601).")


class EnrichedContact(ToolOutput):
    email: str
    stage: str
    enriched_at: datetime | None
    fields: list[FieldValue]


class EnrichmentResults(ToolOutput):
    contacts: list[EnrichedContact]
    missing: list[str] = Field(description="Addresses that are not stored contacts.")


def _value(contact: ContactView, field: str) -> Any:
    if field.startswith("data."):
        return contact.data.get(field.removeprefix("data."))
    return getattr(contact, field, None) if field in ContactView.model_fields else None


def _fields(contact: ContactView, all_sources: bool) -> list[FieldValue]:
    found: list[FieldValue] = []
    for field, stamp in sorted(contact.provenance.items()):
        if not isinstance(stamp, dict):
            continue
        source = str(stamp.get("source", "unknown"))
        if not all_sources and source not in ENRICHERS:
            continue
        at = stamp.get("at")
        found.append(
            FieldValue(
                field=field,
                value=_value(contact, field),
                source=source,
                at=str(at) if at is not None else None,
            )
        )
    return found


@tool(toolset="enrichment", scope="contacts:read", flags=READ)
async def enrichment_get_results(ctx: ToolContext, args: ResultsRequest) -> EnrichmentResults:
    """What enrichment found for up to 50 stored contacts, field by field: each value with
    the provider that set it (explorium, apollo) and when, plus when the contact was last
    enriched. Use it after enrichment_enrich_contacts to check what was filled in and by
    whom. Free (reads our database, buys nothing)."""
    service = ContactService(ctx.platform.engine)
    contacts: list[EnrichedContact] = []
    missing: list[str] = []
    for email in dict.fromkeys(args.emails):
        try:
            contact = await service.get(ctx.workspace, email)
        except NotFound:
            missing.append(email)
            continue
        contacts.append(
            EnrichedContact(
                email=contact.email,
                stage=contact.stage,
                enriched_at=contact.enriched_at,
                fields=_fields(contact, args.all_sources),
            )
        )
    return EnrichmentResults(contacts=contacts, missing=missing)


class NoArguments(ToolInput):
    pass


class WaterfallProvider(ToolOutput):
    provider: str
    position: int | None = Field(description="1 is asked first; None: not in the waterfall.")
    mode: str = Field(description="live (own key, spends credits), sandbox (emulator) or off.")
    circuit: dict[str, Any] | None = Field(
        None, description="Its circuit breaker: open means calls are refused for a while."
    )


class Waterfall(ToolOutput):
    providers: list[WaterfallProvider] = Field(description="In waterfall order, then the rest.")
    credit_budget: int = Field(description="Paid lookups one enrichment job may buy.")
    cache_days: float = Field(description="How long a provider's answer is reused for free.")
    auto_enrich: bool = Field(description="Whether new contacts are enriched as they arrive.")


@tool(toolset="enrichment", scope="contacts:read", flags=READ)
async def enrichment_get_waterfall(ctx: ToolContext, args: NoArguments) -> Waterfall:
    """How enrichment is set up: the providers in the order they are asked (each filling
    only what the ones before left empty), whether each is live or the sandbox, the credit
    budget per job, how long answers are cached, and whether new contacts are enriched
    automatically. Read it before enrichment_enrich_contacts to know what it will cost.
    Free."""
    settings = ctx.platform.settings
    snapshot = ctx.platform.integrations.snapshot()
    order = list(settings.enrichment_order)
    names = order + sorted(ENRICHERS - set(order))
    providers = []
    for name in names:
        entry = snapshot.get(name, {})
        circuit = entry.get("circuit")
        providers.append(
            WaterfallProvider(
                provider=name,
                position=order.index(name) + 1 if name in order else None,
                mode=str(entry.get("mode", "off")),
                circuit=circuit if isinstance(circuit, dict) else None,
            )
        )
    return Waterfall(
        providers=providers,
        credit_budget=settings.enrichment_credit_budget,
        cache_days=settings.enrichment_cache_days,
        auto_enrich=settings.auto_enrich,
    )
