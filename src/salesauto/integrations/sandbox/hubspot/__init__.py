"""HubSpot sandbox: CRM v3 objects (contacts, companies, tasks, notes), search, lists, v4
associations and owners, with HubSpot's limits, errors and rate-limit policies."""

from salesauto.integrations.sandbox.hubspot.app import build_hubspot_emulator

__all__ = ["build_hubspot_emulator"]
