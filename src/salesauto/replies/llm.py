"""`LlmReplyClassifier`: the `reply_classifier` agent's prompt on the fast tier, one model
turn without tools, its JSON answer checked as a `Classification` (`llm_prompt.py`).

The model has no tools and the reply is only data inside a delimited block, so whatever the
reply says, the worst it can do is pick a wrong label — as with the offline classifier.
A refusal, an answer that is not the JSON asked for, a timeout or a provider error (after
the SDK's retries) falls back to the offline classifier, whose `classifier` then says why
the model was not used; the job never fails because a model is down. Tokens and cost of
the model's turn go in the classification's `details`, also when its answer was unusable.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from typing import Any

from pydantic import BaseModel

from salesauto.ai.definitions import AgentDefinition, builtin_agents
from salesauto.ai.errors import LlmRejected, LlmUnavailable
from salesauto.ai.messages import LlmProvider, ModelTurn, TurnRequest, UserMessage
from salesauto.ai.pricing import turn_cost
from salesauto.ai.selector import ai_settings, configured_vendors, select_provider
from salesauto.ai.settings import ModelPrice
from salesauto.replies.llm_prompt import (
    UnusableAnswer,
    classification_from,
    reply_message,
    system_prompt,
)
from salesauto.replies.offline import OfflineClassifier
from salesauto.replies.schemas import Classification, ReplyClassifier, ReplyText

AGENT = "reply_classifier"
# The JSON answer is a few dozen tokens, but Gemini 2.5 counts its thinking in this limit
# too; only the tokens used are paid for.
MAX_ANSWER_TOKENS = 2048
MAX_REASON_CHARS = 200


class LlmReplyClassifier:
    """Classifies with `provider` (its own client: close it with `aclose`)."""

    def __init__(
        self,
        provider: LlmProvider,
        *,
        agent: AgentDefinition,
        prices: Mapping[str, ModelPrice],
        timeout_seconds: float,
        fallback: ReplyClassifier | None = None,
    ) -> None:
        self.provider = provider
        self.name = f"{provider.name}:{provider.model}"
        self.system = system_prompt(agent)
        self.prices = prices
        self.timeout_seconds = timeout_seconds
        self.fallback: ReplyClassifier = fallback or OfflineClassifier()

    async def aclose(self) -> None:
        await self.provider.aclose()

    async def classify(self, reply: ReplyText) -> Classification:
        request = TurnRequest(
            system=self.system,
            messages=[UserMessage(text=reply_message(reply))],
            max_output_tokens=MAX_ANSWER_TOKENS,
        )
        try:
            # One cap on the whole call: the SDK's timeout applies to each of its retries.
            async with asyncio.timeout(self.timeout_seconds):
                turn = await self.provider.generate(request)
        except TimeoutError:
            return await self._offline(
                reply, f"model did not answer within {self.timeout_seconds:g} s", None
            )
        except LlmUnavailable as error:
            return await self._offline(reply, f"model unavailable: {error.message}", None)
        except LlmRejected as error:
            return await self._offline(reply, f"model refused the call: {error.message}", None)
        details = self._details(turn)
        try:
            return classification_from(
                self._answer(turn), reply, classifier=turn.model, details=details
            )
        except UnusableAnswer as error:
            return await self._offline(reply, f"model answer unusable: {error}", details)

    def _answer(self, turn: ModelTurn) -> str:
        if turn.stop_reason == "refusal":
            raise UnusableAnswer("the model refused to classify this reply")
        if turn.stop_reason == "max_tokens":
            raise UnusableAnswer(f"cut at {MAX_ANSWER_TOKENS} tokens")
        if turn.tool_calls:
            raise UnusableAnswer("it asked for tools, and it has none")
        return turn.text

    def _details(self, turn: ModelTurn) -> dict[str, Any]:
        return {
            "provider": turn.provider,
            "model": turn.model,
            "usage": turn.usage.model_dump(by_alias=True),
            "costUsd": turn_cost(self.prices, turn.model, turn.usage),
            "stopReason": turn.raw_stop_reason or turn.stop_reason,
        }

    async def _offline(
        self, reply: ReplyText, reason: str, details: dict[str, Any] | None
    ) -> Classification:
        found = await self.fallback.classify(reply)
        if len(reason) > MAX_REASON_CHARS:
            reason = reason[: MAX_REASON_CHARS - 1] + "…"
        return found.model_copy(
            update={"classifier": f"{found.classifier} ({reason})", "details": details}
        )


def model_classifier(settings: BaseModel) -> LlmReplyClassifier | None:
    """The fast-tier classifier of the provider the settings choose (with the other one as
    fallback when both keys are set); None when no model key is configured."""
    ai = ai_settings(settings)
    if not configured_vendors(ai):
        return None
    agent = builtin_agents()[AGENT]
    return LlmReplyClassifier(
        select_provider(ai, agent),
        agent=agent,
        prices=ai.llm_prices,
        timeout_seconds=ai.llm_timeout_seconds,
    )


@asynccontextmanager
async def classifier_for(settings: BaseModel | None) -> AsyncIterator[ReplyClassifier]:
    """The model's classifier when one is configured, the offline one otherwise; the model's
    client is closed on the way out."""
    llm = model_classifier(settings) if settings is not None else None
    if llm is None:
        yield OfflineClassifier()
        return
    try:
        yield llm
    finally:
        await llm.aclose()
