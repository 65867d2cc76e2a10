"""Who a wrong-person reply points to: "please contact Jane Doe (jane.doe@acme.com)",
"wenden Sie sich an Herrn Max Weber, max.weber@firma.de", "hablar con Ana Ruiz"."""

from __future__ import annotations

import re

from salesauto.replies.schemas import Referral

_EMAIL = re.compile(r"[a-z0-9._%+'-]+@[a-z0-9-]+(?:\.[a-z0-9-]+)*\.[a-z]{2,24}", re.IGNORECASE)
_NAME_WORD = r"[A-ZÀ-Ý][a-zà-ÿ'’]+(?:-[A-ZÀ-Ý][a-zà-ÿ'’]+)?"
_NAME = rf"{_NAME_WORD}(?:\s+(?:van|von|de|del|la|le|da|di)?\s*{_NAME_WORD}){{0,2}}"
_HONORIFIC = (
    r"(?i:(?:mr|mrs|ms|dr|herrn?|frau|monsieur|madame|mme|m\.|señora?|sra?\.?|don|doña)\.?\s+)?"
)
_NAME_BEFORE = re.compile(rf"{_HONORIFIC}(?P<name>{_NAME})\s*(?:[<(\[]|[,:–-]|\bat\b|\ban\b)?\s*$")
_NAME_AFTER = re.compile(rf"^\s*[>)\]]?\s*[(\[,–-]?\s*(?P<name>{_NAME})\s*[)\]]")
_CUE = re.compile(
    r"\b(contact|reach out to|reach|speak (?:to|with)|talk to|get in touch with|email|"
    r"write to|forward(?:ed)? (?:this |it |your (?:email|message) )?to|looping in|cc'?d|"
    r"in charge|responsible|handles|head of|contacter|contactez|s'adresser [àa]|"
    r"adressez-vous [àa]|voir avec|wenden sie sich (?:bitte )?an|ansprechpartner(?:in)?|"
    r"kontaktieren sie|zuständig|contactar (?:con|a)|contacte con|hablar con|"
    r"escribir a|p[óo]ngase en contacto con|encargad[oa]|responsable)\b",
    re.IGNORECASE,
)
_NAME_AFTER_CUE = re.compile(rf"^[\s:,]*(?:{_HONORIFIC})(?P<name>{_NAME})")
_NOT_PEOPLE = re.compile(
    r"^(no-?reply|mailer-daemon|postmaster|bounce|support|info|hello|contact|sales|"
    r"office|admin)\b",
    re.IGNORECASE,
)
_NOT_NAMES = frozenset(
    " ".join(
        (
            "Please Thanks Thank Hi Hello Dear Bonjour Hallo Hola Merci Danke Gracias The Our",
            "My He She His Her Il Elle Er Sie Ella Él Notre Unser Nuestro Email Mail Contact",
            "Monday Tuesday Wednesday Thursday Friday I We Je Nous Ich Wir Yo",
        )
    ).split()
)


def _clean_name(raw: str | None) -> str | None:
    if not raw:
        return None
    words = raw.split()
    while words and words[0] in _NOT_NAMES:
        words = words[1:]
    return " ".join(words) if words else None


def _name_from_address(email: str) -> str | None:
    local = email.split("@", 1)[0]
    parts = [part for part in re.split(r"[._-]", local) if part.isalpha() and len(part) > 1]
    if len(parts) < 2:
        return None
    return " ".join(part.capitalize() for part in parts[:3])


def _name_near(text: str, start: int, end: int) -> str | None:
    before = _NAME_BEFORE.search(text[max(0, start - 60) : start])
    if before:
        name = _clean_name(before["name"])
        if name:
            return name
    after = _NAME_AFTER.match(text[end : end + 60])
    return _clean_name(after["name"]) if after else None


def find_referral(text: str, sender_email: str | None) -> Referral | None:
    """The person the text points to (an address and/or a name), or None."""
    sender = (sender_email or "").lower()
    cues = [match.end() for match in _CUE.finditer(text)]
    candidates = [
        match
        for match in _EMAIL.finditer(text)
        if match.group().lower() != sender and not _NOT_PEOPLE.match(match.group())
    ]
    if candidates:
        # The address nearest after a cue, else the first one.
        cued = [m for m in candidates if any(0 <= m.start() - cue <= 80 for cue in cues)]
        chosen = (cued or candidates)[0]
        email = chosen.group().lower().rstrip(".")
        name = _name_near(text, chosen.start(), chosen.end()) or _name_from_address(email)
        return Referral(email=email, name=name)
    for cue in cues:
        match = _NAME_AFTER_CUE.match(text[cue : cue + 60])
        name = _clean_name(match["name"]) if match else None
        if name:
            return Referral(email=None, name=name)
    return None
