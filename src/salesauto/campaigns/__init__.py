"""Campaigns: templates, their instances at the provider, enrollments and provider events."""
