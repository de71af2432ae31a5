"""shomei db: the store's schema."""

from __future__ import annotations

import typer

from shomei_cli.cli import output
from shomei_cli.cli.options import JsonOption, new_group
from shomei_cli.cli.state import state
from shomei_cli.i18n import _

app = new_group(_("The store's schema (on the store's own host)."))


@app.callback()
def db() -> None:
    # a group of one command is still a group: the documented command is `shomei db upgrade`
    pass


@app.command(help=_("Bring the store's schema up to date without losing data (creates a new store)."))
def upgrade(ctx: typer.Context, as_json: JsonOption = False) -> None:
    st = state(ctx)
    st.local_backend("db upgrade")
    from shomei_cli.backends.local import upgrade_store

    before, after = upgrade_store(st.database_url)
    if as_json:
        output.emit_json({"before": before, "after": after})
        return
    if before == after:
        output.message(_("The store is already at the current schema ({version}).").format(version=after))
    elif before:
        output.message(
            _("The store was upgraded from {before} to {after}.").format(before=before, after=after)
        )
    else:
        output.message(_("The store was upgraded from nothing to {after}.").format(after=after))
