"""What a classifier reads (`ReplyText`) and says (`Classification`), and the interface any
classifier implements, so an LLM classifier can replace the offline one without the job
handler noticing."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal, Protocol

from pydantic import BaseModel, ConfigDict, Field

ReplyClass = Literal[
    "interested",
    "not_interested",
    "not_now",
    "out_of_office",
    "unsubscribe",
    "wrong_person",
    "bounce",
    "other",
]
REPLY_CLASSES: tuple[ReplyClass, ...] = (
    "interested",
    "not_interested",
    "not_now",
    "out_of_office",
    "unsubscribe",
    "wrong_person",
    "bounce",
    "other",
)


# The confidence from which the platform acts on a class (suppress, pause, create a task…);
# under it a class is recorded only.
ACT_THRESHOLD = 0.5


class ReplyText(BaseModel):
    """A reply as received: untrusted text, only ever read, never obeyed."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    text: str = Field(..., description="The reply's body as the provider gave it.")
    received_at: datetime = Field(..., description="When it arrived (dates are relative to it).")
    subject: str | None = Field(None, description="Its subject line, when known.")
    sender_email: str | None = Field(None, description="Who replied (the lead).")


class Referral(BaseModel):
    """The person a wrong-person reply points to."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    email: str | None = None
    name: str | None = None


class Classification(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    label: ReplyClass
    confidence: float = Field(..., ge=0.0, le=1.0)
    language: str | None = Field(None, description="en, fr, de, es; None when unsure.")
    return_date: date | None = Field(None, description="out_of_office: first day back.")
    referral: Referral | None = Field(None, description="wrong_person: who to contact.")
    classifier: str = Field(
        ...,
        description="Which classifier decided: offline, a model id, or offline with the "
        "reason the model's answer was not used.",
    )
    details: dict[str, Any] | None = Field(
        None, description="A model's run: provider, model, tokens, cost, stop reason."
    )


class ReplyClassifier(Protocol):
    """Anything that labels a reply. It returns a label and nothing else: it has no tools and
    no access to the platform, so the reply's text cannot make it do anything."""

    name: str

    async def classify(self, reply: ReplyText) -> Classification: ...
