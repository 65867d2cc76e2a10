"""`OfflineClassifier`: reply classes from phrase rules, deterministic and without network.

Order of reading:
1. A bounce is read on the whole message and subject: mailer-daemon texts quote the
   original email, which the cleaning below would cut.
2. Everything else is read on what the author wrote (`cleaning.authored_part`).
3. An explicit request to stop wins (unsubscribe); then someone who has left the company
   (their auto-reply may also say "out of office"); then an absence; then a pointer to a
   colleague; then the best of not_now / not_interested / interested, a tie going to the
   more cautious class.
4. When no phrase settles it (nothing recognised, or rules that contradict each other),
   the word model (`bayes.py`) guesses, under the confidence the platform acts on; with
   no word in common with its examples the reply is `other`.

The text is only ever matched against patterns: whatever it says ("ignore previous
instructions…") can only move the label, never what is done with it.
"""

from __future__ import annotations

from datetime import date

from salesauto.replies.answer_rules import (
    INTERESTED,
    NEGATED_INTEREST,
    NOT_INTERESTED,
    NOT_NOW,
    OTHER_HINTS,
)
from salesauto.replies.bayes import word_model
from salesauto.replies.cleaning import authored_part, plain_text
from salesauto.replies.dates import return_date
from salesauto.replies.language import detect_language
from salesauto.replies.referral import find_referral
from salesauto.replies.rules import Rule, blank, score
from salesauto.replies.schemas import (
    ACT_THRESHOLD,
    Classification,
    Referral,
    ReplyClass,
    ReplyText,
)
from salesauto.replies.stop_rules import BOUNCE, OUT_OF_OFFICE, UNSUBSCRIBE, WRONG_PERSON

NAME = "offline"
DECISIVE = 3  # a rule of this weight settles a class on its own
BOUNCE_WINDOW = 4000  # mailer-daemon explanations come first
# Among the answers about the offer itself, a tie goes to the first (the more cautious).
ANSWERS: tuple[ReplyClass, ...] = ("not_now", "not_interested", "interested")


TEXT_RULES: dict[ReplyClass, list[Rule]] = {
    "unsubscribe": UNSUBSCRIBE,
    "out_of_office": OUT_OF_OFFICE,
    "wrong_person": WRONG_PERSON,
    "not_now": NOT_NOW,
    "not_interested": NOT_INTERESTED,
    "interested": INTERESTED,
    "other": OTHER_HINTS,
}


def scores(authored: str, subject: str) -> dict[ReplyClass, int]:
    """Each class's score on the authored text (the subject counts for absences)."""
    found: dict[ReplyClass, int] = {}
    for label, rules in TEXT_RULES.items():
        text = authored
        if label == "out_of_office":
            text = f"{subject}\n{authored}"
        elif label == "interested":
            text = blank(NEGATED_INTEREST, authored)
        found[label] = score(rules, text)
    return found


def decide(found: dict[ReplyClass, int]) -> tuple[ReplyClass, int, int]:
    """The label, its score, and the best competing score."""
    if found["unsubscribe"] >= DECISIVE:
        return "unsubscribe", found["unsubscribe"], 0
    if found["wrong_person"] >= DECISIVE:
        return "wrong_person", found["wrong_person"], found["out_of_office"]
    if found["out_of_office"] >= DECISIVE:
        return "out_of_office", found["out_of_office"], found["wrong_person"]
    if found["wrong_person"] >= 2 and found["wrong_person"] >= max(found[a] for a in ANSWERS):
        return "wrong_person", found["wrong_person"], max(found[a] for a in ANSWERS)
    best = max(ANSWERS, key=lambda label: found[label])  # max keeps the first of a tie
    runner_up = max(found[label] for label in ANSWERS if label != best)
    if found["other"] >= 2 and found[best] < DECISIVE:
        return "other", found["other"], found[best]
    if found[best] == 0:
        return "other", 0, 0
    return best, found[best], runner_up


def confidence(top: int, runner_up: int, label: ReplyClass) -> float:
    if label == "other":
        return 0.5 if top else 0.4
    certainty = min(0.97, 0.45 + 0.12 * top)
    if runner_up:
        certainty -= 0.3 * runner_up / (top + runner_up)
    return round(max(0.2, certainty), 2)


class OfflineClassifier:
    name = NAME

    async def classify(self, reply: ReplyText) -> Classification:
        return classify_offline(reply)


def classify_offline(reply: ReplyText) -> Classification:
    """The offline classification (synchronous: the word model's examples are read once per
    process, at the first guess)."""
    subject = reply.subject or ""
    raw = plain_text(reply.text)
    authored = authored_part(raw) or raw.strip()
    language = detect_language(authored) or detect_language(raw)
    bounce = score(BOUNCE, f"{subject}\n{raw[:BOUNCE_WINDOW]}")
    if bounce >= DECISIVE:
        return Classification(
            label="bounce",
            confidence=confidence(bounce, 0, "bounce"),
            language=language,
            classifier=NAME,
        )
    found = scores(authored, subject)
    label, top, runner_up = decide(found)
    guessed: float | None = None
    if (label == "other" and top == 0) or confidence(top, runner_up, label) < ACT_THRESHOLD:
        guess = word_model().guess(authored)
        if guess is not None:
            label, guessed = guess
    back: date | None = None
    referral: Referral | None = None
    if label == "out_of_office":
        back = return_date(authored, reply.received_at, language)
    if label == "wrong_person":
        referral = find_referral(authored, reply.sender_email)
    return Classification(
        label=label,
        confidence=guessed if guessed is not None else confidence(top, runner_up, label),
        language=language,
        return_date=back,
        referral=referral,
        classifier=NAME,
    )
