"""Files the CLI writes (PDFs): checked before anything is asked of the backend, written atomically."""

from __future__ import annotations

import os
import tempfile
import time
from pathlib import Path

from shomei_cli.i18n import _


def check_output_file(path: Path, option: str = "-o") -> Path:
    """A file that can be written: its directory exists and is writable. Checked *before* printing, since
    a print is recorded (and may be the first-day print)."""
    from shomei_cli.domain.errors import InvalidInput

    target = path.expanduser()
    parent = target.parent if str(target.parent) else Path(".")
    if target.is_dir():
        raise InvalidInput.single(
            option,
            _("{path} is a directory; name a file, e.g. {example}").format(
                path=target, example=target / "card.pdf"
            ),
        )
    if not parent.is_dir():
        raise InvalidInput.single(option, _("the directory {path} does not exist").format(path=parent))
    if not os.access(parent, os.W_OK) or not _really_writable(parent, target):
        raise InvalidInput.single(option, _("the directory {path} is not writable").format(path=parent))
    return target


def claim_output_file(path: Path, *, force: bool, option: str = "-o") -> Path:
    """``check_output_file``, and the one rule about files that exist: they are replaced only with --force.
    ``write_atomic(..., force=force)`` applies the rule again at the moment of writing."""
    target = check_output_file(path, option)
    if not force and os.path.lexists(target):
        raise _exists(target)
    return target


def _exists(target: Path) -> Exception:
    from shomei_cli.domain.errors import Conflict

    return Conflict(_("{path} already exists; give --force to replace it.").format(path=target))


def document_file(directory: Path, name: str) -> Path:
    """The file for a document in ``directory``, named after it (a certificate or receipt number). The name
    comes from the backend: anything but a plain file name is refused rather than followed."""
    from shomei_cli.domain.errors import InvalidInput

    if not name or name.startswith(".") or any(not (c.isalnum() or c in "-_.") for c in name):
        raise InvalidInput.single("name", _("{name} cannot name a file").format(name=name))
    return directory / f"{name}.pdf"


def _really_writable(directory: Path, target: Path) -> bool:
    """Try it: on Windows os.access ignores permissions, and a PDF open in a viewer cannot be replaced."""
    try:
        fd, probe = tempfile.mkstemp(dir=directory, prefix=".shomei-probe.")
        os.close(fd)
        os.unlink(probe)
        if target.exists():
            with target.open("r+b"):
                pass
    except OSError:
        return False
    return True


def check_output_dir(path: Path, option: str = "--out") -> Path:
    """A directory for many files: it exists and is writable, or its parent is (it is made when the first
    file is written, so that a refused batch leaves nothing behind)."""
    from shomei_cli.domain.errors import InvalidInput

    target = path.expanduser()
    if target.exists() and not target.is_dir():
        raise InvalidInput.single(option, _("{path} exists and is not a directory").format(path=target))
    existing = target if target.exists() else target.parent
    if not existing.is_dir():
        raise InvalidInput.single(option, _("the directory {path} does not exist").format(path=target.parent))
    if not os.access(existing, os.W_OK):
        raise InvalidInput.single(option, _("the directory {path} is not writable").format(path=existing))
    return target


TEMPORARY_SUFFIX = ".tmp"


def write_atomic(path: Path, data: bytes, *, force: bool = True) -> None:
    """Write durably through a temporary file in the same directory: created with O_EXCL (mode 0600),
    written, fsynced, renamed, and the directory fsynced, so that once this returns the file is on disk
    under its name, and a crash at any moment leaves either no file or the whole one (plus, at worst, a
    temporary file that ``remove_temporaries`` sweeps). Without ``force``, a file that exists by then is
    left alone (claim_output_file's rule, without a race)."""
    from shomei_cli.faults import checkpoint

    fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=TEMPORARY_SUFFIX)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        checkpoint("written")
        if force:
            replace(temporary, path)
        else:
            _link_new(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    sync_directory(path.parent)


def sync_directory(directory: Path) -> None:
    """fsync a directory, so that a rename in it survives a power cut (POSIX; Windows has no such call)."""
    if os.name == "nt":
        return
    fd = os.open(directory, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def remove_temporaries(directory: Path) -> int:
    """Remove the temporary files that a killed run of ``write_atomic`` left in ``directory`` (``.NAME.pdf.
    XXXXXXXX.tmp``); returns how many. Links are removed, never followed."""
    removed = 0
    if not directory.is_dir():
        return 0
    for entry in directory.glob(f".*.pdf.*{TEMPORARY_SUFFIX}"):
        if entry.is_symlink() or entry.is_file():
            entry.unlink(missing_ok=True)
            removed += 1
    return removed


def _link_new(temporary: str, path: Path) -> None:
    """Give the written file its name only if no file has it: a hard link fails on an existing name."""
    try:
        os.link(temporary, path)
    except FileExistsError:
        raise _exists(path) from None
    except OSError:  # a file system without hard links: check, then rename
        if os.path.lexists(path):
            raise _exists(path) from None
        replace(temporary, path)
        return
    os.unlink(temporary)


def replace(source: str | Path, target: Path, attempts: int = 5) -> None:
    """os.replace, retried for a moment on Windows, where a virus scanner or an indexer may hold a file that
    was just written."""
    for attempt in range(attempts):
        try:
            os.replace(source, target)
            return
        except PermissionError:
            if os.name != "nt" or attempt == attempts - 1:
                raise
            time.sleep(0.2 * (attempt + 1))


def read_input_file(path: Path, option: str) -> bytes:
    from shomei_cli.domain.errors import InvalidInput

    if path.expanduser().is_dir():  # Windows answers PermissionError for a directory
        raise InvalidInput.single(option, _("{path} is a directory").format(path=path))
    try:
        return path.expanduser().read_bytes()
    except FileNotFoundError:
        raise InvalidInput.single(option, _("{path} does not exist").format(path=path)) from None
    except IsADirectoryError:
        raise InvalidInput.single(option, _("{path} is a directory").format(path=path)) from None
    except PermissionError:
        raise InvalidInput.single(option, _("{path} is not readable").format(path=path)) from None
