"""Pipeline step: discover (being written)."""
