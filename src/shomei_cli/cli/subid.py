"""shomei subid: sub IDs (サブID) of a signer's staff, managed by that signer."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

from shomei_cli.cli import output
from shomei_cli.cli.options import JsonOption, confirm, new_group
from shomei_cli.cli.state import state
from shomei_cli.i18n import _

if TYPE_CHECKING:
    from shomei_cli.domain.records import NewAccount, SubIdView

app = new_group(_("Sub IDs (サブID) for a signer's staff (signers)."))
IdArg = Annotated[str, typer.Argument(help=_("The sub ID (SB…)."))]


def _emit_new(created: NewAccount, as_json: bool) -> None:
    if as_json:
        output.emit_record(created)
        return
    output.emit_fields(
        [
            (_("sub id"), created.login_id),
            (_("name"), created.name),
            (_("initial password"), created.initial_password),
        ]
    )
    output.message(_("The password is shown only now; it must be changed at the first login."))


def _emit(view: SubIdView, as_json: bool) -> None:
    if as_json:
        output.emit_record(view)
        return
    output.emit_fields(
        [
            (_("sub id"), view.login_id),
            (_("name"), view.name),
            (_("email"), view.email),
            (_("status"), view.status + (" " + _("(locked)") if view.locked else "")),
            (_("password"), _("temporary") if view.must_change_password else _("set")),
            (_("signer"), view.signer_user_id),
        ]
    )


@app.command(help=_("A sub ID for one staff member; its initial password is shown once."))
def add(
    ctx: typer.Context,
    name: Annotated[str, typer.Option("--name", help=_("The staff member's name, e.g. 鈴木 花子."))],
    email: Annotated[str | None, typer.Option("--email", help=_("Their email address."))] = None,
    as_json: JsonOption = False,
) -> None:
    _emit_new(state(ctx).backend().add_sub(name, email), as_json)


@app.command("list", help=_("Your sub IDs."))
def list_(ctx: typer.Context, as_json: JsonOption = False) -> None:
    subs = state(ctx).backend().list_subs()
    if as_json:
        output.emit_records(subs)
        return
    output.emit_table(
        [_("sub id"), _("name"), _("email"), _("status"), _("password")],
        [
            (s.login_id, s.name, s.email, s.status, _("temporary") if s.must_change_password else _("set"))
            for s in subs
        ],
    )


@app.command(help=_("One of your sub IDs."))
def show(ctx: typer.Context, login_id: IdArg, as_json: JsonOption = False) -> None:
    _emit(state(ctx).backend().show_sub(login_id), as_json)


@app.command(help=_("Change a sub ID's name or email."))
def update(
    ctx: typer.Context,
    login_id: IdArg,
    name: Annotated[str | None, typer.Option("--name", help=_("A new name."))] = None,
    email: Annotated[
        str | None, typer.Option("--email", help=_("A new email; an empty string removes it."))
    ] = None,
    as_json: JsonOption = False,
) -> None:
    _emit(state(ctx).backend().update_sub(login_id, name, email), as_json)


@app.command(help=_("Disable a sub ID; its history is kept."))
def remove(
    ctx: typer.Context,
    login_id: IdArg,
    yes: Annotated[bool, typer.Option("--yes", help=_("Do not ask for confirmation."))] = False,
    as_json: JsonOption = False,
) -> None:
    if not yes and not confirm(_("Remove sub ID {login_id}?").format(login_id=login_id)):
        raise typer.Abort()
    _emit(state(ctx).backend().remove_sub(login_id), as_json)


@app.command(help=_("Unlock one of your sub IDs, locked after failed logins (signers)."))
def unlock(ctx: typer.Context, login_id: IdArg, as_json: JsonOption = False) -> None:
    from shomei_cli.cli.session import unlock

    unlock(ctx, "sub", login_id, as_json)


@app.command("reset-password", help=_("A new temporary password for a sub ID, shown once."))
def reset_password(ctx: typer.Context, login_id: IdArg, as_json: JsonOption = False) -> None:
    _emit_new(state(ctx).backend().reset_sub_password(login_id), as_json)
