"""The lemlist emulator: `build_lemlist_emulator(config)` → a FastAPI app."""

from salesauto.integrations.sandbox.lemlist.app import build_lemlist_emulator

__all__ = ["build_lemlist_emulator"]
