"""The key format: recognisable by scanners, and junk refused by its checksum alone."""

from __future__ import annotations

import re

from salesauto.security.keys import ALPHABET, SCANNER_REGEX, new_key, parse_key


def test_a_new_key_parses_and_scanners_recognise_it() -> None:
    key, parsed = new_key()
    assert parse_key(key) == parsed
    assert key.startswith(f"{parsed.prefix}_")
    assert re.fullmatch(SCANNER_REGEX, key)


def test_any_single_changed_character_fails_the_checksum() -> None:
    key, _ = new_key()
    secret_start = key.index("_", 4) + 1
    for position in range(secret_start, len(key)):
        original = key[position]
        changed = ALPHABET[(ALPHABET.index(original) + 1) % len(ALPHABET)]
        assert parse_key(key[:position] + changed + key[position + 1 :]) is None


def test_keys_are_unique_and_junk_is_refused() -> None:
    keys = {new_key()[0] for _ in range(200)}
    assert len(keys) == 200
    for junk in ("", "sap_", "Bearer x", "sap_short_key", "x" * 5000, new_key()[0] + "a"):
        assert parse_key(junk) is None
