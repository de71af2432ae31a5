"""Files that hold secrets on the client (the token file, the config, the key file, the SQLite store) are
created private: 0600 from the first byte, in directories made 0700, never through a symbolic link.

A file is written to a fresh temporary file beside it (``mkstemp``: O_CREAT | O_EXCL, so a stale or planted
temporary file, or a symlink in its place, is never opened), flushed and renamed over the target; the rename
replaces a symlink at the target instead of writing through it.
"""

from __future__ import annotations

import contextlib
import os
import stat
import tempfile
from pathlib import Path

FILE_MODE = 0o600
DIRECTORY_MODE = 0o700


def private_directory(path: Path, *, tighten: bool = True) -> None:
    """``path`` made 0700 if it is new. With ``tighten`` (shomei's own directories: config, data), an existing
    one of ours loses group and other access too; a directory the user named for a store is left as it is."""
    path.mkdir(mode=DIRECTORY_MODE, parents=True, exist_ok=True)
    if not tighten:
        return
    with contextlib.suppress(OSError):
        info = path.stat()
        if hasattr(os, "getuid") and info.st_uid == os.getuid() and stat.S_IMODE(info.st_mode) & 0o077:
            path.chmod(stat.S_IMODE(info.st_mode) & ~0o077)


def write_private(path: Path, data: bytes) -> None:
    """Replace ``path`` with ``data``, readable by its owner only, atomically."""
    private_directory(path.parent)
    fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:  # mkstemp creates it 0600
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def create_private(path: Path) -> None:
    """An empty file at ``path``, 0600, unless one is there already; a symlink there is refused (OSError).
    A missing directory is not made (a mistyped store path stays an error the store reports)."""
    if not path.parent.is_dir():
        return
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_BINARY", 0)
    try:
        os.close(os.open(path, flags, FILE_MODE))
    except FileExistsError:
        if path.is_symlink():
            raise
