"""The API key format: `sap_<key id>_<secret><checksum>`, recognisable and self-checking.

Following GitHub's token format: a type prefix that secret scanners can match, base62 so a
double-click selects the whole key, and a CRC32 in the last six characters so a typo or junk
is refused before any database work. The key id (10 characters) is the lookup prefix stored
in the clear; the secret is 32 random bytes (43 base62 characters).
"""

from __future__ import annotations

import re
import secrets
import zlib
from dataclasses import dataclass

KEY_TYPE = "sap"
ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
KEY_ID_LENGTH = 10
SECRET_LENGTH = 43
CHECKSUM_LENGTH = 6
KEY_PATTERN = re.compile(
    rf"^{KEY_TYPE}_([0-9A-Za-z]{{{KEY_ID_LENGTH}}})_"
    rf"([0-9A-Za-z]{{{SECRET_LENGTH}}})([0-9A-Za-z]{{{CHECKSUM_LENGTH}}})$"
)
# For secret scanners (gitleaks, trufflehog, GitHub push protection): README lists it.
SCANNER_REGEX = r"sap_[0-9A-Za-z]{10}_[0-9A-Za-z]{49}"


def base62(number: int, width: int) -> str:
    digits = []
    for _ in range(width):
        number, remainder = divmod(number, 62)
        digits.append(ALPHABET[remainder])
    return "".join(reversed(digits))


def _checksum(body: str) -> str:
    return base62(zlib.crc32(body.encode("ascii")), CHECKSUM_LENGTH)


@dataclass(frozen=True, slots=True)
class ParsedKey:
    key_id: str

    @property
    def prefix(self) -> str:
        return f"{KEY_TYPE}_{self.key_id}"


def new_key() -> tuple[str, ParsedKey]:
    """A fresh key and its parsed form; the caller stores the hash and shows the key once."""
    key_id = "".join(secrets.choice(ALPHABET) for _ in range(KEY_ID_LENGTH))
    secret = base62(int.from_bytes(secrets.token_bytes(32)), SECRET_LENGTH)
    body = f"{KEY_TYPE}_{key_id}_{secret}"
    return body + _checksum(body), ParsedKey(key_id)


def parse_key(candidate: str) -> ParsedKey | None:
    """The key's id when it has our shape and a valid checksum; None for anything else."""
    if len(candidate) > 80:
        return None
    match = KEY_PATTERN.match(candidate)
    if match is None:
        return None
    body = candidate[:-CHECKSUM_LENGTH]
    if not secrets.compare_digest(_checksum(body), match.group(3)):
        return None
    return ParsedKey(match.group(1))
