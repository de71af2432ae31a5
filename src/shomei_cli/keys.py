"""The key that protects card passwords at rest. It never lives in the database.

Local store: a key file created with mode 0600 in the platform config dir. Server: ``SHOMEI_SECRET_KEY`` (a
Fernet key) or ``SHOMEI_SECRET_KEY_FILE``; servers sharing one database must share the key.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

ENV_SECRET_KEY = "SHOMEI_SECRET_KEY"  # noqa: S105  (a variable's name)
ENV_SECRET_KEY_FILE = "SHOMEI_SECRET_KEY_FILE"  # noqa: S105
KEY_FILE_NAME = "card-secret.key"


def load_or_create_key(path: Path) -> bytes:
    """The key in ``path``, created (0600, atomically) if the file does not exist yet."""
    try:
        return path.read_bytes().strip()
    except FileNotFoundError:
        pass
    from cryptography.fernet import Fernet

    from shomei_cli.private_files import private_directory

    private_directory(path.parent)
    key = Fernet.generate_key()
    # a unique temporary file (0600, binary), then a hard link: if another process made the key meanwhile,
    # theirs wins; where the volume has no hard links (FAT, exFAT, some shares), an exclusive create does
    fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=".card-secret.")
    with os.fdopen(fd, "wb") as handle:
        handle.write(key)
    try:
        os.link(temporary, path)
    except FileExistsError:
        pass
    except OSError:
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), 0o600)
        except FileExistsError:
            pass
        else:
            with os.fdopen(fd, "wb") as handle:
                handle.write(key)
    finally:
        Path(temporary).unlink(missing_ok=True)
    return path.read_bytes().strip()


def configured_key(default_path: Path) -> bytes:
    """The key from the environment, else from (or newly in) ``default_path``."""
    from_env = os.environ.get(ENV_SECRET_KEY)
    if from_env:
        return from_env.strip().encode()
    file = os.environ.get(ENV_SECRET_KEY_FILE)
    return load_or_create_key(Path(file).expanduser() if file else default_path)
