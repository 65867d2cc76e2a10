"""The platform's own toolsets, one module each; `platform_registry()` loads them all."""

from __future__ import annotations

import importlib

from salesauto.tools.registry import REGISTRY, ToolRegistry

TOOLSET_MODULES = (
    "salesauto.tools.toolsets.admin",
    "salesauto.tools.toolsets.contacts",
    "salesauto.tools.toolsets.imports",
    "salesauto.tools.toolsets.discovery",
    "salesauto.tools.toolsets.enrichment",
    "salesauto.tools.toolsets.crm",
    "salesauto.tools.toolsets.jobs",
    "salesauto.tools.toolsets.campaigns",
    "salesauto.tools.toolsets.webhooks",
    "salesauto.tools.toolsets.deadletter",
    "salesauto.tools.toolsets.analytics",
    "salesauto.tools.toolsets.keys",
    "salesauto.tools.toolsets.hubspot",
    "salesauto.tools.toolsets.hubspot_links",
    "salesauto.tools.toolsets.lemlist",
    "salesauto.tools.toolsets.lemlist_leads",
    "salesauto.tools.toolsets.lemlist_database",
    "salesauto.tools.toolsets.explorium",
    "salesauto.tools.toolsets.explorium_events",
    "salesauto.tools.toolsets.apollo",
    "salesauto.tools.toolsets.agent",
    "salesauto.tools.toolsets.campaign_admin",
    "salesauto.tools.toolsets.replies",
    "salesauto.tools.toolsets.enrichment_info",
    "salesauto.tools.toolsets.suppression_tools",
    "salesauto.tools.toolsets.provider_keys",
    "salesauto.tools.toolsets.webhook_replay",
)


def platform_registry() -> ToolRegistry:
    """Every tool of the platform (importing a module registers its tools, once)."""
    for module in TOOLSET_MODULES:
        importlib.import_module(module)
    return REGISTRY
