"""Cards written to files: a card counts as printed only once its file is durably on disk.

Every card the CLI writes is asked for as a *pending* print; the backend is told once the file is written
(``confirm_card_prints``), and only then does the card's first day start. A run killed in between leaves a
card that was never printed: the next print shows its password, whatever the day.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from shomei_cli.backends.base import Backend
    from shomei_cli.domain.records import CardPrint

REGISTRATION_CARD = "registration_card"
SIGNER_CARD = "signer_card"


def card_name(kind: str, printed: CardPrint) -> str:
    """What a card's file is named after: the registration number (貿易登録証) or the user ID (署名登録証)."""
    return printed.registration_number if kind == REGISTRATION_CARD else printed.login_id


def print_one(
    backend: Backend,
    kind: str,
    ref: str | None,
    out: Path | None,
    *,
    force: bool,
) -> tuple[CardPrint, Path]:
    """Print one card to ``out``, or (without ``-o``) to ./NAME.pdf named after the card; no existing file
    is replaced without ``force``. The print counts once the file is written."""
    from shomei_cli.cli.files import check_output_dir, claim_output_file, document_file, write_atomic

    if out is not None:
        target: Path | None = claim_output_file(out, force=force)
    else:
        check_output_dir(Path("."), option="-o")
        target = None
    printed = _print(backend, kind)([ref] if kind == REGISTRATION_CARD else [ref or ""], True)[0]
    if target is None:
        target = claim_output_file(document_file(Path("."), card_name(kind, printed)), force=force)
    write_atomic(target, printed.pdf, force=force)
    backend.confirm_card_prints(kind, [card_name(kind, printed)])
    return printed, target


def print_many(
    backend: Backend, kind: str, refs: Sequence[str], directory: Path
) -> list[tuple[CardPrint, Path]]:
    """Print these cards into ``directory`` (made if need be), one file each named after its card, replacing
    what is there (a batch's own directory); the backend is told once all of them are on disk (a card
    written but not yet told is printed again by the next run, with the same password)."""
    from shomei_cli.cli.files import document_file, write_atomic
    from shomei_cli.faults import checkpoint

    written: list[tuple[CardPrint, Path]] = []
    for printed in _print(backend, kind)(refs, True):
        directory.mkdir(mode=0o700, exist_ok=True)
        target = document_file(directory, card_name(kind, printed))
        write_atomic(target, printed.pdf)
        checkpoint("renamed")
        # the path and the password only: keeping every PDF would hold the whole batch in memory
        written.append((_without_pdf(printed), target))
    if written:
        backend.confirm_card_prints(kind, [card_name(kind, printed) for printed, _path in written])
    return written


def _without_pdf(printed: CardPrint) -> CardPrint:
    import dataclasses

    return dataclasses.replace(printed, pdf=b"")


def _print(backend: Backend, kind: str) -> Callable[[Sequence[str | None], bool], list[CardPrint]]:
    if kind == REGISTRATION_CARD:
        return backend.print_registration_cards
    return lambda refs, pending: backend.print_signer_cards([r or "" for r in refs], pending)
