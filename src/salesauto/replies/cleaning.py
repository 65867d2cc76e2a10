"""The part of a reply its author wrote: no quoted thread, signature or legal disclaimer.

Mail clients quote the message being answered under a header ("On … wrote:", "Le … a écrit :",
"Am … schrieb …:", "El … escribió:", Outlook's "From: … Sent: …" block, "-----Original
Message-----"); our own outreach email sits there, and its words ("interested?", "a quick
call") must not vote. Sign-offs and disclaimers ("confidential", "unsubscribe" in a footer)
would mislead the same way.
"""

from __future__ import annotations

import html
import re

# A line that starts the quoted thread: everything from it on is dropped.
_QUOTE_HEADERS = [
    r"on\b.{0,200}\bwrote\s*:?$",
    r"le\b.{0,200}\ba\s+[ée]crit\s*:?$",
    r"am\b.{0,200}\bschrieb\b.{0,100}:?$",
    r"el\b.{0,200}\bescribi[óo]\s*:?$",
    r"-{2,}\s*(original message|message d'origine|urspr[üu]ngliche nachricht|"
    r"mensaje original|forwarded message|message transf[ée]r[ée]|"
    r"weitergeleitete nachricht|mensaje reenviado)\s*-{2,}",
    r"_{10,}",
    r"(from|de|von)\s*:.*",
    r"(sent|envoy[ée]|gesendet|enviado)\s*:.*",
]
_QUOTE_HEADER = re.compile(r"^\s*(?:" + "|".join(_QUOTE_HEADERS) + ")", re.IGNORECASE)
_WRAPPED_HEADER = re.compile(r"^\s*(on|le|am|el)\s", re.IGNORECASE)
# "From:" alone is a real header only when a "Sent:"/"To:"/"Subject:" line follows it.
_HEADER_FOLLOWERS = re.compile(
    r"^\s*(sent|date|to|subject|envoy[ée]|[àa]|objet|gesendet|an|betreff|enviado|para|"
    r"asunto|cc)\s*:",
    re.IGNORECASE,
)
_FROM_LIKE = re.compile(r"^\s*(from|de|von|sent|envoy[ée]|gesendet|enviado)\s*:", re.IGNORECASE)
# Lines that end what the author wrote (a signature or a disclaimer follows).
_SIGN_OFFS = [
    r"--\s*",
    r"(best|kind|warm|many)?\s*(regards|wishes)[,.!]?",
    r"best[,.!]?",
    r"cheers[,.!]?",
    r"thanks?( you)?( again)?[,.!]?",
    r"many thanks[,.!]?",
    r"sincerely[,.!]?",
    r"(bien )?cordialement[,.!]?",
    r"bien [àa] (vous|toi)[,.!]?",
    r"(tr[èe]s )?bonne (journ[ée]e|soir[ée]e)[,.!]?",
    r"merci( beaucoup| d'avance)?[,.!]?",
    r"(mit )?(freundlichen|besten|sonnigen|herzlichen|viele) gr[üu](ß|ss)en?[,.!]?",
    r"(viele |liebe |beste )?gr[üu](ß|ss)e[,.!]?",
    r"mfg[,.!]?",
    r"vielen dank[,.!]?",
    r"danke( schön| sehr)?[,.!]?",
    r"(un )?(cordial )?saludos?( cordiales)?[,.!]?",
    r"atentamente[,.!]?",
    r"un abrazo[,.!]?",
    r"gracias( de antemano)?[,.!]?",
    r"sent from my \w+.*",
    r"envoy[ée] (de|depuis) mon \w+.*",
    r"von meinem \w+ gesendet.*",
    r"enviado desde mi \w+.*",
    r"get outlook for \w+.*",
]
_SIGN_OFF = re.compile(r"^\s*(?:" + "|".join(_SIGN_OFFS) + r")\s*$", re.IGNORECASE)
_DISCLAIMER = re.compile(
    r"^\s*(this (e-?mail|message)( and any (files|attachments))?.{0,40}"
    r"(confidential|intended solely|intended only)|confidentiality notice|disclaimer\s*:|"
    r"ce (message|courriel|mail).{0,60}(confidentiel|destin[ée])|"
    r"diese (e-mail|nachricht).{0,80}(vertraulich|informationen)|"
    r"este (mensaje|correo).{0,80}(confidencial|destinatario)|"
    r"please consider the environment|pensez [àa] l'environnement)",
    re.IGNORECASE,
)
_TAGS = re.compile(r"<(br|/p|/div|p|div)[^>]*>", re.IGNORECASE)
_ANY_TAG = re.compile(r"<[^>]{1,200}>")
# A sign-off this far into a long body is a sign-off; in the first lines, it may be the reply
# itself ("Thanks, not for us.").
_MIN_LINES_BEFORE_SIGN_OFF = 1


def plain_text(text: str) -> str:
    """Line breaks normalised; HTML bodies reduced to their text."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if re.search(r"<(html|body|div|p|br)\b", text, re.IGNORECASE):
        text = _ANY_TAG.sub("", _TAGS.sub("\n", text))
        text = html.unescape(text)
    return text.replace("\u00a0", " ")


def _is_quote_header(lines: list[str], index: int) -> bool:
    line = lines[index]
    if not _QUOTE_HEADER.match(line):
        # Clients wrap a long "On … wrote:" line in two.
        joined = f"{line} {lines[index + 1]}" if index + 1 < len(lines) else line
        return bool(_WRAPPED_HEADER.match(line) and _QUOTE_HEADER.match(joined))
    if not _FROM_LIKE.match(line):
        return True
    following = [candidate for candidate in lines[index + 1 : index + 4] if candidate.strip()]
    return any(_HEADER_FOLLOWERS.match(candidate) for candidate in following)


def without_quoted_thread(text: str) -> str:
    """What comes before the first quote header, minus `>`-quoted lines."""
    lines = plain_text(text).split("\n")
    kept: list[str] = []
    for index, line in enumerate(lines):
        if _is_quote_header(lines, index):
            break
        if line.lstrip().startswith(">"):
            continue
        kept.append(line)
    return "\n".join(kept).strip()


def without_signature(text: str) -> str:
    """Text up to its sign-off or disclaimer. A reply that is only a sign-off ("Thanks!")
    keeps it: that is what the author said."""
    lines = text.split("\n")
    written = 0
    for index, line in enumerate(lines):
        if _DISCLAIMER.match(line):
            return "\n".join(lines[:index]).strip() or text.strip()
        if _SIGN_OFF.match(line) and written >= _MIN_LINES_BEFORE_SIGN_OFF:
            return "\n".join(lines[:index]).strip()
        if line.strip():
            written += 1
    return text.strip()


def authored_part(text: str) -> str:
    """The words the reply's author wrote for this reply."""
    return without_signature(without_quoted_thread(text))
