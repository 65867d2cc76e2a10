"""Pipeline step: enrich (being written)."""
