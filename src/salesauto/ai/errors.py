"""What can go wrong with a model or an agent definition, with messages that say what to do."""

from __future__ import annotations

from salesauto.kit.errors import SalesautoError


class LlmUnavailable(SalesautoError):
    """The provider failed after the SDK's retries (outage, overload, network)."""

    status_code = 503


class LlmRateLimited(LlmUnavailable):
    status_code = 429


class LlmRejected(SalesautoError):
    """The provider refused the request itself (bad key, bad model name, invalid request)."""

    status_code = 502


class AgentDefinitionError(SalesautoError):
    """An agent file is missing a field or has a wrong one; the message names the file."""

    status_code = 500
