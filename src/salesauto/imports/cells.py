"""Cell-level rules shared by imports and exports: emails, domains and CSV-injection safety."""

from __future__ import annotations

import re
from functools import lru_cache
from urllib.parse import urlsplit

# OWASP "CSV injection": spreadsheet apps evaluate cells starting with these characters.
_FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
# Invisible characters that survive copy-pasting out of web pages and spreadsheets.
_INVISIBLE = "\u200b\u200c\u200d\u2060\ufeff"
_NAMED_ADDRESS = re.compile(r"<([^<>]*)>\s*$")
_WHITESPACE = re.compile(r"\s")
_MAX_LOCAL_PART = 64
_MAX_LABEL = 63
_MAX_DOMAIN = 253

FREE_EMAIL_DOMAINS: frozenset[str] = frozenset(
    {
        "gmail.com", "googlemail.com", "yahoo.com", "yahoo.co.uk", "yahoo.fr", "ymail.com",
        "outlook.com", "outlook.fr", "hotmail.com", "hotmail.co.uk", "hotmail.fr", "live.com",
        "live.fr", "msn.com", "icloud.com", "me.com", "mac.com", "aol.com", "proton.me",
        "protonmail.com", "pm.me", "tutanota.com", "gmx.de", "gmx.net", "gmx.com", "web.de",
        "t-online.de", "freenet.de", "orange.fr", "wanadoo.fr", "free.fr", "laposte.net",
        "sfr.fr", "libero.it", "yandex.ru", "yandex.com", "mail.ru", "rambler.ru", "qq.com",
        "163.com", "126.com", "sina.com", "naver.com", "zoho.com", "mail.com", "fastmail.com",
        "hey.com", "comcast.net", "verizon.net", "att.net",
    }
)  # fmt: skip


def neutralise_cell(value: str) -> str:
    """Make a value safe to open in a spreadsheet: only for CSV *exports*, never on import."""
    if value.startswith(_FORMULA_TRIGGERS):
        return "'" + value
    return value


def normalise_email(value: str) -> str | None:
    """Trim, unwrap `Name <a@b.com>` / `<a@b.com>` / `mailto:` and lower-case; None when empty."""
    email = value.strip().strip(_INVISIBLE).strip()
    named = _NAMED_ADDRESS.search(email) if ">" in email else None
    if named:
        email = named.group(1).strip()
    email = email.lower()
    if email.startswith("mailto:"):
        email = email[len("mailto:") :].split("?", 1)[0].strip()
    return email or None


def email_problem(email: str) -> str | None:
    """Why `email` (already normalised) is not a usable address, or None when it is.

    Pragmatic rather than RFC 5322: one `@`, a local part of 1-64 characters without spaces,
    and a domain as accepted by `domain_problem` (internationalised domains allowed).
    """
    if not email:
        return "no email"
    if _WHITESPACE.search(email):
        return "contains spaces"
    if "@" not in email:
        return "not an email address (no @)"
    if email.count("@") > 1:
        return "more than one @"
    local, domain = email.split("@")
    if not local:
        return "nothing before the @"
    if len(local) > _MAX_LOCAL_PART:
        return "the part before the @ is longer than 64 characters"
    if local.startswith(".") or local.endswith(".") or ".." in local:
        return "misplaced dot before the @"
    if _domain_problem(domain):
        return "invalid domain"
    return None


@lru_cache(maxsize=65_536)  # a file names the same few thousand domains again and again
def _domain_problem(domain: str) -> bool:
    if not domain or len(domain) > _MAX_DOMAIN or "." not in domain:
        return True
    labels = domain.split(".")
    for label in labels:
        if not label or len(label) > _MAX_LABEL or label[0] == "-" or label[-1] == "-":
            return True
        if not label.replace("-", "").isalnum():
            return True
    tld = labels[-1]
    return not (tld.startswith("xn--") or (len(tld) >= 2 and tld.isalpha()))


@lru_cache(maxsize=65_536)
def normalise_domain(value: str) -> str | None:
    """The bare domain of a website or domain cell ("https://WWW.Acme.com/about" → "acme.com").

    Scheme, `www.`, credentials, port, path, query and case are removed. None when the value is
    empty or not a domain (a company name, an email address, an IP address).
    """
    text = value.strip().strip(_INVISIBLE).strip()
    if not text or ("@" in text and "://" not in text):
        return None
    if "://" not in text:
        text = "//" + text.lstrip("/")
    try:
        host = urlsplit(text).hostname
    except ValueError:
        return None
    if not host:
        return None
    host = host.rstrip(".")
    if host.startswith("www."):
        host = host[len("www.") :]
    if _domain_problem(host) or host.replace(".", "").isdigit():
        return None
    return host


def company_domain_from_email(email: str) -> str | None:
    """The company domain behind a work address; None for free-mail providers or bad input."""
    normalised = normalise_email(email)
    if normalised is None or email_problem(normalised) is not None:
        return None
    domain = normalised.rsplit("@", 1)[1]
    return None if domain in FREE_EMAIL_DOMAINS else domain


def company_domain_for(website: str | None, email: str) -> tuple[str | None, bool]:
    """(domain, guessed): the website's domain, else the work email's (then `guessed`)."""
    domain = normalise_domain(website) if website else None
    if domain is not None:
        return domain, False
    return company_domain_from_email(email), True
