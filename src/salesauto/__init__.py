"""salesauto: self-hosted sales automation platform."""

__version__ = "0.1.0"
