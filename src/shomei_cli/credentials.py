"""Session tokens on the client: the OS keyring, or (only when the user opts in) a 0600 file.

``SHOMEI_TOKEN`` overrides both, for scripts. The password itself is never stored anywhere on the client.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Any

from shomei_cli.config import ENV_TOKEN
from shomei_cli.domain.errors import CredentialStoreUnavailable
from shomei_cli.i18n import N_, _

KEYRING_SERVICE = "shomei"
NO_KEYRING_HINT = N_(
    "No usable OS keyring was found to keep the session token (common on headless Linux and CI). "
    "Install and unlock a keyring, or log in with --insecure-storage (or `shomei config set "
    "insecure_storage true`) to keep it in a file readable only by you, or set SHOMEI_TOKEN."
)


# The token file also notes, without the token, which keys have a token in the keyring: then a command with
# nobody logged in knows it without importing keyring (a tenth of a second: it probes every backend). The
# notes start when the file is first made; a file from before them (no INDEXED entry) says nothing about the
# keyring, which is then asked.
IN_KEYRING = "@keyring"
INDEXED = "@keyring-indexed"


class TokenStore:
    """Load, save and forget session tokens, one per (profile, endpoint or database)."""

    def __init__(self, token_file: Path, *, insecure_allowed: bool) -> None:
        self.token_file = token_file
        self.insecure_allowed = insecure_allowed

    def load(self, key: str) -> str | None:
        from_env = os.environ.get(ENV_TOKEN)
        if from_env:
            return from_env.strip()
        return self._stored(key)

    def _stored(self, name: str) -> str | None:
        """The entry ``name`` from the file, else (unless the file notes it is not there) the keyring."""
        entries = self._read_file()
        stored = entries.get(name)
        if stored and stored != IN_KEYRING:
            return stored
        if not stored and INDEXED in entries:
            return None
        keyring = _keyring()
        if keyring is None:
            return None
        try:
            value = keyring.get_password(KEYRING_SERVICE, name)
        except Exception:  # a locked or broken keyring reads as "no token"
            return None
        return str(value) if value else None

    def save(self, key: str, token: str) -> None:
        if self.insecure_allowed:
            self._write_file(key, token)
            return
        keyring = _keyring()
        if keyring is None:
            raise CredentialStoreUnavailable(_(NO_KEYRING_HINT))
        try:
            keyring.set_password(KEYRING_SERVICE, key, token)
        except Exception:
            raise CredentialStoreUnavailable(_(NO_KEYRING_HINT)) from None
        self._note_in_keyring(key)

    def _note_in_keyring(self, name: str) -> None:
        entries = self._read_file()
        if INDEXED in entries or not self.token_file.exists():
            self._dump({**entries, name: IN_KEYRING, INDEXED: "1"})

    def ensure_usable(self) -> None:
        """Refuse now, before any password is sent, if a token could not be kept afterwards."""
        if self.insecure_allowed:
            return
        keyring = _keyring()
        if keyring is None:
            raise CredentialStoreUnavailable(_(NO_KEYRING_HINT))

    def load_device(self, key: str, login_key: str) -> str | None:
        """The device token this client keeps for ``login_key`` (from its last successful login), if any."""
        return self._stored(_device_entry(key, login_key))

    def save_device(self, key: str, login_key: str, token: str) -> None:
        """Keep the device token beside the session token (best effort: without it, logins still work)."""
        name = _device_entry(key, login_key)
        if self.insecure_allowed:
            self._dump({**self._read_file(), name: token})
            return
        keyring = _keyring()
        if keyring is None:
            return
        try:
            keyring.set_password(KEYRING_SERVICE, name, token)
        except Exception:
            return
        self._note_in_keyring(name)

    def delete(self, key: str) -> None:
        entries = self._read_file()
        if key in entries:
            del entries[key]
            self._dump(entries)
        keyring = _keyring()
        if keyring is not None:
            try:
                keyring.delete_password(KEYRING_SERVICE, key)
            except Exception:  # nothing saved there, or the keyring is unusable: nothing to forget
                return

    def _read_file(self) -> dict[str, str]:
        try:
            data = json.loads(self.token_file.read_text(encoding="utf-8"))
        except (FileNotFoundError, ValueError):
            return {}
        return {str(k): str(v) for k, v in data.items()} if isinstance(data, dict) else {}

    def _write_file(self, key: str, token: str) -> None:
        entries = self._read_file()
        first_time = not self.token_file.exists()
        entries[key] = token
        if first_time:
            entries[INDEXED] = "1"
        self._dump(entries)
        if first_time:
            print(
                _(
                    "Warning: the session token is kept in {path} (readable only by you), "
                    "not in an OS keyring, because insecure storage was chosen."
                ).format(path=self.token_file),
                file=sys.stderr,
            )

    def _dump(self, entries: dict[str, str]) -> None:
        from shomei_cli.private_files import write_private

        # 0600 from the first byte, through a fresh temporary file: never readable by others, even for a
        # moment, and never written through a stale temporary file or a symlink
        write_private(self.token_file, json.dumps(entries).encode("utf-8"))


def _device_entry(key: str, login_key: str) -> str:
    # kept across logouts: it marks the client, not a session
    return f"{key}#device:{login_key}"


def _keyring() -> Any | None:
    """The keyring module if a real backend is available, else None. Imported only when needed."""
    try:
        import keyring
        from keyring.backends import chainer, fail

        backend = keyring.get_keyring()
    except Exception:
        return None
    if isinstance(backend, fail.Keyring):
        return None
    if isinstance(backend, chainer.ChainerBackend) and not backend.backends:
        return None
    return keyring
