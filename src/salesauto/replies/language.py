"""Which language a reply is in, from its most common short words: enough to pick date
formats and to report it, and it needs no model."""

from __future__ import annotations

import re


def _words(spaced: str) -> frozenset[str]:
    return frozenset(spaced.split())


_STOPWORDS: dict[str, frozenset[str]] = {
    "en": _words(
        "the and you your for are not we our with this that have will please thanks "
        "thank me my is it be at on of to in i'm i"
    ),
    "fr": _words(
        "le la les et vous votre pour est pas nous notre avec ce cette je suis merci "
        "de des du un une au aux ne plus mon ma bonjour"
    ),
    "de": _words(
        "der die das und sie ihr ihre für ist nicht wir unser mit ich bin danke "
        "ein eine zu im am bis kein keine mich hallo"
    ),
    "es": _words(
        "el la los las y usted su para es no nosotros nuestro con este esta yo estoy "
        "gracias de del un una al me mi hola por"
    ),
}
_WORD = re.compile(r"[a-zà-ÿ']+", re.IGNORECASE)


def detect_language(text: str) -> str | None:
    """en, fr, de or es; None when no language clearly leads."""
    words = [word.lower() for word in _WORD.findall(text)]
    scores = {
        language: sum(1 for word in words if word in stopwords)
        for language, stopwords in _STOPWORDS.items()
    }
    ranked = sorted(scores.items(), key=lambda item: item[1], reverse=True)
    (best, top), (_, second) = ranked[0], ranked[1]
    if top == 0 or top == second:
        return None
    return best
