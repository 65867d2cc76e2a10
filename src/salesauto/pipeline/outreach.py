"""Pipeline step: outreach (being written)."""
