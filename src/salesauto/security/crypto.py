"""Provider credentials encrypted at rest: AES-256-GCM with the row's identity bound in.

The associated data is `workspace|provider|row id`, so a ciphertext copied to another row or
workspace fails to decrypt (Fernet could not detect that swap). Stored as
`v1:<key id>:<base64 nonce+ciphertext>`; the key id names which key encrypted it, so after a
rotation the old key (in `SALESAUTO_CREDENTIAL_KEYS_PREVIOUS`) still decrypts until
`salesauto keys rotate-encryption` re-encrypts every row under the current one.
"""

from __future__ import annotations

import base64
import hashlib
import os

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from salesauto.config import Settings
from salesauto.kit.errors import SalesautoError
from salesauto.security.secrets import derived_key

VERSION = "v1"
NONCE_BYTES = 12


class CredentialUnreadable(SalesautoError):
    status_code = 500


def _key_id(key: bytes) -> str:
    return hashlib.sha256(b"key-id:" + key).hexdigest()[:8]


class CredentialCipher:
    def __init__(self, current: bytes, previous: list[bytes] | None = None) -> None:
        self.current = current
        self.current_id = _key_id(current)
        self._keys = {_key_id(key): key for key in [*(previous or []), current]}

    @classmethod
    def from_settings(cls, settings: Settings) -> CredentialCipher:
        current = (
            hashlib.sha256(settings.credential_key.get_secret_value().encode()).digest()
            if settings.credential_key is not None
            else derived_key(settings, "provider-credentials")
        )
        previous = [
            hashlib.sha256(key.get_secret_value().encode()).digest()
            for key in settings.credential_keys_previous
        ]
        if settings.credential_key is not None:
            # Credentials stored before a key was configured were sealed with the derived one.
            previous.append(derived_key(settings, "provider-credentials"))
        return cls(current, previous)

    def encrypt(self, plain: str, *, identity: str) -> str:
        nonce = os.urandom(NONCE_BYTES)
        sealed = AESGCM(self.current).encrypt(nonce, plain.encode(), identity.encode())
        return f"{VERSION}:{self.current_id}:{base64.b64encode(nonce + sealed).decode()}"

    def decrypt(self, stored: str, *, identity: str) -> str:
        try:
            version, key_id, payload = stored.split(":", 2)
            key = self._keys[key_id]
            raw = base64.b64decode(payload)
            if version != VERSION:
                raise ValueError(version)
            plain = AESGCM(key).decrypt(raw[:NONCE_BYTES], raw[NONCE_BYTES:], identity.encode())
        except (ValueError, KeyError, InvalidTag) as error:
            # Never the ciphertext or the key in the message: which row, and what to check.
            raise CredentialUnreadable(
                f"the stored credential {identity!r} cannot be decrypted ({type(error).__name__}):"
                " set it again, or restore the key it was encrypted with in "
                "SALESAUTO_CREDENTIAL_KEYS_PREVIOUS"
            ) from None
        return plain.decode()

    def needs_rotation(self, stored: str) -> bool:
        return not stored.startswith(f"{VERSION}:{self.current_id}:")
