"""A scripted fake of the Anthropic and Gemini HTTP APIs, for tests of the real SDKs."""
