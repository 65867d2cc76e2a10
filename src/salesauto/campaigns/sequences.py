"""A template's steps as a lemlist sequence, and a lemlist step index back to its template step.

Step conditions (`TemplateStep.conditions`):

- `onlyIfNotOpened`: lemlist has no per-step "skip if opened" switch; its model is a
  `conditional` step (`conditionKey: emailsOpened`, `delayType: within`, `delay` days) where
  the sequence splits into a met and a not-met branch. We add that condition, carrying the
  step's delay, right before the step (which then waits 0 days more). lemlist's editor shows
  the branches as nested sequences that its public API lists but cannot fill, so on real
  lemlist check the branches in the editor after spawning: the step belongs to the "not
  opened" one. The emulator reads it so (the step right after a condition is skipped by a lead
  who met it). On the first step there is nothing earlier to have opened: no condition.
- `stopOnReply` (default true): lemlist's own stop on reply is a campaign setting
  (`stopOnEmailReplied`, on by default), not a step's, and is left as it is. Here, a reply to
  a step with `stopOnReply: false` is recorded and counted, and the enrollment stays active
  instead of becoming `replied` (`effects.keep_running_after_reply`).

Conditions make the lemlist sequence longer than the template, so lemlist's `sequenceStep`
is mapped back through `template_step_at`. A campaign linked rather than spawned is assumed
to follow its template step for step.
"""

from __future__ import annotations

from typing import Any

from salesauto.integrations.lemlist.schemas import ConditionalStepCreate, SequenceStepCreate

LEMLIST_STEP_TYPES = {
    "email": "email",
    "linkedin": "linkedinSend",
    "call": "phone",
    "task": "manual",
}
OPENED = "emailsOpened"  # lemlist's conditionKey


def lemlist_step(step: dict[str, Any], *, delay: int | None = None) -> SequenceStepCreate:
    """A template step (as stored, camelCase) as a step of a lemlist sequence."""
    channel = step["channel"]
    return SequenceStepCreate(
        type=LEMLIST_STEP_TYPES[channel],
        delay=step.get("delayDays", 0) if delay is None else delay,
        subject=step.get("subject") if channel == "email" else None,
        title=(step.get("subject") or "Task") if channel == "task" else None,
        message=step["body"],
    )


def _conditions(step: dict[str, Any]) -> dict[str, Any]:
    conditions = step.get("conditions")
    return conditions if isinstance(conditions, dict) else {}


def has_open_condition(step: dict[str, Any], position: int) -> bool:
    return position > 0 and bool(_conditions(step).get("onlyIfNotOpened"))


def lemlist_sequence(steps: list[dict[str, Any]]) -> list[SequenceStepCreate]:
    """The steps to add to the campaign's sequence, in order, conditions included."""
    sequence: list[SequenceStepCreate] = []
    for position, step in enumerate(steps):
        if has_open_condition(step, position):
            sequence.append(
                ConditionalStepCreate(
                    type="conditional",
                    condition_key=OPENED,
                    delay_type="within",
                    delay=step.get("delayDays", 0),
                )
            )
            sequence.append(lemlist_step(step, delay=0))
        else:
            sequence.append(lemlist_step(step))
    return sequence


def template_step_at(steps: list[dict[str, Any]], lemlist_index: int) -> dict[str, Any] | None:
    """The template step at lemlist's 0-based `sequenceStep`; None for a condition or beyond."""
    at = 0
    for position, step in enumerate(steps):
        if has_open_condition(step, position):
            at += 1  # the condition's own lemlist step
        if at == lemlist_index:
            return step
        at += 1
    return None


def stops_on_reply(structure: dict[str, Any] | None, lemlist_index: int) -> bool:
    """Whether a reply to this lemlist step ends the enrollment (true unless the template
    step says `stopOnReply: false`)."""
    steps = (structure or {}).get("steps") or []
    step = template_step_at(steps, lemlist_index) if isinstance(steps, list) else None
    return step is None or _conditions(step).get("stopOnReply", True) is not False
