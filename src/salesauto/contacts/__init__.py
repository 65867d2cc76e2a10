"""Contacts and companies: one record per email and per domain, merged from every source."""
