"""Reply classification: what a lead's reply means (`offline.py`, or an LLM later) and what
the platform does about it (`outcomes.py`, run by the `campaigns.classify_reply` job)."""
