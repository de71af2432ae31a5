"""shomei signer: the company's signers (署名者管理) and their 署名登録証."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from shomei_cli.cli import output
from shomei_cli.cli.options import JsonOption, PasswordStdinOption, new_group, read_stdin_lines
from shomei_cli.cli.state import state

if TYPE_CHECKING:
    from shomei_cli.domain.records import SignerView

app = new_group("Signers of the company (署名者管理) and their 署名登録証.")
RefArg = Annotated[str, typer.Argument(help="The signer's reference (SG…) or user ID (U…).")]
NameOption = Annotated[str | None, typer.Option("--name", help="Name in kanji, e.g. 大阪 正人.")]
NameEnOption = Annotated[str | None, typer.Option("--name-en", help="Name in romaji, e.g. Osaka Masahito.")]
TitleOption = Annotated[str | None, typer.Option("--title", help="Title in Japanese, e.g. 代表取締役.")]
TitleEnOption = Annotated[str | None, typer.Option("--title-en", help="Title in English, e.g. President.")]
BirthOption = Annotated[str | None, typer.Option("--birth-date", help="Date of birth, e.g. 1980-01-01.")]
AddressOption = Annotated[str | None, typer.Option("--address", help="Address in Japanese.")]
AddressEnOption = Annotated[str | None, typer.Option("--address-en", help="Address in English.")]
IMAGE_SUFFIXES = {".png", ".jpg", ".jpeg"}


def _fields(**values: str | None) -> dict[str, str | None]:
    return {k: v for k, v in values.items() if v is not None}


@app.command()
def add(
    ctx: typer.Context,
    signature: Annotated[Path, typer.Option("--signature", help="The signature image (PNG or JPEG).")],
    name: NameOption = None,
    name_en: NameEnOption = None,
    title: TitleOption = None,
    title_en: TitleEnOption = None,
    birth_date: BirthOption = None,
    address: AddressOption = None,
    address_en: AddressEnOption = None,
    reason: Annotated[str | None, typer.Option("--reason", help="Why, for a 16th and later signer.")] = None,
    as_json: JsonOption = False,
) -> None:
    """Register a signer; the chamber reviews it before its card can be printed (administrators)."""
    from shomei_cli.cli.files import read_input_file

    image = read_input_file(signature, "--signature")
    fields = _fields(
        name=name,
        name_en=name_en,
        title=title,
        title_en=title_en,
        birth_date=birth_date,
        address=address,
        address_en=address_en,
    )
    view = state(ctx).backend().add_signer(fields, image, reason)
    _emit(view, as_json)
    if not as_json:
        output.message(f"Signer {view.reference} is waiting for the chamber's review.")


@app.command("import")
def import_(
    ctx: typer.Context,
    csv: Annotated[Path, typer.Option("--csv", help="The CSV file of signers (docs/signers.md).")],
    signatures: Annotated[
        Path, typer.Option("--signatures", help="The folder holding the images the CSV names.")
    ] = Path("."),
    as_json: JsonOption = False,
) -> None:
    """Register many signers at once: every row is checked first; re-runs skip who exists."""
    from shomei_cli.cli.files import read_input_file
    from shomei_cli.domain.errors import InvalidInput

    data = read_input_file(csv, "--csv")
    if not signatures.is_dir():
        raise InvalidInput.single("--signatures", f"{signatures} is not a folder")
    images = {
        p.name: p.read_bytes()
        for p in sorted(signatures.iterdir())
        if p.is_file() and p.suffix.lower() in IMAGE_SUFFIXES and not p.name.startswith(".")
    }
    results = state(ctx).backend().import_signers(data, images)
    if as_json:
        output.emit_records(results)
        return
    output.emit_table(
        ["row", "outcome", "reference", "name", "name (romaji)", "status"],
        [(r.row, r.outcome, r.reference, r.name, r.name_en, r.status) for r in results],
    )
    created = sum(1 for r in results if r.outcome == "created")
    output.message(f"{created} signer(s) registered, {len(results) - created} already there.")


@app.command("list")
def list_(
    ctx: typer.Context,
    registration: Annotated[
        str | None, typer.Option("--registration", help="Staff: the registration number.")
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """The company's signers (administrators; user IDs read-only; staff with --registration)."""
    signers = state(ctx).backend().list_signers(registration)
    if as_json:
        output.emit_records(signers)
        return
    output.emit_table(
        ["reference", "name", "name (romaji)", "title", "status", "user id", "sub ids"],
        [(s.reference, s.name, s.name_en, s.title, s.status, s.user_id or "", s.sub_ids) for s in signers],
    )


@app.command()
def show(ctx: typer.Context, ref: RefArg, as_json: JsonOption = False) -> None:
    """One signer's particulars and status."""
    _emit(state(ctx).backend().show_signer(ref), as_json)


def _emit(view: SignerView, as_json: bool) -> None:
    if as_json:
        output.emit_record(view)
        return
    output.emit_fields(
        [
            ("reference", view.reference),
            ("status", view.status + (f" ({view.status_reason})" if view.status_reason else "")),
            ("name", f"{view.name} / {view.name_en}"),
            ("title", f"{view.title} / {view.title_en}"),
            ("birth date", view.birth_date.isoformat() if view.birth_date else None),
            ("address", " / ".join(a for a in (view.address, view.address_en) if a) or None),
            (
                "user id",
                (view.user_id or "not issued (print the card)") + (" (locked)" if view.user_locked else ""),
            ),
            ("sub ids", view.sub_ids),
        ]
    )


@app.command()
def update(
    ctx: typer.Context,
    ref: RefArg,
    signature: Annotated[
        Path | None, typer.Option("--signature", help="A new signature image: the chamber reviews it again.")
    ] = None,
    name: NameOption = None,
    name_en: NameEnOption = None,
    title: TitleOption = None,
    title_en: TitleEnOption = None,
    birth_date: BirthOption = None,
    address: AddressOption = None,
    address_en: AddressEnOption = None,
    as_json: JsonOption = False,
) -> None:
    """Change a signer's particulars (at once) or signature (reviewed again)."""
    from shomei_cli.cli.files import read_input_file

    image = read_input_file(signature, "--signature") if signature is not None else None
    fields = _fields(
        name=name,
        name_en=name_en,
        title=title,
        title_en=title_en,
        birth_date=birth_date,
        address=address,
        address_en=address_en,
    )
    _emit(state(ctx).backend().update_signer(ref, fields, image), as_json)


@app.command()
def remove(
    ctx: typer.Context,
    ref: RefArg,
    yes: Annotated[bool, typer.Option("--yes", help="Do not ask for confirmation.")] = False,
    as_json: JsonOption = False,
) -> None:
    """Remove a signer: its user ID and sub IDs are disabled; their history is kept."""
    if not yes and not typer.confirm(f"Remove signer {ref} and disable its user ID and sub IDs?", err=True):
        raise typer.Exit(1)
    _emit(state(ctx).backend().remove_signer(ref), as_json)


@app.command()
def card(
    ctx: typer.Context,
    ref: RefArg,
    out: Annotated[Path, typer.Option("-o", "--output", help="The PDF file to write.")] = Path(
        "signer-card.pdf"
    ),
    as_json: JsonOption = False,
) -> None:
    """Print the 署名登録証. The first print issues the user ID; its password shows on the first day only."""
    from shomei_cli.cli.files import check_output_file, write_atomic

    target = check_output_file(out)
    (printed,) = state(ctx).backend().print_signer_cards([ref])
    write_atomic(target, printed.pdf)
    if as_json:
        output.emit_json(
            {
                "user_id": printed.login_id,
                "card": str(target),
                "password": printed.password,
                "password_shown": printed.password is not None,
                "first_printed_at": printed.first_printed_at.isoformat(),
                "print_count": printed.print_count,
            }
        )
        return
    shown = (
        "with the password" if printed.password else "without the password (not shown after the first day)"
    )
    output.message(f"Wrote {target}: 署名登録証 of {printed.login_id}, {shown}.")


@app.command("reset-password")
def reset_password(
    ctx: typer.Context,
    user_id: Annotated[str, typer.Argument(help="The signer's user ID (U…).")],
    password_stdin: PasswordStdinOption = False,
    generate: Annotated[
        bool, typer.Option("--generate", help="A new random password, shown by the next 署名登録証.")
    ] = False,
    as_json: JsonOption = False,
) -> None:
    """A temporary password for a signer: your own value or a generated one; changed at the next login."""
    if password_stdin == generate:
        raise typer.BadParameter("give exactly one of --password-stdin and --generate")
    password = read_stdin_lines(1, ["password"])[0] if password_stdin else None
    view = state(ctx).backend().reset_signer_password(user_id, password)
    if as_json:
        output.emit_record(view)
        return
    if generate:
        output.message(
            f"A new password was generated for {view.user_id}: print the card with "
            f"`shomei signer card {view.user_id} -o FILE` (the password shows on its first day)."
        )
    else:
        output.message(f"The password of {view.user_id} was set; it must be changed at the next login.")
