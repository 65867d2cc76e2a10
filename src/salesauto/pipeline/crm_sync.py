"""Pipeline step: crm_sync (being written)."""
