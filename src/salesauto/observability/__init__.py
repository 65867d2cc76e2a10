"""Logging, metrics and request tracing."""
