"""shomei subid: sub IDs (サブID) of a signer's staff, managed by that signer."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

from shomei_cli.cli import output
from shomei_cli.cli.options import JsonOption, new_group
from shomei_cli.cli.state import state

if TYPE_CHECKING:
    from shomei_cli.domain.records import NewAccount, SubIdView

app = new_group("Sub IDs (サブID) for a signer's staff (signers).")
IdArg = Annotated[str, typer.Argument(help="The sub ID (SB…).")]


def _emit_new(created: NewAccount, as_json: bool) -> None:
    if as_json:
        output.emit_record(created)
        return
    output.emit_fields(
        [("sub id", created.login_id), ("name", created.name), ("initial password", created.initial_password)]
    )
    output.message("The password is shown only now; it must be changed at the first login.")


def _emit(view: SubIdView, as_json: bool) -> None:
    if as_json:
        output.emit_record(view)
        return
    output.emit_fields(
        [
            ("sub id", view.login_id),
            ("name", view.name),
            ("email", view.email),
            ("status", view.status + (" (locked)" if view.locked else "")),
            ("password", "temporary" if view.must_change_password else "set"),
            ("signer", view.signer_user_id),
        ]
    )


@app.command()
def add(
    ctx: typer.Context,
    name: Annotated[str, typer.Option("--name", help="The staff member's name, e.g. 鈴木 花子.")],
    email: Annotated[str | None, typer.Option("--email", help="Their email address.")] = None,
    as_json: JsonOption = False,
) -> None:
    """A sub ID for one staff member; its initial password is shown once."""
    _emit_new(state(ctx).backend().add_sub(name, email), as_json)


@app.command("list")
def list_(ctx: typer.Context, as_json: JsonOption = False) -> None:
    """Your sub IDs."""
    subs = state(ctx).backend().list_subs()
    if as_json:
        output.emit_records(subs)
        return
    output.emit_table(
        ["sub id", "name", "email", "status", "password"],
        [
            (s.login_id, s.name, s.email, s.status, "temporary" if s.must_change_password else "set")
            for s in subs
        ],
    )


@app.command()
def show(ctx: typer.Context, login_id: IdArg, as_json: JsonOption = False) -> None:
    """One of your sub IDs."""
    _emit(state(ctx).backend().show_sub(login_id), as_json)


@app.command()
def update(
    ctx: typer.Context,
    login_id: IdArg,
    name: Annotated[str | None, typer.Option("--name", help="A new name.")] = None,
    email: Annotated[
        str | None, typer.Option("--email", help="A new email; an empty string removes it.")
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Change a sub ID's name or email."""
    _emit(state(ctx).backend().update_sub(login_id, name, email), as_json)


@app.command()
def remove(
    ctx: typer.Context,
    login_id: IdArg,
    yes: Annotated[bool, typer.Option("--yes", help="Do not ask for confirmation.")] = False,
    as_json: JsonOption = False,
) -> None:
    """Disable a sub ID; its history is kept."""
    if not yes and not typer.confirm(f"Remove sub ID {login_id}?", err=True):
        raise typer.Exit(1)
    _emit(state(ctx).backend().remove_sub(login_id), as_json)


@app.command("reset-password")
def reset_password(ctx: typer.Context, login_id: IdArg, as_json: JsonOption = False) -> None:
    """A new temporary password for a sub ID, shown once."""
    _emit_new(state(ctx).backend().reset_sub_password(login_id), as_json)
