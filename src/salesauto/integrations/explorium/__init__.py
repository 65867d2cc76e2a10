"""Explorium (AgentSource API v1): business and prospect discovery and enrichment."""

from salesauto.integrations.explorium.client import ExploriumClient
from salesauto.integrations.explorium.profile import explorium_profile

__all__ = ["ExploriumClient", "explorium_profile"]
