"""AI orchestration: LLM providers, agent definitions, the tool-use loop and transcripts."""
