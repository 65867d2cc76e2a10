"""Reply classification: what a lead's reply means (`llm.py` when a model is configured,
`offline.py` otherwise) and what the platform does about it (`outcomes.py`, run by the
`campaigns.classify_reply` job)."""
