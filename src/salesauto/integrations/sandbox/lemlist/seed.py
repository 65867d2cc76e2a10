"""The account every emulator starts with: three campaigns (one running) and the 3-step
email sequence each of them sends."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class SeedCampaign:
    name: str
    status: str
    age_days: float
    labels: tuple[str, ...] = ()


@dataclass(frozen=True)
class StepTemplate:
    delay_days: float  # from the lead's first email
    subject: str
    body: str


SEED_CAMPAIGNS = (
    SeedCampaign("Q4 Outbound – RevOps leaders (US)", "running", 41, ("outbound", "q4")),
    SeedCampaign("Series A founders – EMEA", "draft", 12, ("founders",)),
    SeedCampaign("Webinar follow-up: pipeline hygiene", "paused", 73, ("webinar",)),
)

# Day 0, day 3, day 8: delays of 0 / 3 / 5 days between the three emails.
STEP_TEMPLATES = (
    StepTemplate(
        0,
        "Quick question about {{companyName}}",
        "Hi {{firstName}},\n\nTeams like {{companyName}} usually lose a day a week to manual "
        "pipeline updates. Worth a 15-minute look at how others fixed it?\n\nClaire",
    ),
    StepTemplate(
        3,
        "Re: Quick question about {{companyName}}",
        "Hi {{firstName}}, bumping this in case it got buried. Happy to send a 2-minute video "
        "instead of a call.\n\nClaire",
    ),
    StepTemplate(
        8,
        "Closing the loop, {{firstName}}",
        "Hi {{firstName}}, I'll stop here. If pipeline hygiene becomes a priority at "
        "{{companyName}}, just reply to this thread.\n\nClaire",
    ),
)


def render(template: str, variables: dict[str, str]) -> str:
    """lemlist's `{{variable}}` substitution; unknown variables render empty."""
    out = template
    for key, value in variables.items():
        out = out.replace("{{" + key + "}}", value)
    while "{{" in out and "}}" in out.split("{{", 1)[1]:
        head, rest = out.split("{{", 1)
        out = head + rest.split("}}", 1)[1]
    return out
