"""Shared building blocks: database, time, errors, pagination."""
