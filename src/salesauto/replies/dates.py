"""The return date in an out-of-office reply, relative to when the reply arrived.

Dates are found in the forms people write ("Monday 3 March", "March 3rd", "12 mars",
"14. März", "3 de marzo", "12/03", "14.03.", "2026-03-12", "Monday", "tomorrow", "next
week"); the words just before or after each one say what it is:

- a return cue ("back on", "de retour le", "ab … wieder", "regreso el"): that day is the
  first day back;
- an end cue ("until", "jusqu'au", "bis zum", "hasta el", "du … au"): the person is away
  through that day, so they are back the day after;
- a start cue ("from", "du", "vom", "desde"): when the absence began, not a return.

Without a year, a date is the next one on or after the reply's day. Numeric dates are read
day first (12/03 is 12 March), except in English replies where month first is the common
reading (3/12 is 12 March) when both are valid.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum

MONTHS = {
    # English
    "january": 1, "jan": 1, "february": 2, "feb": 2, "march": 3, "mar": 3, "april": 4,
    "apr": 4, "may": 5, "june": 6, "jun": 6, "july": 7, "jul": 7, "august": 8, "aug": 8,
    "september": 9, "sept": 9, "sep": 9, "october": 10, "oct": 10, "november": 11,
    "nov": 11, "december": 12, "dec": 12,
    # French
    "janvier": 1, "janv": 1, "février": 2, "fevrier": 2, "févr": 2, "fev": 2, "mars": 3,
    "avril": 4, "avr": 4, "mai": 5, "juin": 6, "juillet": 7, "juil": 7, "août": 8,
    "aout": 8, "septembre": 9, "octobre": 10, "novembre": 11, "décembre": 12,
    "decembre": 12, "déc": 12,
    # German
    "januar": 1, "jänner": 1, "februar": 2, "märz": 3, "maerz": 3, "mär": 3, "juni": 6,
    "juli": 7, "oktober": 10, "okt": 10, "dezember": 12, "dez": 12,
    # Spanish
    "enero": 1, "febrero": 2, "marzo": 3, "abril": 4, "mayo": 5, "junio": 6, "julio": 7,
    "agosto": 8, "septiembre": 9, "setiembre": 9, "octubre": 10, "noviembre": 11,
    "diciembre": 12,
}  # fmt: skip
WEEKDAYS = {
    "monday": 0, "tuesday": 1, "wednesday": 2, "thursday": 3, "friday": 4, "saturday": 5,
    "sunday": 6,
    "lundi": 0, "mardi": 1, "mercredi": 2, "jeudi": 3, "vendredi": 4, "samedi": 5,
    "dimanche": 6,
    "montag": 0, "dienstag": 1, "mittwoch": 2, "donnerstag": 3, "freitag": 4,
    "samstag": 5, "sonntag": 6,
    "lunes": 0, "martes": 1, "miércoles": 2, "miercoles": 2, "jueves": 3, "viernes": 4,
    "sábado": 5, "sabado": 5, "domingo": 6,
}  # fmt: skip


def _alternation(names: dict[str, int]) -> str:
    return "|".join(sorted(map(re.escape, names), key=len, reverse=True))


_MONTH = _alternation(MONTHS)
_DAY_MONTH = re.compile(
    rf"\b(?P<day>\d{{1,2}})(?:st|nd|rd|th|er|º|\.)?\s*(?:of\s+|de\s+)?(?P<month>{_MONTH})\b\.?"
    r"(?:,?\s+(?:de\s+)?(?P<year>\d{4}))?",
    re.IGNORECASE,
)
_MONTH_DAY = re.compile(
    rf"\b(?P<month>{_MONTH})\.?\s+(?:the\s+)?(?P<day>\d{{1,2}})(?:st|nd|rd|th)?\b"
    r"(?:,?\s+(?P<year>\d{4}))?",
    re.IGNORECASE,
)
_ISO = re.compile(r"\b(?P<year>20\d\d)-(?P<a>\d{1,2})-(?P<b>\d{1,2})\b")
_NUMERIC = re.compile(
    r"(?<![\d.:/])(?P<a>\d{1,2})(?P<sep>[./-])(?P<b>\d{1,2})(?:(?P=sep)(?P<year>\d{4}|\d{2}))?"
    r"(?![\d:]|[./-]\d)"
)
_WEEKDAY = re.compile(rf"\b(?P<weekday>{_alternation(WEEKDAYS)})\b", re.IGNORECASE)
_TOMORROW = re.compile(r"\b(tomorrow|demain|morgen|mañana)\b", re.IGNORECASE)
_NEXT_WEEK = re.compile(
    r"\b(next week|la semaine prochaine|nächste[nr]? woche|la pr[óo]xima semana|"
    r"la semana que viene)\b",
    re.IGNORECASE,
)


class Cue(StrEnum):
    BACK = "back"
    UNTIL = "until"
    START = "start"
    NONE = "none"


_CUES_BEFORE = {
    Cue.BACK: re.compile(
        r"\b(back|return(ing)?|returns|in the office|reachable again|available again|"
        r"de retour|retour|rentre|reviens|zurück|de vuelta|regres[oa]|vuelvo|volver[ée]|"
        r"reincorpor[oa])\b",
        re.IGNORECASE,
    ),
    Cue.UNTIL: re.compile(
        r"\b(until|till|through|thru|jusqu'?(au|à|a)|bis( zum| einschließlich| inklusive)?|"
        r"hasta( el)?)\b",
        re.IGNORECASE,
    ),
    Cue.START: re.compile(
        r"\b(from|since|du|vom|ab|desde|depuis|seit|a partir del?)\b", re.IGNORECASE
    ),
}
# The end of a range right before the date: "from 2 to 6 March", "du 2 au 6 mars", "del 2
# al 6 de marzo", "2.–6.3.".
_RANGE_END = re.compile(r"(\b(to|au|al)|[–-])\s*(the\s+|le\s+|el\s+)?$", re.IGNORECASE)
# A return said after the date: "Ab Montag bin ich wieder da", "el lunes estaré de vuelta".
_BACK_AFTER = re.compile(
    r"^\W{0,3}(.{0,25}\b)?(back|de retour|zurück|wieder|de vuelta|disponible|"
    r"in the office again)\b",
    re.IGNORECASE,
)
_CUE_WINDOW = 40


@dataclass(frozen=True)
class FoundDate:
    start: int
    end: int
    day: date
    cue: Cue = Cue.NONE


def _year(value: str | None) -> int | None:
    if not value:
        return None
    number = int(value)
    return number + 2000 if number < 100 else number


def _make(year: int | None, month: int, day: int, today: date) -> date | None:
    try:
        found = date(year or today.year, month, day)
    except ValueError:
        return None
    if year is None and found < today:
        try:
            found = date(today.year + 1, month, day)
        except ValueError:
            return None
    return found


def _numeric(match: re.Match[str], today: date, language: str | None) -> date | None:
    a, b = int(match["a"]), int(match["b"])
    year = _year(match["year"])
    if match["sep"] == "-" and year is None:
        return None  # "3-4" is a range of anything
    orders = [(b, a), (a, b)] if language == "en" and match["sep"] == "/" else [(a, b), (b, a)]
    for day, month in orders:
        if 1 <= month <= 12 and 1 <= day <= 31:
            return _make(year, month, day, today)
    return None


def _dated(text: str, today: date, language: str | None) -> list[FoundDate]:
    found: list[FoundDate] = []
    taken: list[tuple[int, int]] = []

    def add(start: int, end: int, day: date | None) -> None:
        if day is not None and not any(s < end and start < e for s, e in taken):
            found.append(FoundDate(start, end, day))
            taken.append((start, end))

    for match in _ISO.finditer(text):
        add(
            match.start(),
            match.end(),
            _make(int(match["year"]), int(match["a"]), int(match["b"]), today),
        )
    for pattern in (_DAY_MONTH, _MONTH_DAY):
        for match in pattern.finditer(text):
            month = MONTHS[match["month"].lower()]
            add(
                match.start(),
                match.end(),
                _make(_year(match["year"]), month, int(match["day"]), today),
            )
    for match in _NUMERIC.finditer(text):
        add(match.start(), match.end(), _numeric(match, today, language))
    for match in _WEEKDAY.finditer(text):
        # "Monday 3 March": the date says it; a weekday alone is the next such day.
        if any(abs(match.end() - s) <= 4 or abs(match.start() - e) <= 4 for s, e in taken):
            continue
        ahead = (WEEKDAYS[match["weekday"].lower()] - today.weekday() - 1) % 7 + 1
        add(match.start(), match.end(), today + timedelta(days=ahead))
    for match in _TOMORROW.finditer(text):
        add(match.start(), match.end(), today + timedelta(days=1))
    for match in _NEXT_WEEK.finditer(text):
        add(match.start(), match.end(), today + timedelta(days=7 - today.weekday()))
    return found


def _cue(text: str, found: FoundDate) -> Cue:
    before = text[max(0, found.start - _CUE_WINDOW) : found.start]
    nearest, nearest_end = Cue.NONE, -1
    for cue, pattern in _CUES_BEFORE.items():
        for match in pattern.finditer(before):
            if match.end() > nearest_end:
                nearest, nearest_end = cue, match.end()
    if _RANGE_END.search(before[-12:]):
        nearest = Cue.UNTIL
    if nearest is not Cue.BACK and _BACK_AFTER.match(text[found.end : found.end + 40]):
        return Cue.BACK
    return nearest


def return_date(text: str, received_at: datetime, language: str | None = None) -> date | None:
    """The first day the sender is back, or None when the text gives no usable date."""
    today = received_at.date()
    found = [FoundDate(f.start, f.end, f.day, _cue(text, f)) for f in _dated(text, today, language)]
    found = [f for f in found if f.day >= today]
    found.sort(key=lambda f: f.start)
    back = [f.day for f in found if f.cue is Cue.BACK]
    if back:
        return back[0]
    until = [f.day for f in found if f.cue is Cue.UNTIL]
    if until:
        return max(until) + timedelta(days=1)
    unmarked = [f.day for f in found if f.cue is Cue.NONE]
    return max(unmarked) if unmarked else None
