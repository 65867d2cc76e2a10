"""A word-count model for the replies no phrase rule recognises: naive Bayes over the words
and word pairs of labelled examples (`examples.jsonl`: the authored part of the `dev` replies
of bench/data/replies.jsonl, written by `bench/classify.py --write-examples`).

It only guesses: its answers stay under the confidence the platform acts on
(`outcomes.ACT_THRESHOLD`), so a guess labels a reply but never suppresses, pauses or
refers anyone. Deterministic, no network; the examples load once per process.
"""

from __future__ import annotations

import json
import math
import re
from collections import Counter
from dataclasses import dataclass, field
from functools import cache
from itertools import pairwise
from pathlib import Path

from salesauto.replies.schemas import REPLY_CLASSES, ReplyClass

EXAMPLES = Path(__file__).with_name("examples.jsonl")
GUESS_CEILING = 0.45  # under schemas.ACT_THRESHOLD
SMOOTHING = 0.5
_WORD = re.compile(r"[a-zà-ÿß']+", re.IGNORECASE)


def features(text: str) -> set[str]:
    """Lower-cased words and adjacent word pairs."""
    words = [word.lower() for word in _WORD.findall(text)]
    return set(words) | {f"{a}_{b}" for a, b in pairwise(words)}


@dataclass
class WordModel:
    documents: Counter[str] = field(default_factory=Counter)
    counts: dict[str, Counter[str]] = field(default_factory=dict)

    def learn(self, label: str, text: str) -> None:
        self.documents[label] += 1
        self.counts.setdefault(label, Counter()).update(features(text))

    def guess(self, text: str) -> tuple[ReplyClass, float] | None:
        """The likeliest class and its posterior (capped at `GUESS_CEILING`); None when the
        text shares no word with the examples."""
        vocabulary = set().union(*self.counts.values()) if self.counts else set()
        known = features(text) & vocabulary
        if not known:
            return None
        total = sum(self.documents.values())
        logs: dict[ReplyClass, float] = {}
        for label in REPLY_CLASSES:
            if not self.documents[label]:
                continue
            counts = self.counts[label]
            size = sum(counts.values()) + SMOOTHING * len(vocabulary)
            logs[label] = math.log(self.documents[label] / total) + sum(
                math.log((counts[word] + SMOOTHING) / size) for word in known
            )
        best = max(logs, key=lambda label: logs[label])
        top = logs[best]
        posterior = 1.0 / sum(math.exp(value - top) for value in logs.values())
        return best, round(min(GUESS_CEILING, posterior), 2)


@cache
def word_model(path: Path = EXAMPLES) -> WordModel:
    model = WordModel()
    if not path.exists():
        return model  # no examples: no guesses, the rules alone decide
    with path.open(encoding="utf-8") as lines:
        for line in lines:
            if line.strip():
                example = json.loads(line)
                model.learn(example["label"], example["text"])
    return model
