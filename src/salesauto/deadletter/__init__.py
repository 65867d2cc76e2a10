"""The dead-letter store: provider events kept for inspection, replay and discard."""
