"""Apollo.io API emulator (people search and enrichment, organizations) over the universe."""

from salesauto.integrations.sandbox.apollo.app import build_apollo_emulator

__all__ = ["build_apollo_emulator"]
