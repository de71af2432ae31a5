"""shomei db: the store's schema."""

from __future__ import annotations

import typer

from shomei_cli.cli import output
from shomei_cli.cli.options import JsonOption, new_group
from shomei_cli.cli.state import state

app = new_group("The store's schema (on the store's own host).")


@app.command()
def upgrade(ctx: typer.Context, as_json: JsonOption = False) -> None:
    """Bring the store's schema up to date without losing data (creates a new store)."""
    st = state(ctx)
    st.local_backend("db upgrade")
    from shomei_cli.backends.local import upgrade_store

    before, after = upgrade_store(st.database_url)
    if as_json:
        output.emit_json({"before": before, "after": after})
        return
    if before == after:
        output.message(f"The store is already at the current schema ({after}).")
    else:
        output.message(f"The store was upgraded from {before or 'nothing'} to {after}.")
