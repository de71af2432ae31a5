"""Encryption at rest of the few secrets the first-day rule must keep for a day (Fernet: AES + HMAC)."""

from __future__ import annotations

from cryptography.fernet import Fernet, InvalidToken

from shomei_cli.domain.errors import Conflict
from shomei_cli.i18n import _

_PROCESS_KEY: list[bytes] = []


def _process_key() -> bytes:
    if not _PROCESS_KEY:
        _PROCESS_KEY.append(Fernet.generate_key())
    return _PROCESS_KEY[0]


class SecretBox:
    def __init__(self, key: bytes | None = None) -> None:
        # no key given: an ephemeral one, the same for every store this process opens (tests, in-memory
        # stores), good for this process only
        self._key = key or _process_key()
        self._fernet = Fernet(self._key)

    def keyed_hash(self, purpose: str, text: str) -> str:
        """HMAC-SHA256 of ``text`` under a key derived from this box's key for ``purpose``: the same text
        gives the same value on every server sharing the key; without the key nobody can tell what it was."""
        import hashlib
        import hmac

        derived = hmac.new(self._key, f"shomei:{purpose}".encode(), hashlib.sha256).digest()
        return hmac.new(derived, text.encode("utf-8", "surrogatepass"), hashlib.sha256).hexdigest()

    def seal(self, plaintext: str) -> bytes:
        return self._fernet.encrypt(plaintext.encode())

    def open(self, sealed: bytes) -> str:
        try:
            return self._fernet.decrypt(sealed).decode()
        except InvalidToken:
            raise Conflict(
                _(
                    "The stored card password cannot be decrypted with this key (the store was moved, or "
                    "SHOMEI_SECRET_KEY differs): reset the password to print a new card."
                )
            ) from None
