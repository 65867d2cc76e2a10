"""Tests of the CSV import layer."""
