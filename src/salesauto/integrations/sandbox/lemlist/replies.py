"""Reply texts the engagement simulation writes, across the classes a reply classifier meets:
interested, not now, out of office (with a return date), unsubscribe request, wrong person
(with a referral: a colleague's name and email) and negative."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

# Weights sum to 1: roughly what outbound teams see in replies.
REPLY_CLASSES: tuple[tuple[str, float], ...] = (
    ("interested", 0.24),
    ("not_now", 0.18),
    ("out_of_office", 0.2),
    ("unsubscribe", 0.1),
    ("wrong_person", 0.16),
    ("negative", 0.12),
)

COLLEAGUES = (
    ("Priya", "Raman", "Head of Revenue Operations"),
    ("Marcus", "Feld", "VP Sales"),
    ("Sofia", "Almeida", "Director of Sales Operations"),
    ("Tom", "Okafor", "Head of Growth"),
    ("Hannah", "Lindqvist", "Chief Revenue Officer"),
    ("Diego", "Navarro", "Sales Enablement Lead"),
)


@dataclass(frozen=True)
class Reply:
    reply_class: str
    subject: str
    text: str
    return_date: str | None = None  # ISO date, out of office only
    referral_name: str | None = None
    referral_email: str | None = None


def pick_class(rng: random.Random) -> str:
    roll = rng.random()
    for name, weight in REPLY_CLASSES:
        roll -= weight
        if roll < 0:
            return name
    return REPLY_CLASSES[-1][0]


def compose(
    reply_class: str,
    rng: random.Random,
    *,
    first_name: str,
    sender_first_name: str,
    lead_email: str,
    subject: str,
    at: float,
) -> Reply:
    """The reply `first_name` sends at `at` (epoch s) to an email titled `subject`."""
    re_subject = subject if subject.lower().startswith("re:") else f"Re: {subject}"
    hi = f"Hi {sender_first_name},"
    sign = f"\n\n{first_name}" if first_name else ""
    if reply_class == "interested":
        text = rng.choice(
            (
                f"{hi}\n\nTiming is actually good, we're reviewing our tooling this quarter. "
                "Can you do Thursday at 10am or Friday afternoon?",
                f"{hi}\n\nThis sounds relevant. Send me a couple of slots next week and "
                "loop in anything I should read before.",
                f"{hi}\n\nInterested. What does pricing look like for a team of about 40 reps?",
            )
        )
        return Reply(reply_class, re_subject, text + sign)
    if reply_class == "not_now":
        months = rng.choice((2, 3, 6))
        text = rng.choice(
            (
                f"{hi}\n\nNot a priority right now, we just signed a one-year contract. "
                f"Reach out again in {months} months.",
                f"{hi}\n\nWe're heads-down on a migration until next quarter. Can you follow "
                f"up in about {months} months?",
            )
        )
        return Reply(reply_class, re_subject, text + sign)
    if reply_class == "out_of_office":
        back = datetime.fromtimestamp(at, UTC).date() + timedelta(days=rng.randint(3, 16))
        spoken = back.strftime("%A, %B ") + str(back.day)
        text = rng.choice(
            (
                f"Thank you for your email. I am out of the office with limited access to "
                f"email and will return on {spoken}, {back.year} ({back.isoformat()}). "
                "For urgent matters please contact our front desk.",
                f"I'm currently on annual leave, back on {back.isoformat()} ({spoken}). "
                "Your message will not be forwarded.",
            )
        )
        return Reply(reply_class, f"Automatic reply: {subject}", text, return_date=back.isoformat())
    if reply_class == "unsubscribe":
        text = rng.choice(
            (
                "Please remove me from your mailing list.",
                f"{hi}\n\nUnsubscribe. Do not contact me again.",
                "Stop emailing me. Take me off this list, thanks.",
            )
        )
        return Reply(reply_class, re_subject, text)
    if reply_class == "wrong_person":
        first, last, title = rng.choice(COLLEAGUES)
        domain = lead_email.rsplit("@", 1)[-1]
        referral = f"{first.lower()}.{last.lower()}@{domain}"
        text = (
            f"{hi}\n\nI'm not the right person for this. {first} {last}, our {title}, owns "
            f"that area — you can reach {first} at {referral}."
        )
        return Reply(
            reply_class,
            re_subject,
            text + sign,
            referral_name=f"{first} {last}",
            referral_email=referral,
        )
    text = rng.choice(
        (
            f"{hi}\n\nNo thanks, we're not interested.",
            "Not interested. We build this in-house.",
            f"{hi}\n\nWe already use a competitor and are happy with it. Please don't follow up.",
        )
    )
    return Reply("negative", re_subject, text + sign)
