"""shomei signer: the company's signers (署名者管理) and their 署名登録証."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from shomei_cli.cli import output
from shomei_cli.cli.options import JsonOption, PasswordStdinOption, confirm, new_group, read_stdin_lines
from shomei_cli.cli.state import state
from shomei_cli.i18n import _

if TYPE_CHECKING:
    from shomei_cli.domain.records import SignerView

app = new_group(_("Signers of the company (署名者管理) and their 署名登録証."))
RefArg = Annotated[str, typer.Argument(help=_("The signer's reference (SG…) or user ID (U…)."))]
NameOption = Annotated[str | None, typer.Option("--name", help=_("Name in kanji, e.g. 大阪 正人."))]
NameEnOption = Annotated[
    str | None, typer.Option("--name-en", help=_("Name in romaji, e.g. Osaka Masahito."))
]
TitleOption = Annotated[str | None, typer.Option("--title", help=_("Title in Japanese, e.g. 代表取締役."))]
TitleEnOption = Annotated[str | None, typer.Option("--title-en", help=_("Title in English, e.g. President."))]
BirthOption = Annotated[str | None, typer.Option("--birth-date", help=_("Date of birth, e.g. 1980-01-01."))]
AddressOption = Annotated[str | None, typer.Option("--address", help=_("Address in Japanese."))]
AddressEnOption = Annotated[str | None, typer.Option("--address-en", help=_("Address in English."))]
IMAGE_SUFFIXES = {".png", ".jpg", ".jpeg"}


def _fields(**values: str | None) -> dict[str, str | None]:
    return {k: v for k, v in values.items() if v is not None}


@app.command(
    help=_("Register a signer; the chamber reviews it before its card can be printed (administrators).")
)
def add(
    ctx: typer.Context,
    signature: Annotated[Path, typer.Option("--signature", help=_("The signature image (PNG or JPEG)."))],
    name: NameOption = None,
    name_en: NameEnOption = None,
    title: TitleOption = None,
    title_en: TitleEnOption = None,
    birth_date: BirthOption = None,
    address: AddressOption = None,
    address_en: AddressEnOption = None,
    reason: Annotated[
        str | None, typer.Option("--reason", help=_("Why, for a 16th and later signer."))
    ] = None,
    as_json: JsonOption = False,
) -> None:
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
        output.message(
            _("Signer {reference} is waiting for the chamber's review.").format(reference=view.reference)
        )


@app.command(
    "import", help=_("Register many signers at once: every row is checked first; re-runs skip who exists.")
)
def import_(
    ctx: typer.Context,
    csv: Annotated[Path, typer.Option("--csv", help=_("The CSV file of signers (docs/signers.md)."))],
    signatures: Annotated[
        Path, typer.Option("--signatures", help=_("The folder holding the images the CSV names."))
    ] = Path("."),
    as_json: JsonOption = False,
) -> None:
    from shomei_cli.cli.files import read_input_file
    from shomei_cli.domain.errors import InvalidInput

    data = read_input_file(csv, "--csv")
    if not signatures.is_dir():
        raise InvalidInput.single("--signatures", _("{path} is not a folder").format(path=signatures))
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
        [_("row"), _("outcome"), _("reference"), _("name"), _("name (romaji)"), _("status")],
        [(r.row, r.outcome, r.reference, r.name, r.name_en, r.status) for r in results],
    )
    created = sum(1 for r in results if r.outcome == "created")
    output.message(
        _("{created} signer(s) registered, {existing} already there.").format(
            created=created, existing=len(results) - created
        )
    )


@app.command(
    "list", help=_("The company's signers (administrators; user IDs read-only; staff with --registration).")
)
def list_(
    ctx: typer.Context,
    registration: Annotated[
        str | None, typer.Option("--registration", help=_("Staff: the registration number."))
    ] = None,
    as_json: JsonOption = False,
) -> None:
    signers = state(ctx).backend().list_signers(registration)
    if as_json:
        output.emit_records(signers)
        return
    output.emit_table(
        [_("reference"), _("name"), _("name (romaji)"), _("title"), _("status"), _("user id"), _("sub ids")],
        [(s.reference, s.name, s.name_en, s.title, s.status, s.user_id or "", s.sub_ids) for s in signers],
    )


@app.command(help=_("One signer's particulars and status."))
def show(ctx: typer.Context, ref: RefArg, as_json: JsonOption = False) -> None:
    _emit(state(ctx).backend().show_signer(ref), as_json)


def _emit(view: SignerView, as_json: bool) -> None:
    if as_json:
        output.emit_record(view)
        return
    output.emit_fields(
        [
            (_("reference"), view.reference),
            (_("status"), view.status + (f" ({view.status_reason})" if view.status_reason else "")),
            (_("name"), f"{view.name} / {view.name_en}"),
            (_("title"), f"{view.title} / {view.title_en}"),
            (_("birth date"), view.birth_date.isoformat() if view.birth_date else None),
            (_("address"), " / ".join(a for a in (view.address, view.address_en) if a) or None),
            (
                _("user id"),
                (view.user_id or _("not issued (print the card)"))
                + (" " + _("(locked)") if view.user_locked else ""),
            ),
            (_("sub ids"), view.sub_ids),
        ]
    )


@app.command(help=_("Change a signer's particulars (at once) or signature (reviewed again)."))
def update(
    ctx: typer.Context,
    ref: RefArg,
    signature: Annotated[
        Path | None,
        typer.Option("--signature", help=_("A new signature image: the chamber reviews it again.")),
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


@app.command(help=_("Remove a signer: its user ID and sub IDs are disabled; their history is kept."))
def remove(
    ctx: typer.Context,
    ref: RefArg,
    yes: Annotated[bool, typer.Option("--yes", help=_("Do not ask for confirmation."))] = False,
    as_json: JsonOption = False,
) -> None:
    question = _("Remove signer {ref} and disable its user ID and sub IDs?").format(ref=ref)
    if not yes and not confirm(question):
        raise typer.Abort()
    _emit(state(ctx).backend().remove_signer(ref), as_json)


@app.command(
    help=_(
        "Suspend a signer for a while: its user ID and sub IDs stop working at once (their sessions end); "
        "history, applications and certificates stay. `signer resume` undoes it."
    )
)
def suspend(
    ctx: typer.Context,
    ref: RefArg,
    reason: Annotated[str | None, typer.Option("--reason", help=_("Why, for the company's records."))] = None,
    as_json: JsonOption = False,
) -> None:
    _emit(state(ctx).backend().suspend_signer(ref, reason), as_json)


@app.command(help=_("Resume a suspended signer: its user ID and sub IDs work again."))
def resume(ctx: typer.Context, ref: RefArg, as_json: JsonOption = False) -> None:
    _emit(state(ctx).backend().resume_signer(ref), as_json)


@app.command(
    help=_(
        "Print the 署名登録証. The first print issues the user ID; its password shows on the first day only."
    )
)
def card(
    ctx: typer.Context,
    ref: RefArg,
    out: Annotated[
        Path | None,
        typer.Option(
            "-o",
            "--output",
            help=_("The PDF file to write (default: named after the user ID, e.g. U000001.pdf, here)."),
        ),
    ] = None,
    force: Annotated[bool, typer.Option("--force", help=_("Replace files that already exist."))] = False,
    as_json: JsonOption = False,
) -> None:
    from shomei_cli.cli.card_files import SIGNER_CARD, print_one

    printed, target = print_one(state(ctx).backend(), SIGNER_CARD, ref, out, force=force)
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
    if printed.password:
        wrote = _("Wrote {path}: 署名登録証 of {user_id}, with the password.")
    else:
        wrote = _(
            "Wrote {path}: 署名登録証 of {user_id}, without the password (not shown after the first day)."
        )
    output.message(wrote.format(path=target, user_id=printed.login_id))


@app.command(help=_("Unlock a signer's user ID, locked after failed logins (administrators)."))
def unlock(
    ctx: typer.Context,
    user_id: Annotated[str, typer.Argument(help=_("The signer's user ID (U…)."))],
    as_json: JsonOption = False,
) -> None:
    from shomei_cli.cli.session import unlock

    unlock(ctx, "signer", user_id, as_json)


@app.command(
    "reset-password",
    help=_(
        "A temporary password for a signer: your own value or a generated one; changed at the next login."
    ),
)
def reset_password(
    ctx: typer.Context,
    user_id: Annotated[str, typer.Argument(help=_("The signer's user ID (U…)."))],
    password_stdin: PasswordStdinOption = False,
    generate: Annotated[
        bool, typer.Option("--generate", help=_("A new random password, shown by the next 署名登録証."))
    ] = False,
    as_json: JsonOption = False,
) -> None:
    if password_stdin == generate:
        raise typer.BadParameter(_("give exactly one of --password-stdin and --generate"))
    password = read_stdin_lines(1, ["password"])[0] if password_stdin else None
    view = state(ctx).backend().reset_signer_password(user_id, password)
    if as_json:
        output.emit_record(view)
        return
    if generate:
        output.message(
            _(
                "A new password was generated for {user_id}: print the card with "
                "`shomei signer card {user_id} -o FILE` (the password shows on its first day)."
            ).format(user_id=view.user_id)
        )
    else:
        output.message(
            _("The password of {user_id} was set; it must be changed at the next login.").format(
                user_id=view.user_id
            )
        )
