"""Rules: a weight and a pattern. A class scores the sum of its matching rules' weights (each
rule once). Weight 3 is a phrase that settles it on its own ("please unsubscribe me",
"Undeliverable:"), 2 a strong sign, 1 a hint. Patterns are written for the phrases people
use in English, French, German and Spanish, not for sentences of the labelled set
(bench/data/replies.jsonl).

`stop_rules.py` has the replies that stop the conversation with this person (bounce,
unsubscribe, absence, wrong person), `answer_rules.py` the answers to the offer itself.
"""

from __future__ import annotations

import re

Rule = tuple[int, re.Pattern[str]]


def compile_rules(*pairs: tuple[int, str]) -> list[Rule]:
    return [(weight, re.compile(pattern, re.IGNORECASE)) for weight, pattern in pairs]


def score(rules: list[Rule], text: str) -> int:
    return sum(weight for weight, pattern in rules if pattern.search(text))


def blank(rules: list[Rule], text: str) -> str:
    """The text with every match of the rules replaced by spaces (positions kept)."""
    for _, pattern in rules:
        text = pattern.sub(lambda match: " " * len(match.group()), text)
    return text
