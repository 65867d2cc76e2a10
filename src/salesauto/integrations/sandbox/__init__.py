"""Sandbox: local emulators of HubSpot, lemlist, Explorium and Apollo that speak their real
HTTP APIs over a deterministic synthetic universe of companies and people."""
