"""Explorium AgentSource API v1 emulator over the synthetic universe."""

from salesauto.integrations.sandbox.explorium.app import build_explorium_emulator

__all__ = ["build_explorium_emulator"]
