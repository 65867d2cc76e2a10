"""The `salesauto` command line."""

from salesauto.cli.main import app, main

__all__ = ["app", "main"]
